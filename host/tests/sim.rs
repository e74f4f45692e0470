//! End to end with the simulated board (crate speckle-sim) on its pseudo-terminal.

mod common;

use common::read_telemetry;
use parquet::record::Field;
use std::process::Command;

/// The simulated board attests the ice40 profile and delivers to a file sink (never to the kernel:
/// provenance.rs refuses that, `cli.rs::sources_that_cannot_be_entropy_are_refused_for_the_kernel_sink`),
/// and its bytes are marked as simulated in the last line and in every telemetry row.
#[test]
fn optimal_board_attests_ice40_and_delivers_bytes_marked_simulated() {
    let dir = common::tmpdir("sim-optimal");
    let (out, tele) = (dir.join("out.bin"), dir.join("tele"));
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal", "--profile", "ice40", "--bytes", "256"])
        .args(["--duration", "60", "--output", &format!("file:{}", out.display())])
        .args(["--telemetry-dir", tele.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    let p = speckle_model::params::CoreParams::ice40();
    let attested = format!(
        "sim:optimal: board attests H = {:.3}, α = 2^-{}, W = {}, n_in = {}",
        p.h_claim, p.alpha_log2, p.window, p.n_in
    );
    assert!(err.contains(&attested), "want `{attested}` in:\n{err}");
    assert!(
        err.contains("wrote 256 bytes") && err.contains("(not entropy: sim:optimal is simulated)"),
        "{err}"
    );
    let (_, rows) = read_telemetry(&tele);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["provenance"] == Field::Str("simulated".into())));
    // With Verilator installed the board must run the generated RTL, not the stand-ins.
    let verilator =
        Command::new("verilator").arg("--version").output().is_ok_and(|o| o.status.success());
    let want = if verilator {
        "(verilator core, verilator SFP front end)"
    } else {
        "(model core, model SFP front end)"
    };
    assert!(err.contains(want), "expected {want}: {err}");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(bytes.len(), 256, "{err}");
    // 256 conditioned bytes from a healthy source: not constant, roughly balanced.
    let ones: u32 = bytes.iter().map(|b| b.count_ones()).sum();
    assert!((900..1150).contains(&ones), "{ones} one-bits of 2048");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A `sim:stuck` source is stuck from power-on (host/src/source/sim.rs, `STUCK_DEFAULT_ONSET`): the
/// board's startup test fails, so exactly zero bytes may reach any sink — stdout, a file and a FIFO
/// (the kernel pool never takes simulated bytes at all) — while the alarm shows in the parquet rows
/// and on the status socket.
#[test]
fn stuck_board_delivers_zero_bytes_to_every_sink_and_telemetry_shows_the_alarm() {
    use std::io::{BufRead, BufReader, Read};
    use std::os::unix::fs::OpenOptionsExt;
    let dir = common::tmpdir("sim-stuck");
    let (out, fifo, sock, tele) =
        (dir.join("out.bin"), dir.join("rng.fifo"), dir.join("status.sock"), dir.join("tele"));
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // Held open read-write so whatever the daemon writes stays in the pipe until read here.
    let mut fifo_reader = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_speckle"));
    cmd.args(["run", "--source", "sim:stuck", "--duration", "4"])
        .args([
            "--output",
            "stdout",
            "--output",
            &format!("file:{}", out.display()),
            "--output",
            &format!("fifo:{}", fifo.display()),
        ])
        .args([
            "--telemetry-dir",
            tele.to_str().unwrap(),
            "--status-socket",
            sock.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let t0 = std::time::Instant::now();
    while !sock.exists() && t0.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let client = std::os::unix::net::UnixStream::connect(&sock).expect("status socket");
    client.set_read_timeout(Some(std::time::Duration::from_secs(8))).unwrap();
    let lines: Vec<String> = BufReader::new(client).lines().map_while(Result::ok).collect();
    let res = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");

    assert!(res.stdout.is_empty(), "{} bytes on stdout", res.stdout.len());
    assert_eq!(std::fs::read(&out).unwrap().len(), 0, "bytes in the file sink");
    let mut buf = [0u8; 64];
    let fifo_read = fifo_reader.read(&mut buf);
    assert!(
        matches!(&fifo_read, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "FIFO sink got data: {fifo_read:?}"
    );
    assert!(err.contains("wrote 0 bytes"), "{err}");

    let (_, rows) = read_telemetry(&tele);
    assert!(rows.len() >= 5, "{} rows: {err}", rows.len());
    for r in &rows {
        assert_eq!(r["bytes_out"], Field::Long(0), "a row shows released bytes");
        assert_eq!(r["healthy"], Field::Bool(false), "a stuck board is never healthy");
    }
    let alarmed =
        rows.iter().filter(|r| matches!(r["board_alarms"], Field::Int(a) if a & 1 != 0)).count();
    assert!(alarmed >= 5, "only {alarmed} rows show the RCT alarm: {err}");

    let json: Vec<serde_json::Value> =
        lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(json.len() >= 5, "{} status-socket lines", json.len());
    assert!(json.iter().all(|v| v["bytes_out"] == 0 && v["healthy"] == false), "{lines:?}");
    assert!(
        json.iter().any(|v| v["board_alarms"].as_u64().unwrap() & 1 != 0
            && v["reason"].as_str().unwrap().contains("RCT")),
        "{lines:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_scenario_is_one_clear_line() {
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:sunny"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(!res.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("unknown scenario `sunny`")
            && err.contains("optimal")
            && err.contains("stuck"),
        "{err}"
    );
}

/// Two boards: the stuck one is isolated by its alarm while the healthy one keeps the output going
/// (`--mix xor` XORs only currently healthy sources).
#[test]
fn a_failing_source_is_isolated_while_the_other_goes_on() {
    let dir = common::tmpdir("sim-two");
    let tele = dir.join("tele");
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args([
            "run",
            "--source",
            "sim:optimal,sim:stuck",
            "--mix",
            "xor",
            "--bytes",
            "512",
            "--duration",
            "60",
        ])
        .args(["--output", "stdout", "--telemetry-dir", tele.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    assert_eq!(res.stdout.len(), 512, "{err}");
    let (_, rows) = read_telemetry(&tele);
    let stuck: Vec<_> =
        rows.iter().filter(|r| r["source"] == Field::Str("sim:stuck".into())).collect();
    assert!(
        stuck.iter().any(|r| r["healthy"] == Field::Bool(false)
            && matches!(r["board_alarms"], Field::Int(a) if a != 0)),
        "{err}"
    );
    let last_ok =
        rows.iter().rev().find(|r| r["source"] == Field::Str("sim:optimal".into())).unwrap();
    assert_eq!(last_ok["healthy"], Field::Bool(true));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Raw mode against the simulated board: SET_MODE raw is obeyed and the host's own tests and
/// conditioner produce output.
#[test]
fn raw_mode_with_the_simulated_board_conditions_on_the_host() {
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args([
            "run",
            "--source",
            "sim:optimal",
            "--mode",
            "raw",
            "--conditioner",
            "blake3",
            "--whiten",
            "auto",
        ])
        .args(["--bytes", "96", "--duration", "60", "--output", "stdout"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    assert_eq!(res.stdout.len(), 96, "{err}");
    assert!(err.contains("conditioning on the CPU"), "{err}");
}

/// Raw mode with `--whiten gpu` against two simulated boards: one gpu-offload backend is opened
/// (one notice) and shared by both sources' whiteners, and batches flushed at STATUS boundaries
/// keep the output flowing.
#[test]
fn raw_mode_with_whiten_gpu_shares_one_backend_between_sources() {
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal,sim:optimal", "--mode", "raw", "--whiten", "gpu"])
        .args(["--bytes", "128", "--duration", "60", "--output", "stdout"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    assert_eq!(res.stdout.len(), 128, "{err}");
    assert_eq!(err.matches("speckle gpu-offload: whiten:").count(), 1, "{err}");
    assert!(!err.contains("not wired"), "{err}");
}

/// The simulated board is an ice40 board; an operator who expects another profile (here a profile
/// file with W = 512) sees it failed on its first STATUS, with the field and both values named,
/// before one byte reaches the sink, and the run exits non-zero.
#[test]
fn a_simulated_board_of_another_profile_is_failed_before_any_byte_passes() {
    let dir = common::tmpdir("sim-profile");
    let (out, profile) = (dir.join("out.bin"), dir.join("w512.toml"));
    let p = speckle_model::params::CoreParams::ice40();
    std::fs::write(
        &profile,
        format!(
            "h_claim = {}\nalpha_log2 = {}\nwindow = {}\nn_in = {}\nfold_k = {}\noversample = {}\nvn_enable = {}\n",
            p.h_claim,
            p.alpha_log2,
            p.window / 2,
            p.n_in,
            p.fold_k,
            p.oversample,
            p.vn_enable
        ),
    )
    .unwrap();
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal", "--profile", profile.to_str().unwrap()])
        .args(["--duration", "60", "--output", &format!("file:{}", out.display())])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(!res.status.success(), "{err}");
    let want = format!(
        "sim:optimal: board attestation failed: window: expected {} (profile file {}), received {}",
        p.window / 2,
        profile.display(),
        p.window
    );
    assert!(err.contains(&want), "want `{want}` in:\n{err}");
    assert!(err.contains("wrote 0 bytes"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap().len(), 0, "bytes reached the file sink");
    std::fs::remove_dir_all(&dir).unwrap();
}
