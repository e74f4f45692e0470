//! `speckle_uart_tx` driving `speckle_uart_rx` (both under Verilator) at each profile's divisor:
//! random bytes with random gaps, back-to-back runs included, must all arrive in order with no
//! framing error, and no faster than 10 bit times apart.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rtl_sim::{Model, PortId};
use speckle_model::params::CoreParams;

fn open(profile: &str, module: &str) -> Model {
    if let Some(why) = rtl_sim::unavailable_reason() {
        panic!("no Verilator model of {module}: {why}");
    }
    let mut m = Model::new(profile, module).unwrap_or_else(|e| panic!("{e}"));
    let (clock, reset) = (m.port("clock").unwrap(), m.port("reset").unwrap());
    m.set(reset, 1);
    m.tick(clock);
    m.set(reset, 0);
    m
}

fn port(m: &Model, name: &str) -> PortId {
    m.port(name).unwrap_or_else(|e| panic!("{e}"))
}

fn run(profile: &str, seed: u64, clocks: u32) {
    let divisor = CoreParams::profile(profile).unwrap().baud_divisor();
    let mut tx = open(profile, "speckle_uart_tx");
    let mut rx = open(profile, "speckle_uart_rx");
    let (tx_clock, data, valid, ready, pin) = (
        port(&tx, "clock"),
        port(&tx, "data"),
        port(&tx, "valid"),
        port(&tx, "ready"),
        port(&tx, "tx"),
    );
    let (rx_clock, rx_in, rx_data, rx_valid, rx_error) = (
        port(&rx, "clock"),
        port(&rx, "rx"),
        port(&rx, "data"),
        port(&rx, "valid"),
        port(&rx, "frame_error"),
    );
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let (mut sent, mut received) = (vec![], vec![]);
    let mut last_rx_clock: Option<u32> = None;
    let mut p_valid = 1.0;
    for cycle in 0..clocks {
        if cycle % 20_000 == 0 {
            p_valid = [0.002, 0.3, 1.0][r.random_range(0..3)];
        }
        let byte: u8 = r.random();
        let offer = r.random_bool(p_valid);
        tx.set(valid, offer as u64);
        tx.set(data, byte as u64);
        tx.eval();
        if offer && tx.get(ready) == 1 {
            sent.push(byte);
        }
        rx.set(rx_in, tx.get(pin));
        rx.eval();
        assert_eq!(rx.get(rx_error), 0, "{profile}: framing error at clock {cycle}");
        if rx.get(rx_valid) == 1 {
            received.push(rx.get(rx_data) as u8);
            if let Some(prev) = last_rx_clock {
                assert!(
                    cycle - prev >= 10 * divisor,
                    "{profile}: bytes {} clocks apart",
                    cycle - prev
                );
            }
            last_rx_clock = Some(cycle);
        }
        tx.tick(tx_clock);
        rx.tick(rx_clock);
    }
    assert!(
        sent.len() - received.len() <= 1,
        "{profile}: {} sent, {} received",
        sent.len(),
        received.len()
    );
    assert_eq!(received, sent[..received.len()], "{profile}: bytes out of the receiver");
    assert!(received.len() > 1000, "{profile}: only {} bytes crossed", received.len());
}

#[test]
fn ice40_loopback() {
    run("ice40", 31, 1_000_000);
}

#[test]
fn ecp5_loopback() {
    run("ecp5", 32, 1_000_000);
}
