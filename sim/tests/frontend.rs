//! The SFP front end inside the simulated board: the Verilated `speckle_sfp_frontend` is what runs
//! (its interlock switches the physics' laser, its I2C reads carry the physics' RX power to the
//! host), and the Rust stand-in that replaces it without Verilator leaves the same payloads.

mod common;
use speckle_model::protocol::{Command, Decoder, Payload, SfpDiag, SfpFlags, SFP_DIAG_LEN};
use speckle_sim::frontend::{ModelFrontEnd, RtlFrontEnd};
use speckle_sim::physics::PhysicsParams;
use speckle_sim::scenario::ONSET_SAMPLES;
use speckle_sim::sfp::{default_thresholds, SfpModule};
use speckle_sim::{Bench, Board, BoardConfig, CoreChoice, FrontEndSim, Scenario};
use std::io::Write;
use std::time::{Duration, Instant};

/// Verilated models exist (else the test skips outside make, fails under it), and the front end
/// among them opens.
fn rtl_available() -> bool {
    if !rtl_sim::require_verilator("sim/tests/frontend.rs") {
        return false;
    }
    RtlFrontEnd::open("ice40").unwrap_or_else(|e| panic!("Verilated speckle_sfp_frontend: {e}"));
    true
}

/// RX power as the module's A2h bytes 104–105 say (0.1 µW units).
fn rx_mw(bytes: &[u8]) -> f64 {
    u16::from_be_bytes([bytes[0], bytes[1]]) as f64 * 1e-4
}

/// Over-power: TX_DISABLE rises at the end of a poll of the Verilated front end (its `poll_done`),
/// after the module put the over-power on the I2C wire, and the laser goes dark (LOS follows).
#[test]
fn saturation_interlock_comes_from_the_verilated_front_end() {
    if !rtl_available() {
        return;
    }
    let mut b =
        Bench::open(Scenario::Saturation, 4, speckle_sim::DEFAULT_BAUD, CoreChoice::Rtl).unwrap();
    assert_eq!((b.core.kind(), b.front.kind()), ("verilator", "verilator"));
    let (_, within) = Scenario::Saturation.expect(&b.base);
    let mut polls_before = 0;
    while !b.front.tx_disable() {
        assert!(b.t < ONSET_SAMPLES + within, "no TX_DISABLE within {within} samples of the onset");
        polls_before = b.front.polls();
        b.step();
    }
    let trip = b.t;
    assert!(trip > ONSET_SAMPLES, "TX_DISABLE before the over-power, at sample {trip}");
    assert_eq!(
        b.front.polls(),
        polls_before + 1,
        "TX_DISABLE must rise with the poll_done of the poll that saw it"
    );
    // Every poll read 40 threshold and 10 live bytes over the pins; the last RX power on the wire
    // is the over-power, above the module's own high alarm.
    assert_eq!(b.module.bytes_sent, 50 * b.front.polls());
    let high_alarm = default_thresholds().rx_power_mw.high_alarm;
    assert!(
        rx_mw(&b.module.sent[104..106]) > high_alarm,
        "RTL read {} mW",
        rx_mw(&b.module.sent[104..106])
    );
    // The laser is off now: the light goes and the module reports LOS.
    while !b.source.los() {
        assert!(b.t < trip + 2_000, "no LOS 2000 samples after TX_DISABLE");
        b.step();
    }
    // Latched: the next poll reads a dark receiver but TX_DISABLE stays high and the flag stays set.
    let polls = b.front.polls();
    while b.front.polls() == polls {
        b.step();
    }
    let d = SfpDiag::parse(&b.front.diag()).unwrap();
    assert!(
        b.front.tx_disable() && d.flags.has(SfpFlags::INTERLOCK) && d.flags.has(SfpFlags::LOS),
        "{d:?}"
    );
    assert!(d.rx_power_mw() < 0.001, "dark receiver read as {} mW", d.rx_power_mw());
}

