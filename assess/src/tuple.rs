//! t-tuple (SP 800-90B §6.3.5) and longest repeated substring (§6.3.6) estimates. The t-tuple
//! estimate bounds how often the commonest short pattern recurs; LRS looks at the long patterns
//! (lengths where no tuple is common) through their collision rate. Together they catch repeats
//! at every scale, e.g. a periodic interference pattern.

use crate::stats::ZALPHA;
use crate::suffix::TupleCounts;

/// Tuples must occur at least this often for the t-tuple estimate to use them (step 1).
const CUTOFF: u64 = 35;

/// The two estimates over an alphabet of `k` symbols; `None` where the estimate cannot run
/// (no tuple occurs 35 times; no repeated string longer than those that do).
pub struct Tuple {
    pub t_tuple: Option<f64>,
    pub lrs: Option<f64>,
}

fn bound(p: f64, n: usize) -> f64 {
    -(p + ZALPHA * (p * (1.0 - p) / (n as f64 - 1.0)).sqrt()).min(1.0).log2()
}

pub fn estimate(c: &TupleCounts, n: usize) -> Tuple {
    // u: the shortest length whose commonest tuple occurs fewer than 35 times.
    let u = (1..=c.v).find(|&t| c.max_count[t] < CUTOFF).unwrap_or(c.v + 1);
    let pmax = (1..u)
        .map(|t| (c.max_count[t] as f64 / (n - t + 1) as f64).powf(1.0 / t as f64))
        .fold(-1.0, f64::max);
    let t_tuple = (pmax > 0.0).then(|| bound(pmax, n));
    let lrs = (c.v >= u).then(|| {
        let p = (u..=c.v)
            .map(|t| {
                let m = (n - t) as f64;
                let choices = m * (m + 1.0) / 2.0;
                (c.pairs[t] as f64 / choices).powf(1.0 / t as f64)
            })
            .fold(0.0, f64::max);
        bound(p, n)
    });
    Tuple { t_tuple, lrs }
}

#[cfg(test)]
mod tests {
    use crate::suffix::tuple_counts;

    /// Hand check: (0,0,1) repeated 300 times. Each t-tuple is one of 3 phases, so the commonest
    /// occurs ceil((901 - t) / 3) times: at least 35 up to t = 798, u = 799; the longest repeat is
    /// v = 897 >= u, so LRS runs too. Both p estimates are about (1/3)^(1/t) for t near 800,
    /// i.e. 0.9986: a periodic source has almost no entropy, and both estimates say so.
    #[test]
    fn periodic_sequence() {
        let s: Vec<u8> = [0, 0, 1].iter().cycle().take(900).copied().collect();
        let c = tuple_counts(&s);
        assert_eq!(c.v, 897);
        assert_eq!(c.max_count[798], 35);
        assert_eq!(c.max_count[799], 34);
        let e = super::estimate(&c, s.len());
        let (t, l) = (e.t_tuple.unwrap(), e.lrs.unwrap());
        assert!(t < 0.01 && l < 0.01, "{t} {l}");
    }
}
