//! Shared by the scenario tests: run a scenario through the board (Verilated core when available,
//! else CoreModel), ask for STATUS at the onset and at the detection deadline, decode everything.
#![allow(dead_code)] // each test binary uses a different part

use speckle_model::digest_buffer::CAPACITY_BYTES;
use speckle_model::params::CoreParams;
use speckle_model::protocol::{
    Command, Decoder, Frame, FrameType, Payload, SfpDiag, Status, DIGEST_LEN,
};
use speckle_sim::scenario::ONSET_SAMPLES;
use speckle_sim::{Bench, CoreChoice, Detect, Scenario};

pub struct Outcome {
    pub detect: Detect,
    pub within: u64,
    /// STATUS as of shortly before the onset (the fault has not started).
    pub before: Status,
    /// STATUS as of onset + within.
    pub after: Status,
    /// SFP_DIAG that followed `after`.
    pub diag_after: Option<SfpDiag>,
    /// CONDITIONED frames between the two STATUS answers, and after the second.
    pub conditioned_between: usize,
    pub conditioned_after: usize,
    pub decoder: Decoder,
    pub core_kind: &'static str,
    pub front_kind: &'static str,
}

/// Samples a REQUEST_STATUS takes to arrive: 10 bytes of 10 bits at the baud rate.
fn cmd_latency(b: &Bench) -> u64 {
    let p = b.core.params();
    (100 * p.baud_divisor() as u64).div_ceil(p.oversample as u64)
}

pub fn run(sc: Scenario, seed: u64, choice: CoreChoice) -> Outcome {
    let mut b = Bench::open(sc, seed, speckle_sim::DEFAULT_BAUD, choice).unwrap();
    let (core_kind, front_kind) = (b.core.kind(), b.front.kind());
    let (detect, within) = sc.expect(&b.base);
    let lat = cmd_latency(&b);
    // The core holds one pending STATUS, so the first answer must be on the wire before the second
    // request lands: the first arrives `SETTLE` samples before the onset (a STATUS waits at most
    // for one 62-byte frame, about 4k samples), the second exactly at the deadline.
    const SETTLE: u64 = 10_000;
    let mut bytes = b.run(ONSET_SAMPLES - SETTLE - lat);
    b.core.push_host_bytes(&Command::RequestStatus.encode(100));
    bytes.extend(b.run(SETTLE + within));
    b.core.push_host_bytes(&Command::RequestStatus.encode(101));
    bytes.extend(b.run(lat + 20_000));

    let mut decoder = Decoder::new();
    let frames = decoder.feed(&bytes);
    let answer = |seq: u16| -> usize {
        let ack = frames
            .iter()
            .position(|f| f.ftype == FrameType::Ack && f.payload[1..3] == seq.to_le_bytes())
            .unwrap_or_else(|| panic!("{}: no ACK for REQUEST_STATUS {seq}", sc.name()));
        ack + frames[ack..]
            .iter()
            .position(|f| f.ftype == FrameType::Status)
            .expect("STATUS after the ACK")
    };
    let (i0, i1) = (answer(100), answer(101));
    let status = |f: &Frame| match f.payload() {
        Ok(Payload::Status(s)) => s,
        other => panic!("bad STATUS: {other:?}"),
    };
    let diag_after = frames.get(i1 + 1).and_then(|f| match f.payload() {
        Ok(Payload::SfpDiag(d)) => Some(d),
        _ => None,
    });
    // Digests, not frames: a CONDITIONED frame carries `blocks_per_frame` of them.
    let count = |fs: &[Frame]| {
        let cond = fs.iter().filter(|f| f.ftype == FrameType::Conditioned);
        cond.map(|f| f.payload.len() / DIGEST_LEN).sum()
    };
    Outcome {
        detect,
        within,
        before: status(&frames[i0]),
        after: status(&frames[i1]),
        diag_after,
        conditioned_between: count(&frames[i0..i1]),
        conditioned_after: count(&frames[i1..]),
        decoder,
        core_kind,
        front_kind,
    }
}

