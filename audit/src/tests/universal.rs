//! SP 800-22 §2.9, Maurer's universal statistical test: the mean log2 distance between repeats
//! of L-bit words. One pass over L-bit blocks with a table of 2^L last positions (bounded
//! memory); L and Q = 10·2^L follow n as in §2.9.7 (STS's thresholds).

use crate::stats::erfc;

/// Expected value and variance of f_n for L = 1..=16 (§2.9.4's table; index 0 unused).
const EXPECTED: [f64; 17] = [
    0.0, 0.7326495, 1.5374383, 2.4016068, 3.3112247, 4.2534266, 5.2177052, 6.1962507, 7.1836656,
    8.1764248, 9.1723243, 10.170032, 11.168765, 12.168070, 13.167693, 14.167488, 15.167379,
];
const VARIANCE: [f64; 17] = [
    0.0, 0.690, 1.338, 1.901, 2.358, 2.705, 2.954, 3.125, 3.238, 3.311, 3.356, 3.384, 3.401, 3.410,
    3.416, 3.419, 3.421,
];

/// Smallest n for L = 6..=16.
const THRESHOLDS: [usize; 11] = [
    387_840,
    904_960,
    2_068_480,
    4_654_080,
    10_342_400,
    22_753_280,
    49_643_520,
    107_560_960,
    231_669_760,
    496_435_200,
    1_059_061_760,
];

/// The statistic f_n over blocks of `l` bits, the first `q` of them initialising the table.
pub fn statistic(bits: &[u8], l: usize, q: usize) -> f64 {
    let blocks = bits.len() / l;
    let mut last = vec![0usize; 1 << l];
    let word =
        |i: usize| bits[i * l..(i + 1) * l].iter().fold(0usize, |w, &b| (w << 1) | b as usize);
    for i in 0..q {
        last[word(i)] = i + 1;
    }
    let mut sum = 0.0;
    for i in q..blocks {
        let w = word(i);
        sum += ((i + 1 - last[w]) as f64).log2();
        last[w] = i + 1;
    }
    sum / (blocks - q) as f64
}

/// p-value with the L chosen from n; sequences under 387 840 bits are refused (§2.9.7).
pub fn test(bits: &[u8]) -> Result<f64, String> {
    let n = bits.len();
    let Some(idx) = THRESHOLDS.iter().rposition(|&t| n >= t) else {
        return Err(format!("needs at least {} bits, has {n}", THRESHOLDS[0]));
    };
    let l = 6 + idx;
    let q = 10 << l;
    let k = (n / l - q) as f64;
    let fn_ = statistic(bits, l, q);
    let c = 0.7 - 0.8 / l as f64 + (4.0 + 32.0 / l as f64) * k.powf(-3.0 / l as f64) / 15.0;
    let sigma = c * (VARIANCE[l] / k).sqrt();
    Ok(erfc((fn_ - EXPECTED[l]).abs() / (std::f64::consts::SQRT_2 * sigma)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;

    /// §2.9.4: L = 2, Q = 4. The text's p-value takes σ = √variance without the c·/√K
    /// correction, so it is recomputed that way here from the statistic.
    #[test]
    fn section_2_9_4_example() {
        let f = statistic(&parse_bits("01011010011101010111"), 2, 4);
        assert!((f - 1.1949875).abs() < 1e-7, "{f}");
        let p = erfc((f - EXPECTED[2]).abs() / (std::f64::consts::SQRT_2 * VARIANCE[2].sqrt()));
        assert!((p - 0.767189).abs() < 1e-6, "{p}");
    }

    #[test]
    fn short_sequences_are_refused() {
        assert!(test(&[0; 1000]).unwrap_err().contains("387840"));
    }
}
