//! `speckle_output_gate` under Verilator against `speckle_model::output_gate`, clock by clock, 10^6
//! clocks per profile: samples every `oversample` clocks, rare random fail strobes of each test,
//! LOS and external-alarm levels that come and go, and random `clear_alarms`; every output
//! (alarms, startup_done, gate_open, flush, LOS level, failure counters) is compared after every
//! clock, and the run must have opened the gate, latched every alarm kind and flushed many times.

mod datapath;

use datapath::{rng, Dut, PROFILES};
use rand::RngExt;
use speckle_model::output_gate::{GateIn, OutputGate};
use speckle_model::params::CoreParams;

#[test]
fn output_gate_matches_model_clock_by_clock() {
    for (seed, profile) in PROFILES.iter().enumerate() {
        let p = CoreParams::profile(profile).unwrap();
        let mut dut = Dut::open(profile, "speckle_output_gate");
        let ins = [
            "rct_fail",
            "apt_fail",
            "markov_fail",
            "los",
            "ext_alarm",
            "clear_alarms",
            "sample_valid",
            "reset",
        ]
        .map(|n| dut.port(n));
        let outs = [
            "alarms",
            "startup_done",
            "gate_open",
            "flush",
            "los_level",
            "rct_failures",
            "apt_failures",
            "markov_failures",
        ]
        .map(|n| dut.port(n));
        let mut model = OutputGate::new();
        model.clock(GateIn { reset: true, ..Default::default() });
        let mut r = rng(70 + seed as u64);
        let (mut los, mut ext) = (false, false);
        let (mut opened, mut seen_alarms, mut flushes) = (0u64, 0u8, 0u64);
        for t in 0..1_000_000u64 {
            // Short LOS / interlock episodes now and then.
            if r.random_bool(if los { 1e-3 } else { 5e-6 }) {
                los = !los;
            }
            if r.random_bool(if ext { 1e-3 } else { 5e-6 }) {
                ext = !ext;
            }
            let i = GateIn {
                rct_fail: r.random_bool(5e-6),
                apt_fail: r.random_bool(5e-6),
                markov_fail: r.random_bool(5e-6),
                los,
                ext_alarm: ext,
                clear_alarms: r.random_bool(2e-4),
                sample_valid: t % p.oversample as u64 == 0,
                reset: r.random_bool(1e-6),
            };
            let v = [
                i.rct_fail,
                i.apt_fail,
                i.markov_fail,
                i.los,
                i.ext_alarm,
                i.clear_alarms,
                i.sample_valid,
                i.reset,
            ];
            for (port, x) in ins.iter().zip(v) {
                dut.m.set(*port, x as u64);
            }
            dut.tick();
            let o = model.clock(i);
            let want = [
                o.alarms as u64,
                o.startup_done as u64,
                o.gate_open as u64,
                o.flush as u64,
                o.los_level as u64,
                o.rct_failures as u64,
                o.apt_failures as u64,
                o.markov_failures as u64,
            ];
            let got = outs.map(|port| dut.m.get(port));
            assert_eq!(got, want, "{profile}: outputs at clock {t} (alarms, startup, gate, flush, los, rct, apt, markov)");
            opened += o.gate_open as u64;
            seen_alarms |= o.alarms;
            flushes += o.flush as u64;
        }
        assert!(opened > 100_000, "{profile}: gate open for only {opened} clocks");
        assert_eq!(seen_alarms, 0x1F, "{profile}: not every alarm kind latched");
        assert!(flushes > 50, "{profile}: only {flushes} flushes");
    }
}
