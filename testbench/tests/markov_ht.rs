//! `speckle_markov_ht` under Verilator against `speckle_model::markov_ht`: 10^6 clocks per profile
//! of random `sample_valid` and a source that switches between fair, sticky (too few transitions)
//! and alternating (too many) every few windows, with random `clear` / `stats_clear`; `fail`,
//! `window_done`, `transitions` and the min/max statistics are compared after every clock.

mod datapath;

use datapath::{rng, Dut, HtClock, HtInputs, PROFILES};
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
