//! SP 800-22 §2.13, cumulative sums: the maximal excursion of the ±1 random walk, forward and
//! backward. Forward is one pass with O(1) state; backward needs only the final sum and the
//! running minimum and maximum, so it is one pass too (max |S_n − S_k| over k).

use crate::stats::normal_cdf;

/// p-value for a maximal excursion `z` of an n-step walk (§2.13.4 step 4, STS's summation
/// limits: truncation toward zero).
pub fn p_value(n: usize, z: i64) -> f64 {
    if z == 0 {
        return 1.0;
    }
    let (nf, zf) = (n as f64, z as f64);
    let sq = nf.sqrt();
    let mut s1 = 0.0;
    for k in ((-nf / zf + 1.0) / 4.0) as i64..=((nf / zf - 1.0) / 4.0) as i64 {
        let k = k as f64;
        s1 += normal_cdf((4.0 * k + 1.0) * zf / sq) - normal_cdf((4.0 * k - 1.0) * zf / sq);
    }
    let mut s2 = 0.0;
    for k in ((-nf / zf - 3.0) / 4.0) as i64..=((nf / zf - 1.0) / 4.0) as i64 {
        let k = k as f64;
        s2 += normal_cdf((4.0 * k + 3.0) * zf / sq) - normal_cdf((4.0 * k + 1.0) * zf / sq);
    }
    1.0 - s1 + s2
}

/// The forward and backward p-values.
pub fn test(bits: &[u8]) -> [f64; 2] {
    let (mut s, mut fwd) = (0i64, 0i64);
    for &b in bits {
        s += 2 * b as i64 - 1;
        fwd = fwd.max(s.abs());
    }
    // Backward partial sums are S_n − S_{n−k}, k = 1..n: their largest magnitude is the largest
    // distance from S_n to any earlier partial sum S_0 = 0 .. S_{n−1}.
    let (mut lo_b, mut hi_b, mut t) = (0i64, 0i64, 0i64);
    for &b in &bits[..bits.len().saturating_sub(1)] {
        t += 2 * b as i64 - 1;
        lo_b = lo_b.min(t);
        hi_b = hi_b.max(t);
    }
    let bwd = (s - lo_b).abs().max((s - hi_b).abs());
    [p_value(bits.len(), fwd), p_value(bits.len(), bwd)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;
    use crate::tests::spec_examples::EPSILON_100;

    #[test]
    fn section_2_13_4_example() {
        assert!((test(&parse_bits("1011010111"))[0] - 0.4116588).abs() < 1e-6);
    }

    #[test]
    fn section_2_13_8_example() {
        let p = test(&parse_bits(EPSILON_100));
        assert!((p[0] - 0.219194).abs() < 1e-6, "{p:?}");
        assert!((p[1] - 0.114866).abs() < 1e-6, "{p:?}");
    }
}
