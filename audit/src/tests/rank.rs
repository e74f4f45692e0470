//! SP 800-22 §2.5, binary matrix rank: ranks of disjoint 32×32 matrices. One pass, blockwise
//! (1024 bits a matrix); leftover bits are discarded.

use super::gf2;
use crate::stats::chi_square;

/// p-value with `rows`×`cols` matrices (the spec's default is 32×32). The class probabilities
/// are always those of 32×32 matrices, as §2.5.4 step 4 writes them (0.2888, 0.5776, 0.1336):
/// the text's small 3×3 example uses them too.
pub fn test(bits: &[u8], rows: usize, cols: usize) -> Result<f64, String> {
    let probs = [gf2::rank_probability(32, 32, 32), gf2::rank_probability(31, 32, 32)];
    test_with_probs(bits, rows, cols, probs)
}

/// As `test`, with the probabilities of full rank and full rank − 1 given.
pub fn test_with_probs(
    bits: &[u8],
    rows: usize,
    cols: usize,
    probs: [f64; 2],
) -> Result<f64, String> {
    let size = rows * cols;
    let n_mat = bits.len() / size;
    if n_mat == 0 {
        return Err(format!("needs at least one {rows}x{cols} matrix ({size} bits)"));
    }
    let full = rows.min(cols);
    let mut f = [0u64; 3];
    for m in bits.chunks_exact(size) {
        match gf2::rank(m, rows, cols) {
            r if r == full => f[0] += 1,
            r if r + 1 == full => f[1] += 1,
            _ => f[2] += 1,
        }
    }
    let [p0, p1] = probs;
    let chi2 = chi_square(&f, &[p0, p1, 1.0 - p0 - p1], n_mat as f64);
    Ok((-chi2 / 2.0).exp())
}

/// The default: 32×32 matrices, at least 38 of them (§2.5.7).
pub fn test_default(bits: &[u8]) -> Result<f64, String> {
    if bits.len() < 38 * 1024 {
        return Err(format!("needs 38 matrices of 32x32 (38912 bits), has {} bits", bits.len()));
    }
    test(bits, 32, 32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;

    #[test]
    fn section_2_5_4_example() {
        // The text rounds the probabilities to four places; with them its p-value is exact ...
        let e = parse_bits("01011001001010101101");
        let p = test_with_probs(&e, 3, 3, [0.2888, 0.5776]).unwrap();
        assert!((p - 0.741948).abs() < 1e-6, "{p}");
        // ... and with the exact ones (what STS uses) it moves in the fifth place.
        assert!((test(&e, 3, 3).unwrap() - 0.741948).abs() < 1e-4);
    }
}
