//! paranoid_crypto's large binary matrix rank test (not in SP 800-22): one square matrix of each
//! size 64, 128, 256, ... that fits, filled from the start of the sequence. A rank deficiency
//! that 32×32 matrices cannot see (a linear dependency spanning more than 1024 bits, as from an
//! LFSR or a linear generator of large state) shows as a rank well below the size.
//!
//! The p-value of one matrix is P(rank ≤ observed) for a random matrix of that size, computed
//! from the exact rank distribution (SP 800-22 §3.5's formula), one-sided because only a low rank
//! is suspicious. Blockwise: memory is the largest matrix, n bits packed.

use super::gf2;

/// Smallest matrix side.
pub const MIN_SIZE: usize = 64;

/// P(rank ≤ r) for a random size×size binary matrix.
pub fn rank_cdf(r: usize, size: usize) -> f64 {
    if r >= size {
        return 1.0;
    }
    (0..=r).map(|j| gf2::rank_probability(j, size, size)).sum::<f64>().min(1.0)
}

/// One p-value per matrix size, 64 upward while size² ≤ n.
pub fn test(bits: &[u8]) -> Result<Vec<(usize, f64)>, String> {
    if bits.len() < MIN_SIZE * MIN_SIZE {
        return Err(format!("needs at least {} bits", MIN_SIZE * MIN_SIZE));
    }
    let mut out = Vec::new();
    let mut size = MIN_SIZE;
    while size * size <= bits.len() {
        let r = gf2::rank(&bits[..size * size], size, size);
        out.push((size, rank_cdf(r, size)));
        size *= 2;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_probabilities_match_the_asymptotic_ones() {
        // Large square matrices: P(rank ≤ n−1) → 1 − Π(1 − 2^−i) = 0.711212, P(rank ≤ n−2) →
        // 0.133636 (paranoid_crypto's table, which is the limit of this distribution).
        assert!((rank_cdf(63, 64) - 0.711212).abs() < 1e-6);
        assert!((rank_cdf(62, 64) - 0.133636).abs() < 1e-6);
        assert_eq!(rank_cdf(64, 64), 1.0);
    }

    #[test]
    fn a_repeating_sequence_has_a_tiny_p_value() {
        // Period 1000 bits: every 64×64 matrix row is a shifted copy of earlier bits.
        let base: Vec<u8> =
            (0..1000u32).map(|i| (i.wrapping_mul(2654435761) >> 31) as u8).collect();
        let bits: Vec<u8> = base.iter().cycle().take(1 << 14).copied().collect();
        let p = test(&bits).unwrap();
        assert!(p.iter().any(|&(_, p)| p < 1e-20), "{p:?}");
    }
}
