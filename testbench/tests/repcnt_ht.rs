//! `speckle_repcnt_ht` under Verilator against `speckle_model::repcnt_ht`: 10^6 clocks per profile
//! of random `sample_valid`, a sticky source whose runs often reach the cutoff C, and random
//! `clear` / `stats_clear`; `fail`, `run` and `max_run` are compared after every clock. The pair
//! form (profile `ecp5-ddr`) is compared likewise with the model stepped twice per valid pair.

mod datapath;

use datapath::{
    model_clock, model_pair_clock, rng, Dut, HtClock, HtInputs, HtPairClock, DDR_PROFILES, PROFILES,
};
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

/// The pair form in `ecp5-ddr` against the model stepped on bit 0 then bit 1 of every valid pair.
/// Besides the sticky source of the single-lane test, four stuck stretches without `clear` drive
/// the run into saturation at 65535, reached on either sample of a pair, where it must not wrap.
#[test]
fn rct_pair_matches_model_stepped_twice_per_pair() {
    for profile in DDR_PROFILES {
        let c = CoreParams::profile(profile).unwrap().cutoffs();
        let mut dut = Dut::open(profile, "speckle_repcnt_ht");
        let inputs = HtInputs::new(&dut);
        let [fail, run, max_run] = ["fail", "run", "max_run"].map(|n| dut.port(n));
        let mut model = RepCount::new(c.rct);
        let mut r = rng(30);
        let mut s = false;
        let (mut lane_fails, mut lane_saturations, mut clears) = ([0u32; 2], [0u32; 2], 0u32);
        for t in 0..600_000u64 {
            let stuck = t % 150_000 >= 100_000;
            // Every other stuck stretch starts its run on the later sample of a valid pair, so that
            // saturation is reached on both samples of a pair.
            let late_start = t % 300_000 == 250_000;
            let mut pair = [false; 2];
            for (k, x) in pair.iter_mut().enumerate() {
                if (!stuck && r.random_bool(0.03)) || (late_start && k == 1) {
                    s = !s;
                }
                *x = s;
            }
            let c = HtPairClock {
                sample: pair,
                valid: late_start || r.random_bool(if stuck { 0.95 } else { 0.6 }),
                clear: !stuck && r.random_bool(2e-4),
                stats_clear: r.random_bool(1e-3),
            };
            inputs.clock_pair(&mut dut, c);
            let run_before = model.run();
            let steps = model_pair_clock(
                &mut model,
                c,
                RepCount::stats_clear,
                RepCount::sample,
                RepCount::clear,
            );
            let lane_fail = steps.map_or([false; 2], |x| x.map(|y| y.fail));
            assert!(!(lane_fail[0] && lane_fail[1]), "both samples of a pair failed at clock {t}");
            for (n, f) in lane_fails.iter_mut().zip(lane_fail) {
                *n += f as u32;
            }
            clears += c.clear as u32;
            if let Some([a, b]) = steps {
                lane_saturations[0] += (run_before != u16::MAX && a.run == u16::MAX) as u32;
                lane_saturations[1] += (a.run != u16::MAX && b.run == u16::MAX) as u32;
            }
            assert_eq!(dut.bit(fail), lane_fail[0] || lane_fail[1], "fail at clock {t}");
            assert_eq!(dut.m.get(run), model.run() as u64, "run at clock {t}");
            assert_eq!(dut.m.get(max_run), model.max_run() as u64, "max_run at clock {t}");
        }
        assert!(
        lane_fails.iter().all(|&n| n > 20)
            && lane_saturations.iter().all(|&n| n > 0)
            && clears > 50,
        "fails per lane {lane_fails:?}, saturations per lane {lane_saturations:?}, {clears} clears"
    );
    }
}
