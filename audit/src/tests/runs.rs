//! SP 800-22 §2.3, runs: is the number of runs of identical bits what a fair coin gives? One pass.
//! The test presumes a passed frequency test: when |π − 1/2| ≥ 2/√n it returns 0, as STS does.

use crate::stats::erfc;

/// p-value of the runs test.
pub fn test(bits: &[u8]) -> f64 {
    let n = bits.len() as f64;
    let pi = bits.iter().map(|&b| b as u64).sum::<u64>() as f64 / n;
    if (pi - 0.5).abs() >= 2.0 / n.sqrt() {
        return 0.0;
    }
    let v = 1 + bits.windows(2).filter(|w| w[0] != w[1]).count();
    let q = pi * (1.0 - pi);
    erfc((v as f64 - 2.0 * n * q).abs() / (2.0 * (2.0 * n).sqrt() * q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;
    use crate::tests::spec_examples::EPSILON_100;

    #[test]
    fn section_2_3_4_example() {
        assert!((test(&parse_bits("1001101011")) - 0.147232).abs() < 1e-6);
    }

    #[test]
    fn section_2_3_8_example() {
        assert!((test(&parse_bits(EPSILON_100)) - 0.500798).abs() < 1e-6);
    }

    #[test]
    fn a_biased_sequence_fails_the_prerequisite() {
        // 100 bits, 80 ones: |0.8 − 0.5| > 2/√100.
        let bits: Vec<u8> = (0..100).map(|i| (i % 10 < 8) as u8).collect();
        assert_eq!(test(&bits), 0.0);
    }
}
