//! End to end through a pseudo-terminal: the `speckle` binary reads a board double as a serial port.

mod common;

use common::{read_telemetry, PtyBoard, PtyOptions};
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
    assert_eq!(v["provenance"].as_str().unwrap(), "board", "a serial source can be entropy");
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

/// A SIGKILL leaves finished parquet files, at most one unfinished `.tmp` (a conversion cut short)
/// and the journals; the next run converts them, and `seq` runs on without a gap or a repeat.
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
    let count = |suffix: &str| {
        std::fs::read_dir(&tele)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(suffix))
            .count()
    };
    assert!(count(".tmp") <= 1, "at most the conversion in progress is unfinished");
    let left = count(".journal") + count(".tmp");
    assert!(count(".journal") <= 2, "the journal in progress and one rotated, at most");
    // The next run converts the journals.
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args([
            "run",
            "--source",
            "file:/dev/null",
            "--output",
            &format!("file:{}", dir.join("o").display()),
        ])
        .args(["--telemetry-dir", tele.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    assert_eq!(err.contains("(a previous run was killed)"), left > 0, "{err}");
    assert_eq!((count(".tmp"), count(".journal")), (0, 0));
    let (_, after) = read_telemetry(&tele);
    assert!(
        after.len() >= rows.len(),
        "{} rows after recovery, {} before",
        after.len(),
        rows.len()
    );
    let mut seqs: Vec<i64> = after.iter().map(|r| long(&r["seq"])).collect();
    seqs.sort();
    assert_eq!(seqs, (1..=after.len() as i64).collect::<Vec<_>>());
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

/// Whether this process may credit entropy: CAP_SYS_ADMIN in its effective set.
fn has_cap_sys_admin() -> bool {
    /// linux/capability.h (the libc crate does not export capability numbers).
    const CAP_SYS_ADMIN: u32 = 21;
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let eff = status.lines().find_map(|l| l.strip_prefix("CapEff:")).unwrap().trim();
    u64::from_str_radix(eff, 16).unwrap() & (1 << CAP_SYS_ADMIN) != 0
}

/// The kernel sink end to end on bytes that can be entropy: a board on a pty (a `serial:` source)
/// whose block payloads come from the OS RNG. With the privilege (root, as CI runs) every
/// RNDADDENTROPY must really be accepted, and the daemon's tally must be exactly what was asked;
/// without it the same command must be refused at start, naming CAP_SYS_ADMIN, before any sink is
/// written. Either way the test asserts; it never skips.
#[test]
fn the_kernel_sink_credits_os_rng_bytes_from_a_board_or_is_refused_without_the_capability() {
    let _serial = common::one_at_a_time();
    let board = PtyBoard::start_with(PtyOptions { os_random: true, ..Default::default() });
    let dir = common::tmpdir("pty-kernel");
    let out = dir.join("out.bin");
    let avail = || std::fs::read_to_string("/proc/sys/kernel/random/entropy_avail").unwrap();
    let before = avail();
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", &format!("serial:{}", board.path), "--output", "kernel"])
        .args(["--output", &format!("file:{}", out.display())])
        .args(["--entropy-per-byte", "1", "--bytes", "1024", "--duration", "30"])
        .output()
        .unwrap();
    let sent = board.stop();
    let err = String::from_utf8_lossy(&res.stderr);
    let root = unsafe { libc::geteuid() } == 0;
    if root || has_cap_sys_admin() {
        assert!(
            has_cap_sys_admin(),
            "running as root without CAP_SYS_ADMIN (a container without it?): the kernel path cannot be proven here"
        );
        assert!(res.status.success(), "{err}");
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(bytes.len(), 1024, "{err}");
        // What went to the kernel went to the file too: each block one the board drew from getrandom.
        for blk in bytes.chunks(32) {
            assert!(sent.iter().any(|s| s[..] == *blk), "a block the board never sent: {blk:?}");
        }
        // 1 bit per byte, every call accepted (a refused call ends the run with "output failed").
        assert!(
            err.contains("speckle: kernel: 1024 bits of entropy credited for 1024 bytes in "),
            "{err}"
        );
        assert!(err.contains("every one accepted") && !err.contains("output failed"), "{err}");
        // The pool's own counter is capped (256 bits on Linux >= 5.18), so it is shown, not judged.
        eprintln!("entropy_avail before {} after {}", before.trim(), avail().trim());
    } else {
        assert!(!res.status.success(), "crediting without CAP_SYS_ADMIN succeeded: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains("needs CAP_SYS_ADMIN"), "{err}");
        assert!(!out.exists(), "a sink was opened before the refusal");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A board whose STATUS reports an RCT cutoff one above SP 800-90B's for its own claim is failed
/// on its first STATUS: the message names the field and both values, not one byte reaches the
/// sink, the telemetry says why, and the run exits non-zero.
#[test]
fn a_board_with_a_wrong_cutoff_is_failed_before_any_byte_passes() {
    let _serial = common::one_at_a_time();
    let board = PtyBoard::start_with(PtyOptions {
        edit_status: |s| s.rct_cutoff += 1,
        ..Default::default()
    });
    let dir = common::tmpdir("pty-attest");
    let (out, tele) = (dir.join("out.bin"), dir.join("tele"));
    let source = format!("serial:{}@1000000", board.path);
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", &source, "--duration", "10"])
        .args(["--output", &format!("file:{}", out.display())])
        .args(["--telemetry-dir", tele.to_str().unwrap()])
        .output()
        .unwrap();
    board.stop();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(!res.status.success(), "{err}");
    let p = speckle_model::params::CoreParams::ice40();
    let rct = p.cutoffs().rct;
    let want = format!(
        "{source}: board attestation failed: rct_cutoff: expected {rct} (SP 800-90B for the board's own H = {}, α = 2^-{}, W = {}), received {}",
        p.h_claim,
        p.alpha_log2,
        p.window,
        rct + 1
    );
    assert!(err.contains(&want), "want `{want}` in:\n{err}");
    assert!(err.trim_end().lines().last().unwrap().starts_with("speckle: error: "), "{err}");
    assert!(err.contains("wrote 0 bytes"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap().len(), 0, "bytes reached the file sink");
    let (_, rows) = read_telemetry(&tele);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| long(&r["bytes_out"]) == 0 && r["healthy"] == Field::Bool(false)));
    let last = rows.last().unwrap();
    assert!(matches!(&last["reason"], Field::Str(r) if r.contains("rct_cutoff")), "{last:?}");
    assert_eq!(last["provenance"], Field::Str("board".into()));
    std::fs::remove_dir_all(&dir).unwrap();
}
