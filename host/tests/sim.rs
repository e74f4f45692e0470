//! End to end with the simulated board (crate speckle-sim) on its pseudo-terminal.

mod common;

use common::read_telemetry;
use parquet::record::Field;
use std::process::Command;


#[test]
fn optimal_board_delivers_bytes_to_file_and_kernel() {
    let dir = common::tmpdir("sim-optimal");
    let out = dir.join("out.bin");
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_speckle"));
    cmd.args(["run", "--source", "sim:optimal", "--bytes", "256", "--duration", "60"])
        .args(["--output", &format!("file:{}", out.display())]);
    if root {
        cmd.args(["--output", "kernel", "--entropy-per-byte", "1"]);
    } else {
        eprintln!("kernel sink skipped: RNDADDENTROPY needs CAP_SYS_ADMIN and this test is not root");
    }
    let res = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(bytes.len(), 256, "{err}");
    // 256 conditioned bytes from a healthy source: not constant, roughly balanced.
    let ones: u32 = bytes.iter().map(|b| b.count_ones()).sum();
    assert!((900..1150).contains(&ones), "{ones} one-bits of 2048");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The simulated `stuck` board runs healthy for `ONSET_SAMPLES` samples before the fault (so the
/// scenario shows output stopping, not output never starting). What must hold: no byte derived from
/// a sample at or after the onset reaches a sink. Von Neumann yields at most one bit per two samples,
/// so the pre-onset samples can make at most ONSET / (2 · fold_k · n_in) blocks; every sink gets the
/// same bytes, within that bound, and nothing after the alarm.
#[test]
fn stuck_board_stops_at_the_alarm_and_telemetry_shows_it() {
    let dir = common::tmpdir("sim-stuck");
    let (out, tele) = (dir.join("out.bin"), dir.join("tele"));
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:stuck", "--duration", "8"])
        .args(["--output", "stdout", "--output", &format!("file:{}", out.display())])
        .args(["--telemetry-dir", tele.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    let p = speckle_model::params::CoreParams::ice40();
    let pre_onset_blocks = speckle_sim::scenario::ONSET_SAMPLES / (2 * p.fold_k as u64 * p.n_in as u64);
    let file = std::fs::read(&out).unwrap();
    assert_eq!(res.stdout, file, "every sink gets the same bytes");
    assert!(file.len() as u64 <= 32 * pre_onset_blocks, "{} bytes: more than the {pre_onset_blocks} pre-onset blocks", file.len());
    let (_, rows) = read_telemetry(&tele);
    let first_alarm = rows
        .iter()
        .position(|r| matches!(r["board_alarms"], Field::Int(a) if a & 1 != 0))
        .unwrap_or_else(|| panic!("no row shows the RCT alarm: {err}"));
    for r in &rows[first_alarm..] {
        assert_eq!(r["healthy"], Field::Bool(false));
        assert_eq!(r["bytes_out"], Field::Long(file.len() as i64), "bytes released after the alarm");
    }
    assert!(rows.len() - first_alarm >= 5, "the alarm persists in later rows");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_scenario_is_one_clear_line() {
    let res = Command::new(env!("CARGO_BIN_EXE_speckle")).args(["run", "--source", "sim:sunny"]).output().unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(!res.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("unknown scenario `sunny`") && err.contains("optimal") && err.contains("stuck"), "{err}");
}

/// Two boards: the stuck one is isolated by its alarm while the healthy one keeps the output going
/// (`--mix xor` XORs only currently healthy sources).
#[test]
fn a_failing_source_is_isolated_while_the_other_goes_on() {
    let dir = common::tmpdir("sim-two");
    let tele = dir.join("tele");
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal,sim:stuck", "--mix", "xor", "--bytes", "512", "--duration", "60"])
        .args(["--output", "stdout", "--telemetry-dir", tele.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    assert_eq!(res.stdout.len(), 512, "{err}");
    let (_, rows) = read_telemetry(&tele);
    let stuck: Vec<_> = rows.iter().filter(|r| r["source"] == Field::Str("sim:stuck".into())).collect();
    assert!(stuck.iter().any(|r| r["healthy"] == Field::Bool(false) && matches!(r["board_alarms"], Field::Int(a) if a != 0)), "{err}");
    let last_ok = rows.iter().rev().find(|r| r["source"] == Field::Str("sim:optimal".into())).unwrap();
    assert_eq!(last_ok["healthy"], Field::Bool(true));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Raw mode against the simulated board: SET_MODE raw is obeyed and the host's own tests and
/// conditioner produce output.
#[test]
fn raw_mode_with_the_simulated_board_conditions_on_the_host() {
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal", "--mode", "raw", "--conditioner", "blake3", "--whiten", "auto"])
        .args(["--bytes", "96", "--duration", "60", "--output", "stdout"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    assert_eq!(res.stdout.len(), 96, "{err}");
    assert!(err.contains("conditioning on the CPU"), "{err}");
}
