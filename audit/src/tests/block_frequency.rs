//! SP 800-22 §2.2, frequency within a block: is the proportion of ones in each M-bit block near
//! 1/2? One pass; state is the current block's count and the running chi-square.

use crate::stats::igamc;

/// STS's default block length (SP 800-22 §2.2.7 asks for M ≥ 20, M > 0.01 n).
pub const DEFAULT_M: usize = 128;

/// p-value with block length `m`; trailing bits that do not fill a block are discarded.
pub fn test(bits: &[u8], m: usize) -> f64 {
    let blocks = bits.len() / m;
    let chi2: f64 = bits
        .chunks_exact(m)
        .map(|b| {
            let pi = b.iter().map(|&x| x as u32).sum::<u32>() as f64 / m as f64;
            (pi - 0.5).powi(2)
        })
        .sum::<f64>()
        * 4.0
        * m as f64;
    igamc(blocks as f64 / 2.0, chi2 / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;
    use crate::tests::spec_examples::EPSILON_100;

    #[test]
    fn section_2_2_4_example() {
        assert!((test(&parse_bits("0110011010"), 3) - 0.801252).abs() < 1e-6);
    }

    #[test]
    fn section_2_2_8_example() {
        assert!((test(&parse_bits(EPSILON_100), 10) - 0.706438).abs() < 1e-6);
    }
}
