//! Logging to journald with fields (docs/host.md, "Operating"), against a real systemd-journald:
//! the test starts a private one in a mount namespace of its own (tmpfs over /run/systemd and
//! /run/log, so the machine's journal, if any, is never touched), runs the daemon into it and reads
//! it back with `journalctl`, filtering on the fields an operator would use.

use std::process::Command;

const NO_SKIP_ENV: &str = "SPECKLE_NO_SKIP";

/// Runs inside `unshare --mount`: a journald on fresh tmpfs directories, two daemons (one told
/// `--log journald`, one finding `JOURNAL_STREAM` as under systemd), then the journal as JSON.
const SCRIPT: &str = r#"
set -eu
mount --make-rprivate /
mount -t tmpfs tmpfs /run/systemd 2>/dev/null || { mkdir -p /run/systemd; mount -t tmpfs tmpfs /run/systemd; }
mkdir -p /run/log
mount -t tmpfs tmpfs /run/log
mkdir -p /run/systemd/journal
/lib/systemd/systemd-journald &
jd=$!
for i in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
"$SPECKLE" run --source sim:stuck --source sim:optimal --duration 6 --recovery-backoff 0.3,1 \
    --output "file:$OUT/a.bin" --log journald 2> "$OUT/a.err"
JOURNAL_STREAM=8:1 "$SPECKLE" run --source sim:dark --duration 3 --output "file:$OUT/b.bin" 2> "$OUT/b.err"
journalctl --sync 2>/dev/null || sleep 1
journalctl -D /run/log/journal -o json SPECKLE_SOURCE=sim:stuck > "$OUT/stuck.json"
journalctl -D /run/log/journal -o json SPECKLE_SOURCE=sim:optimal > "$OUT/optimal.json"
journalctl -D /run/log/journal -o json SPECKLE_SOURCE=sim:dark > "$OUT/dark.json"
journalctl -D /run/log/journal -o json SYSLOG_IDENTIFIER=speckle > "$OUT/all.json"
kill $jd
"#;

fn entries(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn field<'a>(e: &'a serde_json::Value, k: &str) -> &'a str {
    e[k].as_str().unwrap_or("")
}

#[test]
fn journald_gets_every_line_with_source_state_and_alarm_fields() {
    let unshare_ok =
        Command::new("unshare").args(["--mount", "true"]).status().is_ok_and(|s| s.success());
    if !unshare_ok || !std::path::Path::new("/lib/systemd/systemd-journald").exists() {
        let why = "needs root (unshare --mount) and systemd-journald (Debian package systemd)";
        assert!(std::env::var_os(NO_SKIP_ENV).is_none(), "{why}");
        eprintln!("SKIPPED journald test: {why}");
        return;
    }
    let out = std::env::temp_dir().join(format!("speckle-journald-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let res = Command::new("unshare")
        .args(["--mount", "sh", "-c", SCRIPT])
        .env("SPECKLE", env!("CARGO_BIN_EXE_speckle"))
        .env("OUT", &out)
        .output()
        .unwrap();
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_default();
    assert!(
        res.status.success(),
        "{}\n{}\na.err: {}",
        String::from_utf8_lossy(&res.stderr),
        String::from_utf8_lossy(&res.stdout),
        read("a.err")
    );
    // Everything went to the journal: nothing on stderr but what precedes the logger.
    assert_eq!(read("a.err"), "", "--log journald still wrote to stderr");
    assert_eq!(read("b.err"), "", "JOURNAL_STREAM did not select journald");

    let stuck = entries(&out.join("stuck.json"));
    assert!(!stuck.is_empty());
    for e in &stuck {
        assert_eq!(field(e, "SPECKLE_SOURCE"), "sim:stuck");
        assert_eq!(field(e, "SYSLOG_IDENTIFIER"), "speckle");
        assert!(field(e, "MESSAGE").starts_with("sim:stuck: "), "{e}");
    }
    let failed: Vec<_> = stuck.iter().filter(|e| field(e, "SPECKLE_STATE") == "failed").collect();
    assert!(!failed.is_empty(), "no entry with SPECKLE_STATE=failed: {stuck:?}");
    for e in &failed {
        assert!(field(e, "SPECKLE_ALARM").contains("RCT"), "{e}");
        assert!(field(e, "MESSAGE").contains("recovering in"), "{e}");
        assert_eq!(field(e, "PRIORITY"), "4", "a failure is a warning: {e}");
    }
    assert!(stuck.iter().any(|e| field(e, "SPECKLE_STATE") == "recovering"), "{stuck:?}");

    let optimal = entries(&out.join("optimal.json"));
    assert!(optimal.iter().any(|e| field(e, "MESSAGE").contains("board attests")), "{optimal:?}");
    assert!(optimal.iter().all(|e| field(e, "SPECKLE_STATE") != "failed"), "{optimal:?}");

    let dark = entries(&out.join("dark.json"));
    assert!(dark.iter().any(|e| field(e, "SPECKLE_ALARM").contains("LOS")), "{dark:?}");

    // Lines without a source (the summary, the final count) carry the identifier only.
    let all = entries(&out.join("all.json"));
    assert!(all.iter().any(|e| field(e, "MESSAGE").starts_with("wrote ")), "{all:?}");
    assert!(all.len() > stuck.len() + optimal.len() + dark.len() - 1);
    std::fs::remove_dir_all(&out).unwrap();
}
