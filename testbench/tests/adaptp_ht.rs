//! `speckle_adaptp_ht` under Verilator against `speckle_model::adaptp_ht`: 10^6 clocks per profile
//! of random `sample_valid`, a source whose bias changes every few windows between fair and badly
//! biased (so the cutoff is crossed many times), random `clear` / `stats_clear`; `fail`,
//! `window_done`, `count` and `max_count` are compared after every clock. The pair form (profile
//! `ecp5-ddr`) is compared likewise with the model stepped twice per valid pair.

mod datapath;

use datapath::{
    model_clock, model_pair_clock, rng, Dut, HtClock, HtInputs, HtPairClock, DDR_PROFILES, PROFILES,
};
use rand::RngExt;
use speckle_model::adaptp_ht::AdaptProp;
use speckle_model::params::CoreParams;

#[test]
fn apt_matches_model_clock_by_clock() {
    for (seed, profile) in PROFILES.iter().enumerate() {
        let p = CoreParams::profile(profile).unwrap();
        let c = p.cutoffs();
        let mut dut = Dut::open(profile, "speckle_adaptp_ht");
        let inputs = HtInputs::new(&dut);
        let [fail, done, count, max_count] =
            ["fail", "window_done", "count", "max_count"].map(|n| dut.port(n));
        let mut model = AdaptProp::new(p.window, c.apt);
        let mut r = rng(20 + seed as u64);
        let (mut bias, mut fails, mut windows) = (0.5, 0u32, 0u32);
        for t in 0..1_000_000u64 {
            if r.random_bool(1.0 / 3000.0) {
                bias = [0.5, 0.7, 0.85, 0.95, 0.05][r.random_range(0..5)];
            }
            let v = r.random_bool(0.7);
            let s = r.random_bool(bias);
            let c = HtClock {
                sample: s,
                valid: v,
                clear: r.random_bool(5e-5),
                stats_clear: r.random_bool(5e-4),
            };
            inputs.clock(&mut dut, c);
            let step = model_clock(
                &mut model,
                c,
                AdaptProp::stats_clear,
                AdaptProp::sample,
                AdaptProp::clear,
            );
            let want_fail = step.is_some_and(|x| x.fail);
            let want_done = step.and_then(|x| x.window_done).is_some();
            fails += want_fail as u32;
            windows += want_done as u32;
            assert_eq!(dut.bit(fail), want_fail, "{profile}: fail at clock {t}");
            assert_eq!(dut.bit(done), want_done, "{profile}: window_done at clock {t}");
            assert_eq!(dut.m.get(count), model.count() as u64, "{profile}: count at clock {t}");
            assert_eq!(
                dut.m.get(max_count),
                model.max_count() as u64,
                "{profile}: max_count at clock {t}"
            );
        }
        assert!(fails > 20 && windows > 500, "{profile}: {fails} failures, {windows} windows");
    }
}

/// The pair form in `ecp5-ddr` against the model stepped on bit 0 then bit 1 of every valid pair,
/// with the single-lane test's switching bias, random `sample_valid`, `clear` and `stats_clear`.
#[test]
fn apt_pair_matches_model_stepped_twice_per_pair() {
    for profile in DDR_PROFILES {
        let p = CoreParams::profile(profile).unwrap();
        let mut dut = Dut::open(profile, "speckle_adaptp_ht");
        let inputs = HtInputs::new(&dut);
        let [fail, done, count, max_count] =
            ["fail", "window_done", "count", "max_count"].map(|n| dut.port(n));
        let mut model = AdaptProp::new(p.window, p.cutoffs().apt);
        let mut r = rng(40);
        let mut bias = 0.5;
        let (mut lane_fails, mut windows, mut clears) = ([0u32; 2], 0u32, 0u32);
        for t in 0..600_000u64 {
            if r.random_bool(1.0 / 1500.0) {
                bias = [0.5, 0.7, 0.85, 0.95, 0.05][r.random_range(0..5)];
            }
            let c = HtPairClock {
                sample: [r.random_bool(bias), r.random_bool(bias)],
                valid: r.random_bool(0.7),
                clear: r.random_bool(5e-5),
                stats_clear: r.random_bool(5e-4),
            };
            inputs.clock_pair(&mut dut, c);
            let steps = model_pair_clock(
                &mut model,
                c,
                AdaptProp::stats_clear,
                AdaptProp::sample,
                AdaptProp::clear,
            );
            let lane_fail = steps.map_or([false; 2], |x| x.map(|y| y.fail));
            assert!(!(lane_fail[0] && lane_fail[1]), "both samples of a pair failed at clock {t}");
            let lane_done = steps.map_or([false; 2], |x| x.map(|y| y.window_done.is_some()));
            assert!(!lane_done[0], "a window ended inside a pair at clock {t}");
            for (n, f) in lane_fails.iter_mut().zip(lane_fail) {
                *n += f as u32;
            }
            windows += lane_done[1] as u32;
            clears += c.clear as u32;
            assert_eq!(dut.bit(fail), lane_fail[0] || lane_fail[1], "fail at clock {t}");
            assert_eq!(dut.bit(done), lane_done[1], "window_done at clock {t}");
            assert_eq!(dut.m.get(count), model.count() as u64, "count at clock {t}");
            assert_eq!(dut.m.get(max_count), model.max_count() as u64, "max_count at clock {t}");
        }
        assert!(
            lane_fails.iter().all(|&n| n > 10) && windows > 500 && clears > 10,
            "fails per lane {lane_fails:?}, {windows} windows, {clears} clears"
        );
    }
}
