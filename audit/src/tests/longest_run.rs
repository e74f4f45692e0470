//! SP 800-22 §2.4, longest run of ones in a block. One pass over blocks of M bits; the block
//! length and class probabilities follow n as in the spec's table (§2.4.2), with STS's exact
//! class probabilities for M = 8 and M = 128.

use crate::stats::{chi_square, igamc};

struct Params {
    m: usize,
    /// The longest run counted in the first class (runs at most this long) ...
    low: usize,
    /// ... and the probabilities of the classes low, low+1, ..., ≥ low+K.
    pi: &'static [f64],
}

const M8: Params = Params { m: 8, low: 1, pi: &[0.21484375, 0.3671875, 0.23046875, 0.1875] };
const M128: Params = Params {
    m: 128,
    low: 4,
    pi: &[0.1174035788, 0.242955959, 0.249363483, 0.17517706, 0.102701071, 0.112398847],
};
const M10K: Params =
    Params { m: 10_000, low: 10, pi: &[0.0882, 0.2092, 0.2483, 0.1933, 0.1208, 0.0675, 0.0727] };

/// p-value; sequences shorter than 128 bits are refused.
pub fn test(bits: &[u8]) -> Result<f64, String> {
    let n = bits.len();
    let p = match n {
        0..=127 => return Err(format!("needs at least 128 bits, has {n}")),
        128..=6271 => &M8,
        6272..=749_999 => &M128,
        _ => &M10K,
    };
    let k = p.pi.len() - 1;
    let mut nu = vec![0u64; k + 1];
    for block in bits.chunks_exact(p.m) {
        let (mut run, mut longest) = (0usize, 0usize);
        for &b in block {
            run = if b == 1 { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        nu[longest.clamp(p.low, p.low + k) - p.low] += 1;
    }
    let blocks = (n / p.m) as f64;
    Ok(igamc(k as f64 / 2.0, chi_square(&nu, p.pi, blocks) / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;

    #[test]
    fn section_2_4_8_example() {
        let e = parse_bits(
            "11001100000101010110110001001100111000000000001001\
             00110101010001000100111101011010000000110101111100\
             1100111001101101100010110010",
        );
        assert_eq!(e.len(), 128);
        assert!((test(&e).unwrap() - 0.180609).abs() < 1e-6, "{}", test(&e).unwrap());
    }

    #[test]
    fn short_sequences_are_refused() {
        assert!(test(&[0; 100]).unwrap_err().contains("128"));
    }
}