/// The stand-in front end against the Verilated one, fed the same module values: the same
/// `sfp_diag` payload at every poll end and the same TX_DISABLE, over an over-power and a LOS.
#[test]
fn model_front_end_leaves_the_same_payloads_as_the_rtl() {
    if !rtl_available() {
        return;
    }
    let clock_hz = speckle_model::params::CoreParams::ice40().clock_hz;
    let poll_bound = 2u64 << speckle_model::sfp_frontend::poll_log2(clock_hz);
    let mut fronts: [Box<dyn FrontEndSim>; 2] =
        [Box::new(RtlFrontEnd::open("ice40").unwrap()), Box::new(ModelFrontEnd::new(clock_hz))];
    let mut modules =
        [SfpModule::new(&default_thresholds()), SfpModule::new(&default_thresholds())];
    // (temperature, RX power, LOS) for each of four polls.
    let plan = [(40.0, 0.2, false), (55.5, 0.9, false), (41.0, 1.6, false), (39.0, 0.0, true)];
    let mut payloads: [Vec<[u8; SFP_DIAG_LEN]>; 2] = [Vec::new(), Vec::new()];
    for (i, (fe, module)) in fronts.iter_mut().zip(modules.iter_mut()).enumerate() {
        for &(temp, rx, los) in &plan {
            // Between polls (the previous one just ended), as a module's ADC refresh would.
            module.update_live(temp, 3.3, 6.0, 0.3, rx, los);
            let polls = fe.polls();
            let mut clocks = 0u64;
            while fe.polls() == polls {
                fe.clock(module, los);
                clocks += 1;
                assert!(clocks < poll_bound, "front end {i}: no poll within {poll_bound} clocks");
            }
            // The RTL's LOS synchroniser: give it its two clocks.
            for _ in 0..3 {
                fe.clock(module, los);
            }
            let last = fe.diag();
            payloads[i].push(last);
            let tripped = SfpFlags(last[50]).has(SfpFlags::INTERLOCK);
            assert_eq!(fe.tx_disable(), tripped, "front end {i}: TX_DISABLE and the flag disagree");
            // Between polls the LOS pin shows in the flags on its own.
            for _ in 0..3 {
                fe.clock(module, !los);
            }
            payloads[i].push(fe.diag());
        }
    }
    assert_eq!(payloads[0], payloads[1], "Verilated front end (left) vs stand-in (right)");
    let last = SfpDiag::parse(&payloads[0][6]).unwrap();
    assert!(last.flags.has(SfpFlags::INTERLOCK) && last.flags.has(SfpFlags::LOS));
    assert!(
        SfpFlags(payloads[0][1][50]).has(SfpFlags::LOS)
            && !SfpFlags(payloads[0][7][50]).has(SfpFlags::LOS)
    );
    assert!(
        !SfpFlags(payloads[0][2][50]).has(SfpFlags::INTERLOCK),
        "0.9 mW is below the 1 mW alarm"
    );
}

/// End to end on the pty: the board runs the Verilated front end and core, and the SFP_DIAG frame
/// the host receives carries the physics' temperature and RX power as the RTL read them over I2C.
#[test]
fn sfp_diag_on_the_pty_carries_the_physics_read_by_the_rtl() {
    if !rtl_available() {
        return;
    }
    let board = Board::start(BoardConfig {
        scenario: Scenario::Optimal,
        seed: 3,
        baud: speckle_sim::DEFAULT_BAUD,
        core: CoreChoice::Rtl,
        realtime: false,
        fault_onset_samples: None,
        flap_every_samples: None,
    })
    .unwrap();
    assert_eq!(
        (board.core_kind(), board.front_kind(), board.warning()),
        ("verilator", "verilator", None)
    );
    let mut tty = common::open_tty(board.path());
    let mut dec = Decoder::new();
    let start = Instant::now();
    let mut seq = 0u16;
    let diag = loop {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no valid SFP_DIAG on the pty within 60 s"
        );
        seq += 1;
        tty.write_all(&Command::RequestStatus.encode(seq)).unwrap();
        let found = dec
            .feed(&common::read_for(&mut tty, Duration::from_millis(300)))
            .iter()
            .find_map(|f| match f.payload() {
                Ok(Payload::SfpDiag(d)) if d.flags.has(SfpFlags::DIAG_VALID) => Some(d),
                _ => None,
            });
        if let Some(d) = found {
            break d;
        }
    };
    let nominal = PhysicsParams::nominal(6e6);
    assert!(
        diag.poll_counter >= 1
            && diag.flags.has(SfpFlags::PRESENT)
            && !diag.flags.has(SfpFlags::INTERLOCK),
        "{diag:?}"
    );
    assert!(
        (diag.temperature_c() - nominal.temperature_c).abs() < 0.01,
        "{} C",
        diag.temperature_c()
    );
    // RX power averaged over 10 µs of speckle (contrast 1/2): within 25 % of the mean.
    let mean = nominal.mean_power_mw();
    assert!(
        (diag.rx_power_mw() / mean - 1.0).abs() < 0.25,
        "RX power {} mW, physics mean {mean} mW",
        diag.rx_power_mw()
    );
    let high_alarm = diag.thresholds().rx_power_mw.high_alarm;
    assert!(
        (high_alarm - default_thresholds().rx_power_mw.high_alarm).abs() < 1e-6,
        "thresholds read back: {high_alarm} mW"
    );
    board.stop();
}
