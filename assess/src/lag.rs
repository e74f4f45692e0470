//! Lag prediction estimate (SP 800-90B §6.3.8): 128 predictors each guess that the sample equals
//! the one d back; the best so far predicts. Catches periodic structure up to period 128, such as
//! pick-up of a clock or a switching regulator.

use crate::predict::{Prediction, Score};

const D: usize = 128;

/// Counts for an alphabet of `k` symbols (at least 3 samples).
///
/// Per symbol, a 128-bit mask records where it occurred in the last 128 positions; it is shifted
/// only when that symbol recurs, so each step touches just the lags that scored.
pub fn predict(s: &[u8], k: usize) -> Prediction {
    let mut scoreboard = [0u64; D];
    let (mut winner, mut high) = (0usize, 0u64);
    // occ[c] bit j: s[last[c] - j] == c.
    let mut occ = vec![0u128; k];
    let mut last = vec![0usize; k];
    occ[s[0] as usize] = 1;
    let mut score = Score::default();
    for i in 1..s.len() {
        let c = s[i] as usize;
        score.record(s[i] == s[i - winner - 1]);
        let age = i - last[c];
        // Bit d - 1 of `m`: s[i - d] == c, for d = 1..=128.
        let seen = if occ[c] == 0 || age > D { 0 } else { occ[c] << (age - 1) };
        // Lags in increasing order, one 64-bit half at a time (u128 bit scans are slow).
        for (half, base) in [(seen as u64, 0usize), ((seen >> 64) as u64, 64)] {
            let mut m = half;
            while m != 0 {
                let b = base + m.trailing_zeros() as usize;
                m &= m - 1;
                scoreboard[b] += 1;
                if scoreboard[b] >= high {
                    winner = b;
                    high = scoreboard[b];
                }
            }
        }
        occ[c] = (seen << 1) | 1;
        last[c] = i;
    }
    score.prediction((s.len() - 1) as u64, k)
}

#[cfg(test)]
mod tests {
    /// Hand check: period 5 is learnt after a few samples (lag 5 scores on every sample from
    /// i = 5 on), after which every prediction is right.
    #[test]
    fn periodic_sequence_is_learnt() {
        let s: Vec<u8> = [0, 1, 1, 0, 1].iter().cycle().take(10_000).copied().collect();
        let p = super::predict(&s, 2);
        assert!(p.correct >= 9_990 && p.max_run >= 9_990, "{p:?}");
        assert!(p.entropy() < 0.01);
    }

    /// Against the direct definition (each lag checked explicitly) on pseudo-random symbols.
    #[test]
    fn matches_direct_definition() {
        let mut x = 7u32;
        let s: Vec<u8> = (0..5000)
            .map(|_| {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                ((x >> 24) % 5) as u8
            })
            .collect();
        let mut sb = [0u64; 128];
        let (mut w, mut score) = (0usize, crate::predict::Score::default());
        for i in 1..s.len() {
            score.record(s[i] == s[i - w - 1]);
            for d in 1..=128.min(i) {
                if s[i - d] == s[i] {
                    sb[d - 1] += 1;
                    if sb[d - 1] >= sb[w] {
                        w = d - 1;
                    }
                }
            }
        }
        assert_eq!(super::predict(&s, 5), score.prediction(4999, 5));
    }
}
