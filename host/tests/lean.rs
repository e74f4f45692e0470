//! The production binary (`cargo build --profile dist -p speckle --no-default-features`, what the
//! packages ship; docs/host.md "Production build"). `make lean-check` builds it and runs this file
//! with its path in SPECKLE_LEAN_BIN; the test itself is built with the suite's default features,
//! so no build without them ever replaces `target/debug/speckle`, which other checks run. Not part
//! of `cargo test --workspace` (`test = false` in host/Cargo.toml): that binary has every feature.

mod common;

use common::BoardDouble;
use std::process::{Command, Output};

fn speckle(args: &[&str]) -> Output {
    let bin = std::env::var_os("SPECKLE_LEAN_BIN")
        .expect("SPECKLE_LEAN_BIN: the production binary to test (make lean-check sets it)");
    Command::new(&bin).args(args).output().unwrap_or_else(|e| panic!("running {bin:?}: {e}"))
}

/// Fails with exit status 1 and one stderr line that starts with `prefix` and names `feature`.
fn refused(args: &[&str], prefix: &str, feature: &str) {
    let out = speckle(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: want one line, got:\n{err}");
    let want =
        format!("speckle: error: {prefix}: this speckle was built without the `{feature}` feature");
    assert!(err.starts_with(&want), "{args:?}: want `{want}…`, got: {err}");
    assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
}

/// `--version` works, help and man pages leave out the monitors and the simulator (their words are
/// hidden and only exist to be refused), and completions are generated.
#[test]
fn version_help_and_man_pages_leave_out_the_optional_parts() {
    let out = speckle(&["--version"]);
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && version.starts_with("speckle "), "{version}");
    let out = speckle(&["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{help}");
    let listed = |word: &str| help.lines().any(|l| l.trim_start().starts_with(&format!("{word} ")));
    for word in ["run", "capture", "assess", "audit", "bench", "telemetry", "ctl", "completions"] {
        assert!(listed(word), "`{word}` missing from help:\n{help}");
    }
    for word in ["sim", "monitor", "web"] {
        assert!(!listed(word), "`{word}` is in the production build's help:\n{help}");
    }
    let dir = common::tmpdir("lean-man");
    let out = speckle(&["manpages", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for page in ["speckle", "speckle-run", "speckle-audit", "speckle-ctl"] {
        assert!(dir.join(format!("{page}.1")).is_file(), "no {page}.1");
    }
    for page in ["speckle-sim", "speckle-monitor", "speckle-web"] {
        assert!(!dir.join(format!("{page}.1")).exists(), "{page}.1 in the production build");
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let out = speckle(&["completions", "bash"]);
    let script = String::from_utf8_lossy(&out.stdout);
    // clap_complete names hidden words too (as it does `manpages`), so only presence is checked.
    assert!(out.status.success() && script.contains("speckle__subcmd__run)"), "{script}");
}

#[test]
fn sim_sources_and_the_sim_command_are_refused_naming_the_feature() {
    refused(&["run", "--source", "sim:optimal"], "--source sim:optimal", "sim");
    refused(&["run", "--source", "file:/dev/null,sim:stuck@0"], "--source sim:stuck@0", "sim");
    let out = std::env::temp_dir().join(format!("speckle-lean-cap-{}", std::process::id()));
    let out = out.to_str().unwrap();
    refused(
        &["capture", "--source", "sim:optimal", "--raw", "-o", out],
        "--source sim:optimal",
        "sim",
    );
    assert!(!std::path::Path::new(out).exists(), "a refused capture created {out}");
    refused(&["audit", "--source", "sim:optimal"], "--source sim:optimal", "sim");
    refused(&["sim", "--scenario", "optimal"], "speckle sim", "sim");
}

#[test]
fn the_monitors_are_refused_naming_the_feature() {
    refused(&["monitor"], "speckle monitor", "monitor");
    refused(&["monitor", "--help"], "speckle monitor", "monitor");
    refused(&["web", "--listen", "127.0.0.1:0"], "speckle web", "monitor");
}

/// A raw capture of healthy frames between healthy STATUS frames.
fn raw_capture() -> Vec<u8> {
    common::raw_capture(&common::lcg_samples(300, 9), Some(50))
}

#[test]
fn whiten_gpu_is_refused_and_auto_conditions_on_the_cpu() {
    let dir = common::tmpdir("lean-whiten");
    let cap = dir.join("raw.bin");
    std::fs::write(&cap, raw_capture()).unwrap();
    let src = format!("file:{}", cap.display());
    let run = |whiten: &str| {
        speckle(&[
            "run", "--source", &src, "--mode", "raw", "--whiten", whiten, "--output", "stdout",
        ])
    };
    refused(&["run", "--source", &src, "--mode", "raw", "--whiten", "gpu"], "--whiten gpu", "gpu");
    refused(&["bench", "--whiten", "gpu", "--mib", "1"], "bench --whiten gpu", "gpu");
    let (cpu, auto) = (run("cpu"), run("auto"));
    assert!(cpu.status.success(), "{}", String::from_utf8_lossy(&cpu.stderr));
    assert!(auto.status.success(), "{}", String::from_utf8_lossy(&auto.stderr));
    assert!(cpu.stdout.len() >= 32 * 5, "only {} bytes", cpu.stdout.len());
    assert_eq!(auto.stdout, cpu.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The production path end to end: a `file:` replay of a conditioned capture through the daemon
/// to stdout releases exactly the blocks vouched for by a healthy STATUS on both sides, and a raw
/// capture conditions on the host.
#[test]
fn a_file_replay_runs_to_stdout() {
    let dir = common::tmpdir("lean-replay");
    let mut b = BoardDouble::new();
    b.status(0);
    let mut want = Vec::new();
    for i in 0..40u8 {
        b.block(i);
        want.extend([i; 32]);
        if i % 10 == 9 {
            b.status(0);
        }
    }
    b.block(0xEE); // after the last STATUS: never vouched for, never released
    let cap = dir.join("cond.bin");
    std::fs::write(&cap, &b.bytes).unwrap();
    let out =
        speckle(&["run", "--source", &format!("file:{}", cap.display()), "--output", "stdout"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, want);
    let raw = dir.join("raw.bin");
    std::fs::write(&raw, raw_capture()).unwrap();
    let src = format!("file:{}", raw.display());
    let out = speckle(&["run", "--source", &src, "--mode", "raw", "--output", "stdout"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let n = out.stdout.len();
    assert!(n >= 32 * 5 && n.is_multiple_of(32), "{n} bytes");
    std::fs::remove_dir_all(&dir).unwrap();
}
