//! `speckle_uart_rx` under Verilator, both profiles' divisors: a line mixing clean characters
//! (with bit times stretched or shrunk by up to ±3 %), characters with a low stop bit, short glitches
//! and held-low breaks, compared every clock with the receiver model (model/src/uart_rx.rs) for 10^6
//! clocks; clean characters must all arrive.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rtl_sim::Model;
use speckle_model::params::CoreParams;
use speckle_model::uart_rx::UartRx;
use speckle_model::uart_tx::character_bits;

/// A character whose bit time is `divisor * stretch` clocks (baud mismatch), optionally with a low
/// stop bit.
fn character(byte: u8, divisor: u32, stretch: f64, bad_stop: bool) -> Vec<bool> {
    let mut bits = character_bits(byte);
    bits[9] = !bad_stop;
    let n = (10.0 * divisor as f64 * stretch).round() as usize;
    (0..n).map(|k| bits[(k as f64 / (divisor as f64 * stretch)) as usize]).collect()
}

fn run(profile: &str, seed: u64, clocks: usize) {
    if let Some(why) = rtl_sim::unavailable_reason() {
        panic!("no Verilator model of speckle_uart_rx: {why}");
    }
    let divisor = CoreParams::profile(profile).unwrap().baud_divisor();
    let mut m = Model::new(profile, "speckle_uart_rx").unwrap_or_else(|e| panic!("{e}"));
    let p = |m: &Model, n: &str| m.port(n).unwrap_or_else(|e| panic!("{e}"));
    let (clock, reset, rx, data, valid, frame_error) = (
        p(&m, "clock"),
        p(&m, "reset"),
        p(&m, "rx"),
        p(&m, "data"),
        p(&m, "valid"),
        p(&m, "frame_error"),
    );
    m.set(rx, 1);
    m.set(reset, 1);
    m.tick(clock);
    m.set(reset, 0);
    let mut model = UartRx::new(divisor);
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut line: Vec<bool> = Vec::with_capacity(clocks + 1000);
    // Clean characters, each preceded by at least one idle bit time, are owed to the output.
    let mut owed = vec![];
    while line.len() < clocks {
        match r.random_range(0..10) {
            0 => line.extend(character(r.random(), divisor, 1.0, true)),
            1 => line.extend(std::iter::repeat_n(false, r.random_range(1..divisor as usize / 2))),
            2 => line.extend(std::iter::repeat_n(false, r.random_range(10..30) * divisor as usize)),
            _ => {
                let byte = r.random();
                owed.push((line.len(), byte));
                line.extend(character(byte, divisor, r.random_range(0.97..1.03), false));
            }
        }
        line.extend(std::iter::repeat_n(true, divisor as usize * r.random_range(1..4)));
    }
    let mut received = vec![];
    let mut errors = 0;
    for (cycle, &level) in line.iter().enumerate() {
        m.set(rx, level as u64);
        m.eval();
        let want = model.outputs();
        assert_eq!(m.get(valid) == 1, want.valid, "{profile}: valid at clock {cycle}");
        assert_eq!(
            m.get(frame_error) == 1,
            want.frame_error,
            "{profile}: frame_error at clock {cycle}"
        );
        assert_eq!(m.get(data) as u8, want.data, "{profile}: data at clock {cycle}");
        if want.valid {
            received.push(want.data);
        }
        errors += want.frame_error as usize;
        model.clock(level);
        m.tick(clock);
    }
    let owed: Vec<u8> = owed.into_iter().map(|(_, b)| b).collect();
    assert!(
        errors > 100,
        "{profile}: the line had bad stop bits, yet only {errors} framing errors"
    );
    // Every clean character arrives; a glitch or break can add bytes before it, never remove it.
    let mut it = received.iter();
    for (k, b) in owed.iter().enumerate() {
        assert!(it.any(|x| x == b), "{profile}: clean character {k} ({b:#04x}) not received");
    }
}

#[test]
fn ice40_divisor_matches_the_model() {
    run("ice40", 21, 1_000_000);
}

#[test]
fn ecp5_divisor_matches_the_model() {
    run("ecp5", 22, 1_000_000);
}
