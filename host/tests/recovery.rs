//! Recovery end to end (docs/host.md, "Recovery") with the simulated board: each test runs the
//! daemon for a fixed, short time with a small backoff and reads what it logged.

mod common;

use parquet::record::Field;
use std::process::Command;
use std::time::Instant;

/// Runs `speckle run` on `source` for `secs` seconds with the recovery flags; returns (stderr,
/// bytes written, each telemetry row's recovery state). The order of the logged lines is what the
/// tests check.
fn run(source: &str, secs: &str, backoff: &str, cap: &str) -> (String, usize, Vec<String>) {
    let (err, n, rows) = run_rows(source, secs, backoff, cap);
    (err, n, rows.into_iter().map(|(state, _)| state).collect())
}

/// As `run`, with each row's (recovery state, bytes out so far).
fn run_rows(
    source: &str,
    secs: &str,
    backoff: &str,
    cap: &str,
) -> (String, usize, Vec<(String, u64)>) {
    let dir = common::tmpdir(&format!("recovery-{}", source.replace(':', "-")));
    let (out, tele) = (dir.join("out.bin"), dir.join("tele"));
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", source, "--duration", secs])
        .args(["--recovery-backoff", backoff, "--recovery-cap", cap])
        .args(["--output", &format!("file:{}", out.display())])
        .args(["--telemetry-dir", tele.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr).into_owned();
    assert!(res.status.success(), "{err}");
    let n = std::fs::read(&out).map(|b| b.len()).unwrap_or(0);
    let (_, rows) = common::read_telemetry(&tele);
    let states = rows
        .iter()
        .map(|r| match (&r["recovery"], &r["bytes_out"]) {
            (Field::Str(s), Field::Long(b)) => (s.clone(), *b as u64),
            other => panic!("recovery, bytes_out columns: {other:?}"),
        })
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    (err, n, states)
}

/// `sim:stuck` fails its startup test every time: with a 0.2 s backoff and a cap of 3 the host
/// tries three recoveries, waiting 0.2, 0.4 and 0.8 s, and then leaves the source failed and says
/// the cap is why; no byte ever passes.
#[test]
fn stuck_retries_with_growing_backoff_up_to_the_cap_then_stays_failed() {
    let _serial = common::one_at_a_time();
    let t = Instant::now();
    let (err, bytes, states) = run("sim:stuck", "8", "0.2,10", "3");
    assert!(states.iter().any(|s| s == "recovering"), "{states:?}");
    assert_eq!(states.last().map(String::as_str), Some("failed-held"), "{states:?}");
    assert_eq!(bytes, 0, "{err}");
    let waits: Vec<&str> = err.lines().filter_map(|l| l.split("recovering in ").nth(1)).collect();
    assert_eq!(waits, ["0.200 s", "0.400 s", "0.800 s"], "{err}");
    assert_eq!(err.matches("CLEAR_ALARMS sent").count(), 3, "{err}");
    let cap = err.find("recovery cap of 3 per hour reached, source left failed").expect(&err);
    assert!(cap > err.rfind("CLEAR_ALARMS sent").unwrap(), "no recovery after the cap:\n{err}");
    assert!(!err.contains("recovered:"), "{err}");
    assert!(t.elapsed().as_secs() < 30);
}

/// `sim:saturation` trips the over-power interlock: whatever the host recovered before the trip,
/// once STATUS shows the interlock the source stays failed (no CLEAR_ALARMS after it) until the
/// operator clears it or the daemon restarts.
#[test]
fn saturation_interlock_stays_failed_until_the_operator_clears_it() {
    let _serial = common::one_at_a_time();
    let (err, _, states) = run("sim:saturation", "12", "0.2,0.4", "100");
    assert_eq!(states.last().map(String::as_str), Some("failed-held"), "{states:?}");
    let held = err
        .find("over-power interlock, never cleared automatically; `speckle ctl clear SOURCE` or a restart clears it")
        .expect(&err);
    assert!(!err[held..].contains("CLEAR_ALARMS sent"), "cleared automatically:\n{err}");
    assert!(!err[held..].contains("recovered:"), "{err}");
}

/// `sim:link_flap/1048576` darkens the fibre for 2 ms every 2^20 samples (a few seconds here):
/// each flap fails the source (LOS), the host recovers it after the backoff, and output resumes
/// before the next flap. Read from the telemetry rows: every failed spell that the run outlives is
/// followed by a healthy spell during which `bytes_out` grows (the spell the run ends in excepted).
#[test]
fn link_flap_resumes_output_after_each_flap() {
    let _serial = common::one_at_a_time();
    let (err, bytes, rows) = run_rows("sim:link_flap/1048576", "40", "0.2,0.4", "100");
    // Spells of equal health: (healthy?, bytes_out at its first row, at its last row).
    let mut spells: Vec<(bool, u64, u64)> = Vec::new();
    for (state, out) in &rows {
        let healthy = state == "healthy";
        match spells.last_mut() {
            Some(s) if s.0 == healthy => s.2 = *out,
            _ => spells.push((healthy, *out, *out)),
        }
    }
    let flaps = spells.iter().filter(|s| !s.0).count();
    assert!(flaps >= 3, "{flaps} failed spells in {spells:?}:\n{err}");
    let los = err.lines().filter(|l| l.contains("/1048576: board alarm") && l.contains("LOS"));
    assert!(los.count() >= flaps, "{err}");
    // The run may stop in the last spell's first rows, before the startup test and a 7-digest
    // frame are through; every healthy spell before it must have resumed output.
    let outlived = &spells[..spells.len() - 1];
    let mut resumed_spells = 0;
    for pair in outlived.windows(2).filter(|w| !w[0].0) {
        let resumed = pair[1];
        assert!(resumed.2 > resumed.1, "no output after a flap: {spells:?}\n{err}");
        resumed_spells += 1;
    }
    assert!(resumed_spells >= 2, "only {resumed_spells} recoveries checked: {spells:?}\n{err}");
    assert!(err.matches("recovered: startup test passed again").count() >= flaps - 1, "{err}");
    assert_eq!(bytes as u64, rows.last().unwrap().1, "{err}");
}

/// `speckle ctl clear SOURCE` over the status socket lifts a held interlock: the daemon sends
/// CLEAR_ALARMS at once; the simulated board is still over-powered, so the source is held again
/// with the interlock message. An unknown source is refused with the list of sources.
#[test]
fn ctl_clear_over_the_status_socket_retries_a_held_interlock() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let _serial = common::one_at_a_time();
    let dir = common::tmpdir("recovery-ctl");
    let sock = dir.join("status.sock");
    let mut child = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:saturation", "--duration", "40"])
        .args(["--recovery-backoff", "0.2,0.4", "--recovery-cap", "100"])
        .args(["--output", &format!("file:{}", dir.join("out.bin").display())])
        .args(["--status-socket", sock.to_str().unwrap()])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let mut log = String::new();
    let mut wait_for = |what: &str| {
        let end = Instant::now() + std::time::Duration::from_secs(30);
        while Instant::now() < end {
            if let Ok(l) = rx.recv_timeout(std::time::Duration::from_millis(100)) {
                log += &l;
                log.push('\n');
                if l.contains(what) {
                    return;
                }
            }
        }
        panic!("no `{what}` in:\n{log}");
    };
    let ctl = |source: &str| {
        Command::new(env!("CARGO_BIN_EXE_speckle"))
            .args(["ctl", "clear", source, "--status-socket", sock.to_str().unwrap()])
            .output()
            .unwrap()
    };
    wait_for("over-power interlock, never cleared automatically");
    let bad = ctl("sim:nothing");
    assert!(!bad.status.success());
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(e.contains("no source `sim:nothing`; sources are sim:saturation"), "{e}");
    let ok = ctl("sim:saturation");
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success() && out.contains("clear requested for sim:saturation"), "{out}");
    wait_for("sim:saturation: cleared by the operator");
    wait_for("CLEAR_ALARMS sent");
    wait_for("over-power interlock, never cleared automatically");
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
    std::fs::remove_dir_all(&dir).unwrap();
}
