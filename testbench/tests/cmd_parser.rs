//! `speckle_cmd_parser` under Verilator against the byte-level model (model/src/cmd_parser.rs):
//! - 10^6 clocks of a stream mixing good commands (bad SET_MODE arguments included), corrupted
//!   copies (bit flips, truncation, inserted garbage) and garbage, with random byte spacing (never
//!   two bytes in consecutive clocks, as from `uart_rx`) and random `ack_ready`; every clock the
//!   strobes, `mode`, the ACK request and `bad_frames` must equal the model's;
//! - a stream of corrupted frames and garbage only must never produce a command or an ACK.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rtl_sim::{Model, PortId};
use speckle_model::cmd_parser::{Accepted, CmdParser};
use speckle_model::protocol::{encode, Command, Frame, FrameType, Mode};

struct Dut {
    m: Model,
    clock: PortId,
    in_byte: PortId,
    in_valid: PortId,
    set_mode: PortId,
    mode: PortId,
    clear_alarms: PortId,
    request_status: PortId,
    ack_valid: PortId,
    ack_ready: PortId,
    ack_type: PortId,
    ack_seq: PortId,
    ack_result: PortId,
    bad_frames: PortId,
}

impl Dut {
    fn new(profile: &str) -> Dut {
        if let Some(why) = rtl_sim::unavailable_reason() {
            panic!("no Verilator model of speckle_cmd_parser: {why}");
        }
        let m = Model::new(profile, "speckle_cmd_parser").unwrap_or_else(|e| panic!("{e}"));
        let p = |n: &str| m.port(n).unwrap_or_else(|e| panic!("{e}"));
        let mut d = Dut {
            clock: p("clock"),
            in_byte: p("in_byte"),
            in_valid: p("in_valid"),
            set_mode: p("set_mode"),
            mode: p("mode"),
            clear_alarms: p("clear_alarms"),
            request_status: p("request_status"),
            ack_valid: p("ack_valid"),
            ack_ready: p("ack_ready"),
            ack_type: p("ack_type"),
            ack_seq: p("ack_seq"),
            ack_result: p("ack_result"),
            bad_frames: p("bad_frames"),
            m,
        };
        let reset = d.m.port("reset").unwrap();
        d.m.set(reset, 1);
        d.m.tick(d.clock);
        d.m.set(reset, 0);
        d
    }
}

/// A good command frame: random command, random seq, sometimes a bad SET_MODE argument.
fn good_frame(r: &mut ChaCha8Rng) -> Vec<u8> {
    let seq = r.random();
    match r.random_range(0..5) {
        0 => Command::SetMode(Mode::Conditioned).encode(seq),
        1 => Command::SetMode(Mode::Raw).encode(seq),
        2 => Command::ClearAlarms.encode(seq),
        3 => Command::RequestStatus.encode(seq),
        _ => encode(&Frame::new(FrameType::SetMode, seq, vec![r.random_range(2..=255)])),
    }
}

/// A corrupted copy of a good frame: its first bytes never spell the original frame (two flips of
/// the same bit, or an inserted byte equal to the one it displaces, would undo the corruption).
fn corrupt_frame(r: &mut ChaCha8Rng) -> Vec<u8> {
    loop {
        let good = good_frame(r);
        let mut f = good.clone();
        match r.random_range(0..4) {
            0 => {
                // Flip 1..3 bits after the sync.
                for _ in 0..r.random_range(1..4) {
                    let i = r.random_range(2..f.len());
                    f[i] ^= 1 << r.random_range(0..8);
                }
            }
            1 => {
                // Cut short, and followed by a byte other than the missing one: whatever comes next
                // on the wire must not be able to complete the frame by chance.
                let cut = r.random_range(2..f.len());
                f.truncate(cut);
                f.push(good[cut] ^ r.random_range(1..=255));
            }
            2 => {
                let i = r.random_range(3..f.len());
                f.insert(i, r.random());
            }
            _ => {
                // A device-to-host or unknown type with a CRC that is right for it.
                let t = [0x01, 0x03, 0x04, 0x80, 0x84, 0xFF][r.random_range(0..6)];
                f = encode(&Frame::new(
                    FrameType::from_u8(t),
                    r.random(),
                    vec![0; r.random_range(0..3)],
                ));
            }
        }
        if f.get(..good.len()) != Some(&good[..]) {
            return f;
        }
    }
}

fn garbage(r: &mut ChaCha8Rng) -> Vec<u8> {
    let n = r.random_range(1..20);
    (0..n).map(|_| if r.random_bool(0.2) { 0xA5 } else { r.random() }).collect()
}

