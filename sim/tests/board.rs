//! The board as the host sees it: determinism, the pty, the command line.

mod common;
use speckle_model::protocol::{AckResult, Command, Decoder, FrameType, Payload};
use speckle_sim::{board_params, Bench, Board, BoardConfig, CoreChoice, Scenario};
use std::io::Write;
use std::time::{Duration, Instant};

fn bytes_of(sc: Scenario, seed: u64, samples: u64) -> Vec<u8> {
    Bench::open(sc, seed, speckle_sim::DEFAULT_BAUD, CoreChoice::Auto).unwrap().run(samples)
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = bytes_of(Scenario::LaserFailure, 42, 100_000);
    let b = bytes_of(Scenario::LaserFailure, 42, 100_000);
    let c = bytes_of(Scenario::LaserFailure, 43, 100_000);
    assert!(a.len() > 500, "the board must be sending, got {} bytes", a.len());
    assert_eq!(a, b);
    assert_ne!(a, c);
}

/// The fault onset is a board setting: with onset 0 a stuck board never sends a CONDITIONED frame
/// (its startup test fails), while the default onset lets healthy blocks out first.
#[test]
fn fault_onset_zero_means_faulty_from_power_on() {
    let conditioned = |onset: Option<u64>| {
        let mut b =
            Bench::open(Scenario::Stuck, 5, speckle_sim::DEFAULT_BAUD, CoreChoice::Model).unwrap();
        if let Some(o) = onset {
            b.timing.onset = o;
        }
        let mut first_alarm = None;
        let mut bytes = Vec::new();
        while b.t < 300_000 {
            bytes.extend(b.run(1000));
            if first_alarm.is_none() && b.core.alarm() {
                first_alarm = Some(b.t);
            }
        }
        let n = Decoder::new()
            .feed(&bytes)
            .iter()
            .filter(|f| f.ftype == FrameType::Conditioned)
            .count();
        (n, first_alarm.expect("the stuck board must alarm"))
    };
    let (n0, alarm0) = conditioned(Some(0));
    assert_eq!(n0, 0, "a board stuck from power-on sent {n0} CONDITIONED frames");
    assert!(alarm0 <= 1000, "alarm at sample {alarm0}");
    let (n_default, alarm_default) = conditioned(None);
    assert!(n_default > 0, "the default onset lets pre-onset blocks out");
    assert!(alarm_default > speckle_sim::scenario::ONSET_SAMPLES);
}

#[test]
fn board_params_refuse_impossible_bauds() {
    assert!(board_params(0).unwrap_err().contains("baud 0"));
    assert!(board_params(50_000_000).is_err());
    let p = board_params(115_200).unwrap();
    assert_eq!(p.clock_hz % 115_200, 0);
}

#[test]
fn pty_carries_paced_frames_and_answers_commands() {
    let board = Board::start(BoardConfig {
        scenario: Scenario::Optimal,
        seed: 7,
        baud: speckle_sim::DEFAULT_BAUD,
        core: CoreChoice::Model,
        realtime: true,
        fault_onset_samples: None,
        flap_every_samples: None,
    })
    .unwrap();
    assert_eq!(board.core_kind(), "model");
    let mut tty = common::open_tty(board.path());
    let mut dec = Decoder::new();
    dec.push(&common::read_for(&mut tty, Duration::from_millis(300)));
    while dec.pop().is_some() {}
    let t = Instant::now();
    let window = common::read_for(&mut tty, Duration::from_millis(700));
    let secs = t.elapsed().as_secs_f64();
    // Paced to the line rate: at most baud/10 bytes per second (plus a pty buffer's worth of slack).
    assert!(
        (window.len() as f64) < (speckle_sim::DEFAULT_BAUD / 10) as f64 * secs + 4096.0,
        "{} bytes in {secs:.2} s",
        window.len()
    );
    let frames = dec.feed(&window);
    assert!(
        frames.iter().any(|f| f.ftype == FrameType::Conditioned),
        "no CONDITIONED frames in {} bytes",
        window.len()
    );
    tty.write_all(&Command::RequestStatus.encode(0x4242)).unwrap();
    let reply = dec.feed(&common::read_for(&mut tty, Duration::from_millis(500)));
    let ack = reply.iter().find_map(|f| match f.payload() {
        Ok(Payload::Ack(a)) => Some(a),
        _ => None,
    });
    let ack = ack.expect("an ACK for REQUEST_STATUS");
    assert_eq!((ack.cmd_type, ack.cmd_seq, ack.result), (0x83, 0x4242, AckResult::Done));
    assert!(reply.iter().any(|f| f.ftype == FrameType::Status));
    assert_eq!(dec.stats().bad_crc, 0);
    let st = board.stop();
    assert!(st.samples > 0 && st.host_bytes == 10, "{st:?}");
}

fn sim_bin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_speckle-sim")).args(args).output().unwrap()
}

#[test]
fn unknown_scenario_is_refused_with_the_valid_names() {
    let out = sim_bin(&["--scenario", "sunshine"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown scenario `sunshine`")
            && err.contains("optimal")
            && err.contains("link_flap"),
        "{err}"
    );
    let out = sim_bin(&["--scenarios", "optimal,nope", "--loop"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("`nope`"));
}

#[test]
fn list_prints_every_scenario_and_a_short_run_prints_the_pty() {
    let out = sim_bin(&["--list"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for sc in speckle_sim::SCENARIOS {
        assert!(text.contains(sc.name()), "{} missing from --list", sc.name());
    }
    let out = sim_bin(&["--scenario", "dark", "--core", "model", "--duration", "0.3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("/dev/"));
}

#[test]
fn scenario_list_switches_and_loops() {
    let out = sim_bin(&[
        "--scenarios",
        "optimal,dark",
        "--loop",
        "--interval",
        "0.2",
        "--duration",
        "0.9",
        "--core",
        "model",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    // optimal at start, dark after 0.2 s, optimal again after 0.4 s (the loop), ...
    assert!(
        err.matches("scenario dark").count() >= 1 && err.matches("scenario optimal").count() >= 2,
        "{err}"
    );
    let out = sim_bin(&["--scenario", "optimal", "--interval", "0"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--interval"));
}
