//! `speckle_uart_tx` under Verilator, both profiles' baud divisors: 10^6 random clocks with random
//! offers compared every clock with the line model (model/src/uart_tx.rs), and every accepted byte
//! read back off the pin by the receiver model.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rtl_sim::Model;
use speckle_model::params::CoreParams;
use speckle_model::uart_rx::UartRx;
use speckle_model::uart_tx::UartTx;

fn run(profile: &str, seed: u64, clocks: u32) {
    if let Some(why) = rtl_sim::unavailable_reason() {
        panic!("no Verilator model of speckle_uart_tx: {why}");
    }
    let divisor = CoreParams::profile(profile).unwrap().baud_divisor();
    let mut m = Model::new(profile, "speckle_uart_tx").unwrap_or_else(|e| panic!("{e}"));
    let p = |m: &Model, n: &str| m.port(n).unwrap_or_else(|e| panic!("{e}"));
    let (clock, reset, data, valid, ready, tx) = (
        p(&m, "clock"),
        p(&m, "reset"),
        p(&m, "data"),
        p(&m, "valid"),
        p(&m, "ready"),
        p(&m, "tx"),
    );
    m.set(reset, 1);
    m.tick(clock);
    m.set(reset, 0);
    let mut model = UartTx::new(divisor);
    let mut rx = UartRx::new(divisor);
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let (mut sent, mut received) = (vec![], vec![]);
    // Offer rate changes now and then: back-to-back bytes, sparse bytes, and offers that come and go.
    let mut p_valid = 0.5;
    for cycle in 0..clocks {
        if cycle % 5000 == 0 {
            p_valid = [0.001, 0.05, 0.5, 1.0][r.random_range(0..4)];
        }
        let offer = r.random_bool(p_valid).then(|| r.random::<u8>());
        m.set(valid, offer.is_some() as u64);
        m.set(data, offer.unwrap_or(r.random()) as u64);
        m.eval();
        let (model_ready, model_tx) = model.outputs();
        assert_eq!(m.get(ready) == 1, model_ready, "{profile}: ready at clock {cycle}");
        assert_eq!(m.get(tx) == 1, model_tx, "{profile}: tx at clock {cycle}");
        rx.clock(model_tx);
        if rx.outputs().valid {
            received.push(rx.outputs().data);
        }
        assert!(!rx.outputs().frame_error, "{profile}: framing error on the pin at clock {cycle}");
        if model.clock(offer) {
            sent.push(offer.unwrap());
        }
        m.tick(clock);
    }
    // Bytes still on the wire at the end are not received yet.
    assert!(sent.len() >= received.len() && sent.len() - received.len() <= 1);
    assert_eq!(received, sent[..received.len()], "{profile}: bytes read back off the pin");
    assert!(
        sent.len() > (clocks / (10 * divisor) / 4) as usize,
        "{profile}: only {} bytes sent",
        sent.len()
    );
}

#[test]
fn ice40_divisor_matches_the_model() {
    run("ice40", 11, 1_000_000);
}

#[test]
fn ecp5_divisor_matches_the_model() {
    run("ecp5", 12, 1_000_000);
}