/// Feeds `stream` with random spacing and `ack_ready`, checking the DUT against the model every
/// clock; returns the commands accepted. A byte is offered with probability `p_valid` in each clock
/// that does not follow a byte.
fn run(
    dut: &mut Dut,
    stream: &[u8],
    r: &mut ChaCha8Rng,
    p_valid: f64,
    p_ack: f64,
) -> Vec<Accepted> {
    let mut model = CmdParser::new();
    let mut expect: Option<Accepted> = None;
    let mut accepted = vec![];
    let mut mode = false;
    let mut pos = 0;
    let mut cycle = 0u64;
    let mut offered = false;
    while pos < stream.len() || expect.is_some() || model.awaiting_verdict() {
        let offer = pos < stream.len() && !offered && r.random_bool(p_valid);
        offered = offer;
        let byte = if offer { stream[pos] } else { r.random() };
        let ack_ready = r.random_bool(p_ack);
        dut.m.set(dut.in_valid, offer as u64);
        dut.m.set(dut.in_byte, byte as u64);
        dut.m.set(dut.ack_ready, ack_ready as u64);
        dut.m.eval();
        let g = |p: PortId| dut.m.get(p);
        let cmd = expect.and_then(|a| a.command);
        if let Some(Command::SetMode(m)) = cmd {
            mode = m == Mode::Raw;
        }
        assert_eq!(
            g(dut.set_mode) == 1,
            matches!(cmd, Some(Command::SetMode(_))),
            "set_mode at clock {cycle}"
        );
        assert_eq!(g(dut.mode) == 1, mode, "mode at clock {cycle}");
        assert_eq!(
            g(dut.clear_alarms) == 1,
            cmd == Some(Command::ClearAlarms),
            "clear_alarms at clock {cycle}"
        );
        assert_eq!(
            g(dut.request_status) == 1,
            cmd == Some(Command::RequestStatus),
            "request_status at clock {cycle}"
        );
        assert_eq!(g(dut.ack_valid) == 1, model.ack_pending(), "ack_valid at clock {cycle}");
        if let Some(a) = expect {
            let got = (g(dut.ack_type) as u8, g(dut.ack_seq) as u16, g(dut.ack_result) as u8);
            assert_eq!(
                got,
                (a.ack.cmd_type, a.ack.cmd_seq, a.ack.result),
                "ACK request at clock {cycle}"
            );
        }
        assert_eq!(g(dut.bad_frames) as u16, model.bad_frames(), "bad_frames at clock {cycle}");
        // The verdict clock sees the ACK pending as it was at the clock's start.
        let taken = model.ack_pending() && ack_ready;
        expect = model.decide();
        accepted.extend(expect);
        if taken {
            model.ack_taken();
        }
        if offer {
            model.receive(byte);
            pos += 1;
        }
        dut.m.tick(dut.clock);
        cycle += 1;
    }
    accepted
}

#[test]
fn mixed_stream_matches_the_model() {
    let mut dut = Dut::new("ice40");
    let mut r = ChaCha8Rng::seed_from_u64(51);
    let mut stream = vec![];
    let mut good = 0;
    // About 10^6 clocks: ~330k bytes at one byte per three clocks on average.
    while stream.len() < 330_000 {
        match r.random_range(0..4) {
            0 | 1 => {
                stream.extend(good_frame(&mut r));
                good += 1;
            }
            2 => stream.extend(corrupt_frame(&mut r)),
            _ => stream.extend(garbage(&mut r)),
        }
    }
    let accepted = run(&mut dut, &stream, &mut r, 0.5, 0.3);
    // Some good frames are lost to a preceding corrupt one or to a pending ACK, most are not.
    assert!(accepted.len() > good / 2, "{} of {good} good commands accepted", accepted.len());
    assert!(accepted.iter().any(|a| a.command.is_none()), "no bad-argument ACK was exercised");
}

#[test]
fn corrupted_frames_never_make_a_command() {
    let mut dut = Dut::new("ice40");
    let mut r = ChaCha8Rng::seed_from_u64(52);
    let mut stream = vec![];
    while stream.len() < 200_000 {
        if r.random_bool(0.8) {
            stream.extend(corrupt_frame(&mut r));
        } else {
            stream.extend(garbage(&mut r));
        }
    }
    let accepted = run(&mut dut, &stream, &mut r, 0.5, 1.0);
    assert!(accepted.is_empty(), "corrupt input made commands: {accepted:?}");
    let bad = dut.m.get(dut.bad_frames);
    assert!(bad > 10_000, "only {bad} bad frames counted");
}
