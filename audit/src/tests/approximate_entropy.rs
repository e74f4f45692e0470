//! SP 800-22 §2.12, approximate entropy: frequencies of overlapping m- and (m+1)-bit patterns
//! (m = 10), wrapped around. One pass; shares the pattern counter with the serial test.

use super::serial::pattern_counts;
use crate::stats::igamc;

/// Default block length; §2.12.7 asks m < ⌊log2 n⌋ − 5.
pub const M: usize = 10;

fn phi(bits: &[u8], m: usize) -> f64 {
    let n = bits.len() as f64;
    pattern_counts(bits, m)
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            p * p.ln()
        })
        .sum()
}

/// p-value with block length `m`.
pub fn test_with(bits: &[u8], m: usize) -> f64 {
    let apen = phi(bits, m) - phi(bits, m + 1);
    let chi2 = 2.0 * bits.len() as f64 * (2f64.ln() - apen);
    igamc(2f64.powi(m as i32 - 1), chi2 / 2.0)
}

/// p-value with the default m.
pub fn test(bits: &[u8]) -> Result<f64, String> {
    if bits.len() < 1 << (M + 6) {
        return Err(format!("needs m < log2(n) - 5, i.e. at least {} bits", 1 << (M + 6)));
    }
    Ok(test_with(bits, M))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;
    use crate::tests::spec_examples::EPSILON_100;

    #[test]
    fn section_2_12_4_example() {
        assert!((test_with(&parse_bits("0100110101"), 3) - 0.261961).abs() < 1e-6);
    }

    #[test]
    fn section_2_12_8_example() {
        assert!((test_with(&parse_bits(EPSILON_100), 2) - 0.235301).abs() < 1e-6);
    }
}
