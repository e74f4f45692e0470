//! One test per row of the scenario table in docs/simulation.md.

mod common;
use speckle_model::protocol::SfpFlags;
use speckle_sim::scenario::ONSET_SAMPLES;
use speckle_sim::Scenario;

#[test]
fn optimal_runs_without_alarms() {
    common::check(Scenario::Optimal, 1);
}

#[test]
fn laser_failure_keeps_running_without_false_alarm() {
    let o = common::check(Scenario::LaserFailure, 2);
    let d = o.diag_after.expect("SFP_DIAG after STATUS");
    assert!(
        d.rx_power_mw() < 0.17 && d.rx_power_mw() > 0.13,
        "RX power shows the lost emitter: {}",
        d.rx_power_mw()
    );
}

#[test]
fn dark_raises_los() {
    let o = common::check(Scenario::Dark, 3);
    assert!(o.diag_after.unwrap().flags.has(SfpFlags::LOS));
}

#[test]
fn saturation_trips_the_interlock() {
    let o = common::check(Scenario::Saturation, 4);
    let d = o.diag_after.expect("SFP_DIAG after STATUS");
    assert!(d.flags.has(SfpFlags::INTERLOCK), "SFP_DIAG must report the interlock");
}

#[test]
fn alignment_drift_ends_in_los() {
    common::check(Scenario::AlignmentDrift, 5);
}

#[test]
fn ambient_flicker_biases_into_apt() {
    common::check(Scenario::AmbientLight, 6);
}

#[test]
fn thermal_throttle_is_caught_by_markov() {
    common::check(Scenario::ThermalThrottle, 7);
    // The hot module shows in SFP_DIAG once a poll after the next ADC refresh has read it: the same
    // bound as a change of RX power reaching the interlock.
    let p = speckle_model::params::CoreParams::ice40();
    let within = speckle_sim::bench::interlock_bound_samples(p.sample_rate_hz(), p.oversample);
    let (d, _) = common::diag_at(
        Scenario::ThermalThrottle,
        7,
        speckle_sim::CoreChoice::Auto,
        ONSET_SAMPLES + within,
    );
    assert!(
        d.temperature_c() > d.thresholds().temp_c.high_alarm,
        "module temperature {} C",
        d.temperature_c()
    );
}

#[test]
fn emi_bursts_are_caught_by_rct() {
    common::check(Scenario::EmiInterference, 8);
}

#[test]
fn link_flap_raises_los() {
    common::check(Scenario::LinkFlap, 9);
}

#[test]
fn stuck_output_is_caught_by_rct() {
    common::check(Scenario::Stuck, 10);
}

#[test]
fn comparator_bias_is_caught_by_apt() {
    common::check(Scenario::Bias, 11);
}

/// The stand-in must pass the same table, whether or not Verilator ran the tests above.
#[test]
fn every_scenario_on_the_core_model() {
    for sc in speckle_sim::SCENARIOS {
        let o = common::check_on(sc, 12, speckle_sim::CoreChoice::Model);
        assert_eq!(o.core_kind, "model");
    }
}

/// System-level cross-check of the Verilated board (front end + core) and the Rust models: same
/// alarm onset (to the RTL's pipeline), same TX_DISABLE onset and the same alarms latched, for
/// every scenario.
#[test]
fn verilated_core_and_model_agree_on_every_scenario() {
    use speckle_sim::{bench::measure, board_params, open_fpga, CoreChoice};
    if !rtl_sim::require_verilator("verilated_core_and_model_agree_on_every_scenario") {
        return;
    }
    let params = board_params(speckle_sim::DEFAULT_BAUD).unwrap();
    for sc in speckle_sim::SCENARIOS {
        let r = measure(sc, 13, open_fpga(CoreChoice::Rtl, "ice40", &params).unwrap()).unwrap();
        let m = measure(sc, 13, open_fpga(CoreChoice::Model, "ice40", &params).unwrap()).unwrap();
        assert_eq!(
            r.alarms,
            m.alarms,
            "{}: RTL latched {:?}, model {:?}",
            sc.name(),
            r.alarms.names(),
            m.alarms.names()
        );
        match (r.rose_after, m.rose_after) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                assert!(a.abs_diff(b) <= 2, "{}: alarm after {a} (RTL) vs {b} (model)", sc.name())
            }
            other => panic!("{}: alarm onset differs: {other:?}", sc.name()),
        }
        // The stand-in front end reads the module when the RTL's live-value read starts, so the
        // interlock trips at the same sample (the laser switches at sample boundaries on both).
        assert_eq!(
            r.tx_disable_after,
            m.tx_disable_after,
            "{}: TX_DISABLE (RTL front end vs stand-in)",
            sc.name()
        );
    }
}

