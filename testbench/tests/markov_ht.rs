//! `speckle_markov_ht` under Verilator against `speckle_model::markov_ht`: 10^6 clocks per profile
//! of random `sample_valid` and a source that switches between fair, sticky (too few transitions)
//! and alternating (too many) every few windows, with random `clear` / `stats_clear`; `fail`,
//! `window_done`, `transitions` and the min/max statistics are compared after every clock. The
//! pair form (profile ecp5-ddr) gets the same against the model stepped twice a clock.

mod datapath;

use datapath::{rng, Dut, HtClock, HtInputs, HtPairClock, DDR_PROFILES, PROFILES};
use rand::RngExt;
use speckle_model::markov_ht::Markov;
use speckle_model::params::CoreParams;

#[test]
fn markov_matches_model_clock_by_clock() {
    for (seed, profile) in PROFILES.iter().enumerate() {
        let p = CoreParams::profile(profile).unwrap();
        let c = p.cutoffs();
        let mut dut = Dut::open(profile, "speckle_markov_ht");
        let inputs = HtInputs::new(&dut);
        let names = ["fail", "window_done", "transitions", "min_transitions", "max_transitions"];
        let [fail, done, trans, tmin, tmax] = names.map(|n| dut.port(n));
        let mut model = Markov::new(p.window, c.markov_lo, c.markov_hi);
        let mut r = rng(30 + seed as u64);
        // Probability that a sample differs from the previous one.
        let (mut flip, mut s, mut fails, mut windows) = (0.5, false, 0u32, 0u32);
        for t in 0..1_000_000u64 {
            if r.random_bool(1.0 / 3000.0) {
                flip = [0.5, 0.5, 0.3, 0.7, 0.05, 0.95][r.random_range(0..6)];
            }
            let v = r.random_bool(0.7);
            if v && r.random_bool(flip) {
                s = !s;
            }
            let c = HtClock {
                sample: s,
                valid: v,
                clear: r.random_bool(5e-5),
                stats_clear: r.random_bool(5e-4),
            };
            inputs.clock(&mut dut, c);
            // The RTL's order within a clock: `stats_clear`, the fold of the window that ended in the
            // previous clock (`settle`), the sample, `clear` (datapath::model_clock's, plus the fold).
            if c.stats_clear {
                model.stats_clear();
            }
            model.settle();
            let step = c.valid.then(|| model.sample(c.sample));
            if c.clear {
                model.clear();
            }
            let want_fail = step.is_some_and(|x| x.fail);
            let want_done = step.and_then(|x| x.window_done).is_some();
            fails += want_fail as u32;
            windows += want_done as u32;
            assert_eq!(dut.bit(fail), want_fail, "{profile}: fail at clock {t}");
            assert_eq!(dut.bit(done), want_done, "{profile}: window_done at clock {t}");
            assert_eq!(
                dut.m.get(trans),
                model.transitions() as u64,
                "{profile}: transitions at clock {t}"
            );
            assert_eq!(dut.m.get(tmin), model.min() as u64, "{profile}: min at clock {t}");
            assert_eq!(dut.m.get(tmax), model.max() as u64, "{profile}: max at clock {t}");
        }
        assert!(fails > 20 && windows > 500, "{profile}: {fails} failures, {windows} windows");
    }
}

/// The pair form: each valid clock is the model fed `sample[0]` then `sample[1]`, so transitions
/// across and inside pairs both count; a source switching between fair, sticky and alternating
/// every ~1000 clocks must make windows fail both below `markov_lo` and above `markov_hi`.
#[test]
fn markov_pair_matches_model_clock_by_clock() {
    for profile in DDR_PROFILES {
        let p = CoreParams::profile(profile).unwrap();
        let cut = p.cutoffs();
        let mut dut = Dut::open(profile, "speckle_markov_ht");
        let inputs = HtInputs::new(&dut);
        let names = ["fail", "window_done", "transitions", "min_transitions", "max_transitions"];
        let [fail, done, trans, tmin, tmax] = names.map(|n| dut.port(n));
        let mut model = Markov::new(p.window, cut.markov_lo, cut.markov_hi);
        let mut r = rng(35);
        let (mut flip, mut pv, mut s) = (0.5, 1.0, false);
        let (mut lo_fails, mut hi_fails, mut windows, mut clears) = (0u32, 0u32, 0u32, 0u32);
        for t in 0..400_000u64 {
            if r.random_bool(1.0 / 1000.0) {
                flip = [0.5, 0.3, 0.7, 0.05, 0.95][r.random_range(0..5)];
                // Mostly every clock, as the DDR sampler gives them, but any pattern must work.
                pv = [1.0, 1.0, 0.7, 0.2][r.random_range(0..4)];
            }
            let v = r.random_bool(pv);
            let mut pair = [false; 2];
            for b in &mut pair {
                if r.random_bool(flip) {
                    s = !s;
                }
                *b = s;
            }
            let c = HtPairClock {
                sample: pair,
                valid: v,
                clear: r.random_bool(5e-5),
                stats_clear: r.random_bool(5e-4),
            };
            inputs.clock_pair(&mut dut, c);
            // The single-lane order (`stats_clear`, fold, sample, `clear`) with both samples in turn.
            if c.stats_clear {
                model.stats_clear();
            }
            model.settle();
            let steps = v.then(|| pair.map(|b| model.sample(b)));
            if c.clear {
                model.clear();
                clears += 1;
            }
            let (mut want_fail, mut want_done) = (false, false);
            for step in steps.iter().flatten() {
                want_fail |= step.fail;
                if let Some(n) = step.window_done {
                    want_done = true;
                    windows += 1;
                    lo_fails += (step.fail && u32::from(n) < cut.markov_lo) as u32;
                    hi_fails += (step.fail && u32::from(n) > cut.markov_hi) as u32;
                }
            }
            assert_eq!(dut.bit(fail), want_fail, "fail at clock {t}");
            assert_eq!(dut.bit(done), want_done, "window_done at clock {t}");
            assert_eq!(dut.m.get(trans), model.transitions() as u64, "transitions at clock {t}");
            assert_eq!(dut.m.get(tmin), model.min() as u64, "min at clock {t}");
            assert_eq!(dut.m.get(tmax), model.max() as u64, "max at clock {t}");
        }
        assert!(
            lo_fails > 10 && hi_fails > 10 && windows > 200 && clears > 5,
            "{lo_fails} low and {hi_fails} high failures, {windows} windows, {clears} clears"
        );
    }
}
