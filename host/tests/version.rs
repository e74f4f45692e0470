//! `speckle --version`: version, source commit and gateware hash (host/build.rs, docs/release.md),
//! each checked against a value computed here by other means (git, coreutils' sha256sum).

use std::path::Path;
use std::process::Command;

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("host/ lies in the workspace")
}

fn sh(script: &str) -> String {
    let out = Command::new("bash")
        .args(["-c", script])
        .current_dir(workspace_root())
        .output()
        .expect("run bash");
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

fn speckle(arg: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_speckle")).arg(arg).output().expect("run speckle");
    assert!(out.status.success(), "speckle {arg}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn long_version_names_commit_and_gateware() {
    let text = speckle("--version");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "three lines expected:\n{text}");
    assert_eq!(lines[0], format!("speckle {}", env!("CARGO_PKG_VERSION")));

    let commit = lines[1].strip_prefix("source commit: ").expect("second line: source commit");
    // The build saw the checkout this test runs in (CI: a clone), unless told otherwise.
    let expected = match std::env::var("SPECKLE_SOURCE_COMMIT") {
        Ok(c) => c,
        Err(_) => sh("git rev-parse --verify HEAD 2>/dev/null || echo unknown"),
    };
    assert_eq!(commit, expected, "commit of the build vs the checkout's");
    if commit != "unknown" {
        assert!(commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()), "{commit}");
    }

    let gateware = lines[2].strip_prefix("gateware sha256: ").expect("third line: gateware");
    let expected =
        sh("find rtl -name '*.v' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-64");
    assert_eq!(expected.len(), 64, "sha256sum printed {expected:?}");
    assert_eq!(gateware, expected, "gateware hash of the build vs rtl/ now");
}

/// `-V` (and the man pages, which take the short version) stay one line.
#[test]
fn short_version_is_one_line() {
    assert_eq!(speckle("-V"), format!("speckle {}\n", env!("CARGO_PKG_VERSION")));
}
