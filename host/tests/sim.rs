//! End to end with the simulated board (crate speckle-sim) on its pseudo-terminal.

mod common;

use common::read_telemetry;
use parquet::record::Field;
use std::process::Command;

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("speckle-sim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn optimal_board_delivers_bytes_to_file_and_kernel() {
    let dir = tmpdir("optimal");
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

#[test]
fn stuck_board_delivers_nothing_and_telemetry_shows_the_alarm() {
    let dir = tmpdir("stuck");
    let (out, tele) = (dir.join("out.bin"), dir.join("tele"));
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:stuck", "--duration", "8"])
        .args(["--output", "stdout", "--output", &format!("file:{}", out.display())])
        .args(["--telemetry-dir", tele.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    assert!(res.stdout.is_empty(), "{} bytes reached stdout", res.stdout.len());
    assert_eq!(std::fs::read(&out).unwrap().len(), 0);
    let (_, rows) = read_telemetry(&tele);
    let alarmed = rows.iter().filter(|r| matches!(r["board_alarms"], Field::Int(a) if a != 0)).count();
    assert!(alarmed > 0, "no row shows the alarm: {err}");
    assert!(rows.iter().all(|r| r["bytes_out"] == Field::Long(0)));
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
