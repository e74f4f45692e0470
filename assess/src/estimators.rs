//! Runs the ten estimators of SP 800-90B §6.3 on one sequence, in parallel: they are independent,
//! and the suffix-array and dictionary estimators dominate the time.

use crate::{collision, compression, lag, lz78y, markov, mcv, multi_mcw, multi_mmc, suffix, tuple};
use std::thread;

/// The estimators in SP 800-90B's order: (id used in JSON and fixtures, section, name).
pub const ESTIMATORS: [(&str, &str, &str); 10] = [
    ("mcv", "6.3.1", "most common value"),
    ("collision", "6.3.2", "collision"),
    ("markov", "6.3.3", "Markov"),
    ("compression", "6.3.4", "compression"),
    ("t_tuple", "6.3.5", "t-tuple"),
    ("lrs", "6.3.6", "LRS"),
    ("multi_mcw", "6.3.7", "MultiMCW prediction"),
    ("lag", "6.3.8", "lag prediction"),
    ("multi_mmc", "6.3.9", "MultiMMC prediction"),
    ("lz78y", "6.3.10", "LZ78Y prediction"),
];

/// Each estimator's min-entropy per sample of `s` (symbols below `k`), in [`ESTIMATORS`] order;
/// `None` where it does not apply (collision, Markov and compression need binary data) or has
/// too few samples to run, as NIST's tool leaves it out.
pub fn run(s: &[u8], k: usize) -> [Option<f64>; 10] {
    let binary = k <= 2;
    thread::scope(|sc| {
        let simple = sc.spawn(|| {
            let mcv = Some(mcv::estimate(s, k));
            if binary {
                [mcv, Some(collision::estimate(s)), Some(markov::estimate(s))]
            } else {
                [mcv, None, None]
            }
        });
        let comp = sc.spawn(|| if binary { compression::estimate(s) } else { None });
        let tup = sc.spawn(|| {
            let t = tuple::estimate(&suffix::tuple_counts(s), s.len());
            [t.t_tuple, t.lrs]
        });
        let mcw = sc.spawn(|| multi_mcw::predict(s, k).map(|p| p.entropy()));
        let lag = sc.spawn(|| (s.len() > 2).then(|| lag::predict(s, k).entropy()));
        let mmc = sc.spawn(|| multi_mmc::predict(s, k).map(|p| p.entropy()));
        let lz = lz78y::predict(s, k).map(|p| p.entropy());
        let [a, b, c] = simple.join().expect("estimator thread");
        let [t, l] = tup.join().expect("estimator thread");
        [
            a,
            b,
            c,
            comp.join().expect("estimator thread"),
            t,
            l,
            mcw.join().expect("estimator thread"),
            lag.join().expect("estimator thread"),
            mmc.join().expect("estimator thread"),
            lz,
        ]
    })
}
