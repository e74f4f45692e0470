//! End to end through a pseudo-terminal: the `speckle` binary reads a board double as a serial port.

mod common;

use common::{read_telemetry, PtyBoard};
use parquet::record::Field;
use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn long(f: &Field) -> i64 {
    match f {
        Field::Long(x) => *x,
        Field::Int(x) => *x as i64,
        Field::TimestampMillis(x) => *x,
        other => panic!("not an integer: {other:?}"),
    }
}

#[test]
fn healthy_board_reaches_the_sinks_telemetry_and_status_socket() {
    let _serial = common::one_at_a_time();
    let board = PtyBoard::start(0);
    let source = format!("serial:{}@1000000", board.path);
    let dir = common::tmpdir("pty-healthy");
    let (out, fifo, sock, tele) =
        (dir.join("out.bin"), dir.join("rng.fifo"), dir.join("status.sock"), dir.join("tele"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", &source, "--duration", "2.5"])
        .args([
            "--output",
            &format!("file:{}", out.display()),
            "--output",
            &format!("fifo:{}", fifo.display()),
        ])
        .args([
            "--status-socket",
            sock.to_str().unwrap(),
            "--telemetry-dir",
            tele.to_str().unwrap(),
            "--telemetry-rotate",
            "1",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !sock.exists() && t0.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let line = {
        let client = UnixStream::connect(&sock).expect("status socket");
        client.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut line = String::new();
        BufReader::new(client).read_line(&mut line).unwrap();
        line
    };
    let status = child.wait().unwrap();
    board.stop();
    assert!(status.success());
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["source"].as_str().unwrap(), source);
    assert!(v["frames_ok"].as_u64().unwrap() > 0);

    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.len() >= 32 * 8 * 10, "only {} bytes in 2.5 s", bytes.len());
    assert_eq!(bytes.len() % 32, 0);
    for blk in bytes.chunks(32) {
        assert!(
            blk.iter().all(|&x| x == blk[0] && (1..0xF0).contains(&x)),
            "a byte the board never sent: {blk:?}"
        );
    }

    let (files, rows) = read_telemetry(&tele);
    assert!(files >= 2, "rotation every second over 2.5 s made {files} file(s)");
    assert!(rows.len() >= 20, "{} rows", rows.len());
    let last = rows.last().unwrap();
    assert_eq!(last["healthy"], Field::Bool(true));
    assert_eq!(long(&last["board_alarms"]), 0);
    assert_eq!(long(&last["bad_crc"]), 0);
    assert!(long(&last["bytes_out"]) as usize <= bytes.len() && long(&last["bytes_out"]) > 0);
    assert!(long(&last["time_ms"]) > 1_700_000_000_000);
    let c = speckle_model::params::CoreParams::ice40().cutoffs();
    assert_eq!(
        (long(&last["rct_cutoff"]), long(&last["apt_cutoff"])),
        (c.rct as i64, c.apt as i64),
        "the board's cutoffs travel in the row"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn alarmed_board_delivers_nothing_and_telemetry_shows_the_alarm() {
    let _serial = common::one_at_a_time();
    let board = PtyBoard::start(1); // RCT alarm latched in every STATUS
    let dir = common::tmpdir("pty-alarm");
    let (out, tele) = (dir.join("out.bin"), dir.join("tele"));
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", &format!("serial:{}", board.path), "--duration", "1.5"])
        .args(["--output", "stdout", "--output", &format!("file:{}", out.display())])
        .args(["--telemetry-dir", tele.to_str().unwrap()])
        .output()
        .unwrap();
    board.stop();
    assert!(res.status.success(), "speckle run failed: {}", String::from_utf8_lossy(&res.stderr));
    assert!(res.stdout.is_empty(), "{} bytes on stdout", res.stdout.len());
    assert_eq!(std::fs::read(&out).unwrap().len(), 0);
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(err.contains("board alarm RCT"), "{err}");
    let (_, rows) = read_telemetry(&tele);
    assert!(rows.len() >= 10);
    assert!(rows.iter().all(|r| r["healthy"] == Field::Bool(false) && long(&r["bytes_out"]) == 0));
    assert!(rows.iter().filter(|r| long(&r["board_alarms"]) == 1).count() >= 10);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn telemetry_files_stay_valid_after_sigkill() {
    let _serial = common::one_at_a_time();
    let board = PtyBoard::start(0);
    let dir = common::tmpdir("pty-kill");
    let tele = dir.join("tele");
    let mut child = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args([
            "run",
            "--source",
            &format!("serial:{}", board.path),
            "--output",
            &format!("file:{}", dir.join("o").display()),
        ])
        .args(["--telemetry-dir", tele.to_str().unwrap(), "--telemetry-rotate", "0.3"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1800));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    board.stop();
    let (files, rows) = read_telemetry(&tele);
    assert!(files >= 3, "{files} finished files");
    assert!(rows.len() >= 15, "{} rows", rows.len());
    let tmp = std::fs::read_dir(&tele)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert!(tmp <= 1, "at most the file in progress is unfinished");
    // The next run cleans the unfinished file up.
    let status = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args([
            "run",
            "--source",
            "file:/dev/null",
            "--output",
            &format!("file:{}", dir.join("o").display()),
        ])
        .args(["--telemetry-dir", tele.to_str().unwrap()])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let tmp = std::fs::read_dir(&tele)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(tmp, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A USB UART that disappears and comes back (here: a symlink repointed at a new pty) is reopened
/// with backoff; the first board's unconfirmed blocks are dropped, the second board's flow.
#[test]
fn a_vanished_serial_device_is_reopened() {
    let _serial = common::one_at_a_time();
    let dir = common::tmpdir("pty-reconnect");
    let link = dir.join("ttyBOARD");
    let first = PtyBoard::start(0);
    std::os::unix::fs::symlink(&first.path, &link).unwrap();
    let out = dir.join("out.bin");
    let child = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", &format!("serial:{}", link.display()), "--duration", "5"])
        .args(["--output", &format!("file:{}", out.display())])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    first.stop();
    std::fs::remove_file(&link).unwrap();
    let before = std::fs::read(&out).unwrap().len();
    std::thread::sleep(Duration::from_millis(500));
    let second = PtyBoard::start(0);
    std::os::unix::fs::symlink(&second.path, &link).unwrap();
    let res = child.wait_with_output().unwrap();
    second.stop();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    assert!(err.contains("link lost") && err.contains("reconnected"), "{err}");
    let after = std::fs::read(&out).unwrap().len();
    assert!(before > 0 && after > before + 32 * 8 * 5, "before {before}, after {after}");
    std::fs::remove_dir_all(&dir).unwrap();
}