/// The conditioned data itself: RTL and model must emit the same digests, in the same order, for
/// the same physics (holdback, von Neumann, fold, SHA3 and the drops all agree).
#[test]
fn verilated_core_and_model_emit_the_same_digests() {
    use speckle_model::protocol::{Decoder, FrameType};
    use speckle_sim::{Bench, CoreChoice};
    let digests = |choice| -> Option<Vec<Vec<u8>>> {
        let bytes = Bench::open(Scenario::Optimal, 21, speckle_sim::DEFAULT_BAUD, choice)
            .ok()?
            .run(150_000);
        let frames = Decoder::new().feed(&bytes);
        Some(
            frames
                .into_iter()
                .filter(|f| f.ftype == FrameType::Conditioned)
                .map(|f| f.payload)
                .collect(),
        )
    };
    if !rtl_sim::require_verilator("verilated_core_and_model_emit_the_same_digests") {
        return;
    }
    let rtl = digests(CoreChoice::Rtl).expect("Verilated board opens");
    let model = digests(CoreChoice::Model).unwrap();
    assert!(rtl.len() >= 20, "only {} digests from the RTL", rtl.len());
    let n = rtl.len().min(model.len());
    let first_diff = (0..n).find(|&i| rtl[i] != model[i]);
    assert_eq!(
        first_diff,
        None,
        "digest {first_diff:?} differs (RTL {} digests, model {})",
        rtl.len(),
        model.len()
    );
    assert!(
        rtl.len().abs_diff(model.len()) <= 1,
        "RTL {} digests, model {}",
        rtl.len(),
        model.len()
    );
}

/// Raw mode on both cores: every RAW frame is 256 consecutive input samples, frames come in order
/// without overlap, and the line stays busy. (Frame boundaries are not compared bit for bit: they
/// depend on the UART's exact clock timing, which CoreModel only approximates.)
#[test]
fn raw_frames_are_runs_of_consecutive_samples_on_both_cores() {
    use speckle_model::packing::unpack_lsb_first;
    use speckle_model::protocol::{Command, Decoder, FrameType, Mode};
    use speckle_sim::physics::{PhysicsParams, Source};
    use speckle_sim::{board_params, open_core, CoreChoice};
    let params = board_params(speckle_sim::DEFAULT_BAUD).unwrap();
    let mut src = Source::new(PhysicsParams::nominal(6e6), 22);
    let bits: Vec<bool> = (0..60_000).map(|_| src.step(true)).collect();
    if !rtl_sim::require_verilator("raw_frames_are_runs_of_consecutive_samples_on_both_cores") {
        return;
    }
    for choice in [CoreChoice::Rtl, CoreChoice::Model] {
        let (mut core, _) =
            open_core(choice, "ice40", &params).unwrap_or_else(|e| panic!("{choice:?}: {e}"));
        core.push_host_bytes(&Command::SetMode(Mode::Raw).encode(1));
        for &b in &bits {
            core.push_sample(b);
        }
        let frames = Decoder::new().feed(&core.take_tx());
        let raw: Vec<Vec<bool>> = frames
            .iter()
            .filter(|f| f.ftype == FrameType::Raw)
            .map(|f| unpack_lsb_first(&f.payload))
            .collect();
        assert!(raw.len() >= 15, "{choice:?}: only {} RAW frames", raw.len());
        let mut from = 0;
        for (i, r) in raw.iter().enumerate() {
            // Search from where the previous frame ended: frames are in order and never overlap.
            let at = bits[from..].windows(256).position(|w| w == r.as_slice());
            let at = at.unwrap_or_else(|| {
                panic!(
                    "{choice:?}: RAW frame {i} is not a run of input samples after sample {from}"
                )
            });
            from += at + 256;
        }
    }
}
