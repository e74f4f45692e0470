//! SP 800-22 §2.1, frequency (monobit): is the proportion of ones near 1/2? One pass, O(1) state.

use crate::stats::erfc;

/// p-value of the frequency test.
pub fn test(bits: &[u8]) -> f64 {
    let n = bits.len() as f64;
    let ones = bits.iter().map(|&b| b as i64).sum::<i64>();
    let s = 2 * ones - bits.len() as i64;
    erfc(s.unsigned_abs() as f64 / n.sqrt() / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;
    use crate::tests::spec_examples::EPSILON_100;

    #[test]
    fn section_2_1_4_example() {
        assert!((test(&parse_bits("1011010101")) - 0.527089).abs() < 1e-6);
    }

    #[test]
    fn section_2_1_8_example() {
        assert!((test(&parse_bits(EPSILON_100)) - 0.109599).abs() < 1e-6);
    }
}
