//! `speckle_repcnt_ht` under Verilator against `speckle_model::repcnt_ht`: 10^6 clocks per profile
//! of random `sample_valid`, a sticky source whose runs often reach the cutoff C, and random
//! `clear` / `stats_clear`; `fail`, `run` and `max_run` are compared after every clock.

mod datapath;

use datapath::{model_clock, rng, Dut, HtClock, HtInputs, PROFILES};
use rand::RngExt;
use speckle_model::params::CoreParams;
use speckle_model::repcnt_ht::RepCount;

#[test]
fn rct_matches_model_clock_by_clock() {
    for (seed, profile) in PROFILES.iter().enumerate() {
        let c = CoreParams::profile(profile).unwrap().cutoffs();
        let mut dut = Dut::open(profile, "speckle_repcnt_ht");
        let inputs = HtInputs::new(&dut);
        let [fail, run, max_run] = ["fail", "run", "max_run"].map(|n| dut.port(n));
        let mut model = RepCount::new(c.rct);
        let mut r = rng(10 + seed as u64);
        let (mut s, mut fails) = (false, 0u32);
        for t in 0..1_000_000u64 {
            let v = r.random_bool(0.6);
            // Mostly sticky, so runs reaching C happen every few thousand samples.
            if r.random_bool(0.03) {
                s = !s;
            }
            let c = HtClock {
                sample: s,
                valid: v,
                clear: r.random_bool(2e-4),
                stats_clear: r.random_bool(1e-3),
            };
            inputs.clock(&mut dut, c);
            let step = model_clock(
                &mut model,
                c,
                RepCount::stats_clear,
                RepCount::sample,
                RepCount::clear,
            );
            let want_fail = step.is_some_and(|x| x.fail);
            fails += want_fail as u32;
            assert_eq!(dut.bit(fail), want_fail, "{profile}: fail at clock {t}");
            assert_eq!(dut.m.get(run), model.run() as u64, "{profile}: run at clock {t}");
            assert_eq!(
                dut.m.get(max_run),
                model.max_run() as u64,
                "{profile}: max_run at clock {t}"
            );
        }
        assert!(fails > 20, "{profile}: only {fails} failures exercised");
    }
}

#[test]
fn rct_fires_exactly_c_samples_into_a_stuck_source() {
    let profile = "ice40";
    let c = CoreParams::profile(profile).unwrap().cutoffs().rct;
    let mut dut = Dut::open(profile, "speckle_repcnt_ht");
    let (sample, valid, fail) = (dut.port("sample"), dut.port("sample_valid"), dut.port("fail"));
    dut.m.set(sample, 1);
    let mut first_fail = None;
    for i in 1..=3 * c {
        dut.m.set(valid, 1);
        dut.tick();
        if dut.bit(fail) && first_fail.is_none() {
            first_fail = Some(i);
        }
    }
    assert_eq!(first_fail, Some(c), "the C-th identical sample must fail");
}
