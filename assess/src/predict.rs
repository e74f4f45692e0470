//! The prediction estimate shared by MultiMCW, lag, MultiMMC and LZ78Y (SP 800-90B §6.3.7-6.3.10,
//! final steps): min-entropy from the larger of the global success rate's upper bound and the
//! local bound implied by the longest run of correct predictions.

use crate::stats::{bisect, ZALPHA};

/// Probability that N predictions with per-prediction success `p` contain no run of `r` successes,
/// as a logarithm (SP 800-90B §6.3.7 step 10, solved by fixed-point iteration as NIST's tool does).
fn log_no_run(p: f64, r: f64, n: f64) -> f64 {
    let q = 1.0 - p;
    let (mut x, mut last) = (1.0_f64, 0.0_f64);
    let mut i = 0;
    while i <= 65 && (x - last) > f64::EPSILON * x {
        last = x;
        x = 1.0 + q * p.powf(r) * x.powf(r + 1.0);
        i += 1;
    }
    (1.0 - p * x).ln() - ((r + 1.0 - r * x) * q).ln() - (n + 1.0) * x.ln()
}

/// What a predictor's counts give: `correct` of `n` predictions right, the longest run of right
/// ones `max_run`, over an alphabet of `k` symbols.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    pub correct: u64,
    pub n: u64,
    pub max_run: u64,
    pub k: usize,
}

impl Prediction {
    /// Min-entropy per sample: -log2(max(p_global', p_local, 1/k)).
    pub fn entropy(&self) -> f64 {
        let n = self.n as f64;
        let p_global = self.correct as f64 / n;
        let p_global_u = if p_global > 0.0 {
            (p_global + ZALPHA * (p_global * (1.0 - p_global) / (n - 1.0)).sqrt()).min(1.0)
        } else {
            1.0 - 0.01_f64.powf(1.0 / n)
        };
        let mut cur = (1.0 / self.k as f64).max(p_global_u);
        let r = (self.max_run + 1) as f64;
        let log_alpha = 0.99_f64.ln();
        // Only when the run is unlikely at p_global' does the local bound exceed it.
        if cur < 1.0 && log_no_run(cur, r, n) > log_alpha {
            let p_local = bisect(|p| log_no_run(p, r, n), log_alpha, cur, 1.0, 1.0);
            cur = cur.max(p_local);
        }
        -cur.log2()
    }
}

/// Accumulates right/wrong predictions and the longest run of right ones.
#[derive(Default)]
pub struct Score {
    pub correct: u64,
    run: u64,
    pub max_run: u64,
}

impl Score {
    pub fn record(&mut self, right: bool) {
        if right {
            self.correct += 1;
            self.run += 1;
            self.max_run = self.max_run.max(self.run);
        } else {
            self.run = 0;
        }
    }

    pub fn prediction(&self, n: u64, k: usize) -> Prediction {
        Prediction { correct: self.correct, n, max_run: self.max_run, k }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand checks of the three branches. Never right: P_global' = 1 - 0.01^(1/N) is below 1/k,
    /// so H = log2 k. Always right: H = 0. 60 % right in 10 000 with a longest run of 20: the
    /// global bound 0.6 + 2.576 √(0.24 / 9999) = 0.61262 dominates (a run of 20 is likely at that
    /// rate), so H = -log2(0.61262) = 0.70694. A run of 200 in the same counts is not: the local
    /// bound must rise above the global one.
    #[test]
    fn global_and_local_bounds() {
        let p = |correct, max_run, k| Prediction { correct, n: 10_000, max_run, k }.entropy();
        assert!((p(0, 0, 2) - 1.0).abs() < 1e-12);
        assert!((p(0, 0, 4) - 2.0).abs() < 1e-12);
        assert_eq!(p(10_000, 10_000, 2), 0.0);
        let global = 0.6 + ZALPHA * (0.24f64 / 9_999.0).sqrt();
        assert!((p(6_000, 20, 2) + global.log2()).abs() < 1e-12);
        assert!((p(6_000, 20, 2) - 0.70694).abs() < 1e-5);
        assert!(p(6_000, 200, 2) < p(6_000, 20, 2) - 0.1);
    }
}
