//! paranoid_crypto's linear complexity scatter test (not in SP 800-22): the sequence is split
//! into `step` interleaved subsequences (bits i, i + step, i + 2·step, ...) and the linear
//! complexity of each is found by Berlekamp–Massey. Some generators (an LCG's low bit, a
//! truncated LFSR) are linear only in one bit position of each output word; SP 800-22's 500-bit
//! blocks never see that, the subsequence at that position has a tiny complexity.
//!
//! For a random sequence of length n, P(L = m) is 2^−n for m = 0, 2^(2m−n−1) for 0 < m ≤ n/2 and
//! 2^(n−2m) above (Rueppel). Each subsequence gets the one-sided p-value P(L ≤ observed), and the
//! `step` p-values are combined with Fisher's method, −2 Σ ln p ~ χ²(2·step). That combination is
//! ours (paranoid_crypto combines log-probabilities with a binomial bound); with discrete p-values
//! it is conservative. Blockwise: each subsequence is capped at `max_len` bits, as paranoid_crypto
//! caps its blocks, so that the O(len²) Berlekamp–Massey stays a fixed cost per sequence.

use super::gf2;
use crate::stats::igamc;

/// The steps tested by default (32- and 64-bit words) and the subsequence length cap.
pub const STEPS: [usize; 2] = [32, 64];
pub const MAX_LEN: usize = 5000;

/// P(L ≤ m) for a random sequence of n bits, in log2 terms summed exactly.
pub fn complexity_cdf(m: usize, n: usize) -> f64 {
    let p = |k: usize| -> f64 {
        let (k, n) = (k as f64, n as f64);
        if k == 0.0 {
            2f64.powf(-n)
        } else if 2.0 * k <= n {
            2f64.powf(2.0 * k - n - 1.0)
        } else {
            2f64.powf(n - 2.0 * k)
        }
    };
    // The upper part sums to at most 2^(n−2m)/(1 − 1/4); adding small terms first keeps precision.
    (0..=m.min(n)).rev().map(p).fold(0.0, |a, x| a + x).min(1.0)
}

/// p-value for one step: subsequences of at most `max_len` bits from the first step·max_len bits.
pub fn test_step(bits: &[u8], step: usize, max_len: usize) -> f64 {
    let used = &bits[..bits.len().min(step * max_len)];
    let mut fisher = 0.0;
    for i in 0..step {
        let sub: Vec<u8> = used.iter().skip(i).step_by(step).copied().collect();
        let p = complexity_cdf(gf2::linear_complexity(&sub), sub.len());
        fisher += -2.0 * p.max(f64::MIN_POSITIVE).ln();
    }
    igamc(step as f64, fisher / 2.0)
}

/// One p-value per default step.
pub fn test(bits: &[u8]) -> Result<Vec<f64>, String> {
    let need = STEPS[STEPS.len() - 1] * 100;
    if bits.len() < need {
        return Err(format!("needs at least {need} bits"));
    }
    Ok(STEPS.iter().map(|&s| test_step(bits, s, MAX_LEN)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complexity_distribution_sums_to_one() {
        for n in [1, 10, 101, 1000] {
            assert!((complexity_cdf(n, n) - 1.0).abs() < 1e-12, "n={n}");
            // A random sequence's complexity is about n/2: P(L ≤ n/2 − 10) is tiny.
            assert!(complexity_cdf(n / 2, n) > 0.3);
        }
        assert!(complexity_cdf(490, 1000) < 1e-5);
    }

    #[test]
    fn a_linear_low_bit_fails() {
        // A 32-bit LCG's output words: bit 0 has period 2, bit 1 period 4, ...
        let mut x = 12345u32;
        let mut bits = Vec::new();
        for _ in 0..4000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            bits.extend((0..32).map(|i| (x >> i) as u8 & 1));
        }
        assert!(test_step(&bits, 32, MAX_LEN) < 1e-10);
    }
}
