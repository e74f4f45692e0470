//! A build of rtl-sim made without Verilator must not outlive Verilator's installation: build.rs
//! resolves the program on PATH and has cargo rerun it when that program appears, disappears or
//! changes, and the build records which Verilator it used.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// What build.rs would resolve now: the program's path and its `--version` line, or "".
fn installed_stamp() -> String {
    let wanted = env::var("SPECKLE_VERILATOR").unwrap_or_else(|_| "verilator".into());
    let path = if wanted.contains('/') {
        Some(PathBuf::from(&wanted)).filter(|p| p.is_file())
    } else {
        env::var_os("PATH")
            .and_then(|p| env::split_paths(&p).map(|d| d.join(&wanted)).find(|p| p.is_file()))
    };
    let Some(path) = path else { return String::new() };
    let out = Command::new(&path).arg("--version").output().expect("run verilator --version");
    format!("{}\n{}", path.display(), String::from_utf8_lossy(&out.stdout).trim())
}

#[test]
fn this_build_used_the_installed_verilator() {
    assert_eq!(
        rtl_sim::verilator_stamp(),
        installed_stamp(),
        "rtl-sim was built with another Verilator (or none) than the one installed now: \
         `touch rtl-sim/build.rs` and rebuild"
    );
}

/// `<target>` of this test binary (target/debug/deps/<exe> -> target).
fn target_dir() -> PathBuf {
    let exe = env::current_exe().unwrap();
    exe.ancestors().nth(3).expect("target dir above the test binary").to_path_buf()
}

fn probe(scratch: &Path, bin: &Path) -> String {
    let path = env::join_paths(
        std::iter::once(bin.to_path_buf()).chain(env::split_paths(&env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["run", "-q", "--offline", "-p", "rtl-sim", "--example", "rtl_sim_probe"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("RTL_SIM_CACHE", target_dir().join("rtl-sim-cache"))
        .env("SPECKLE_VERILATOR", "speckle-probe-verilator")
        .env("PATH", path)
        .output()
        .expect("run cargo");
    assert!(out.status.success(), "cargo run failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Builds the probe with no Verilator reachable under the name it looks for, makes one reachable
/// in a PATH directory (PATH itself unchanged, as `apt-get install` does), builds again without
/// touching anything, and requires the Verilated fixture; then removes it and requires the build
/// to notice that too.
#[test]
fn a_build_without_verilator_is_redone_when_verilator_appears() {
    if !rtl_sim::require_verilator("a_build_without_verilator_is_redone_when_verilator_appears") {
        return;
    }
    let real = installed_stamp().lines().next().unwrap().to_string();
    let scratch = env::temp_dir().join(format!("rtl-sim-stamp-{}", std::process::id()));
    let bin = scratch.join("bin");
    fs::create_dir_all(&bin).unwrap();

    let before = probe(&scratch, &bin);
    assert!(before.starts_with("unavailable:"), "no Verilator reachable, yet: {before}");

    let shim = bin.join("speckle-probe-verilator");
    fs::write(&shim, format!("#!/bin/sh\nexec {real} \"$@\"\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&shim, fs::Permissions::from_mode(0o755)).unwrap();
    let after = probe(&scratch, &bin);
    assert!(after.starts_with("verilated: count=5 "), "Verilator now reachable, yet: {after}");
    assert!(after.contains(&shim.display().to_string()), "stamp names the shim: {after}");

    fs::remove_file(&shim).unwrap();
    let gone = probe(&scratch, &bin);
    assert!(gone.starts_with("unavailable:"), "Verilator removed, yet: {gone}");
    let _ = fs::remove_dir_all(&scratch);
}