/// Asserts the scenario's row of the table in docs/simulation.md, on the Verilated core when it
/// was built, else on CoreModel.
pub fn check(sc: Scenario, seed: u64) -> Outcome {
    check_on(sc, seed, CoreChoice::Auto)
}

pub fn check_on(sc: Scenario, seed: u64, choice: CoreChoice) -> Outcome {
    let o = run(sc, seed, choice);
    let name = sc.name();
    eprintln!(
        "{name}: core {}, front end {}, alarms at the deadline {:?}",
        o.core_kind,
        o.front_kind,
        o.after.alarms.names()
    );
    assert_eq!(o.decoder.stats().bad_crc, 0, "{name}: corrupt frames on a clean link");
    assert_eq!(o.decoder.stats().lost, 0, "{name}: frames lost");
    assert_eq!(
        o.before.alarms.0,
        0,
        "{name}: false alarm before the onset: {:?}",
        o.before.alarms.names()
    );
    assert!(o.before.state.0 & 0b11 == 0b11, "{name}: startup must have passed before the onset");
    match o.detect {
        Detect::None => {
            assert_eq!(
                o.after.alarms.0,
                0,
                "{name}: false alarm {:?} within {} samples",
                o.after.alarms.names(),
                o.within
            );
            // The conditioned output keeps flowing through the fault: one block per fold_k · n_in
            // samples (VN off), with a third of slack, and frames come K digests at a time.
            let p = CoreParams::ice40();
            let per_block = (p.fold_k * p.n_in) as u64 * 4 / 3;
            let min = (o.within / per_block) as usize - p.blocks_per_frame as usize;
            assert!(
                o.conditioned_between >= min,
                "{name}: only {} blocks, want >= {min}",
                o.conditioned_between
            );
        }
        d => {
            assert!(
                o.after.alarms.has(d.alarm_bit()),
                "{name}: {d} alarm not latched within {} samples (alarms: {:?}, core: {})",
                o.within,
                o.after.alarms.names(),
                o.core_kind
            );
            assert!(o.after.state.0 & 0b10 == 0, "{name}: gate still open with an alarm latched");
            // Digests finished before the alarm may still wait in the digest buffer (at most its
            // capacity) and one in the conditioner; nothing newer may follow.
            let most = CAPACITY_BYTES / DIGEST_LEN + 1;
            assert!(
                o.conditioned_after <= most,
                "{name}: {} digests after the alarm, more than the {most} that can wait",
                o.conditioned_after
            );
        }
    }
    o
}

/// Runs `sc` on `choice` for `samples`, then asks for STATUS: the SFP_DIAG frame that follows it,
/// and the bench (what the module and the front end did meanwhile).
pub fn diag_at(sc: Scenario, seed: u64, choice: CoreChoice, samples: u64) -> (SfpDiag, Bench) {
    let mut b = Bench::open(sc, seed, speckle_sim::DEFAULT_BAUD, choice).unwrap();
    b.run(samples);
    let lat = cmd_latency(&b);
    b.core.push_host_bytes(&Command::RequestStatus.encode(7));
    let frames = Decoder::new().feed(&b.run(lat + 20_000));
    let at = frames.iter().position(|f| f.ftype == FrameType::Status).expect("STATUS answer");
    let diag = frames.get(at + 1).and_then(|f| match f.payload() {
        Ok(Payload::SfpDiag(d)) => Some(d),
        _ => None,
    });
    (diag.unwrap_or_else(|| panic!("{}: no SFP_DIAG after STATUS", sc.name())), b)
}

/// The board's pty, opened as the host opens a serial port but non-blocking.
pub fn open_tty(path: &std::path::Path) -> std::fs::File {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .unwrap()
}

/// Reads whatever arrives within `d` from a non-blocking fd.
pub fn read_for(f: &mut std::fs::File, d: std::time::Duration) -> Vec<u8> {
    use std::io::Read;
    let end = std::time::Instant::now() + d;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while std::time::Instant::now() < end {
        match f.read(&mut buf) {
            Ok(n) if n > 0 => out.extend_from_slice(&buf[..n]),
            _ => std::thread::sleep(std::time::Duration::from_millis(2)),
        }
    }
    out
}
