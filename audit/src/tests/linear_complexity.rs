//! SP 800-22 §2.10, linear complexity: the LFSR length (Berlekamp–Massey) of each 500-bit block
//! against its distribution. One pass, blockwise.

use super::gf2;
use crate::stats::{chi_square, igamc};

/// Default block length (§2.10.7: 500 ≤ M ≤ 5000).
pub const M: usize = 500;

/// Class probabilities of T (§3.10). The first is 1/96 = 0.010417 by the formula, but STS 2.1.2
/// has 0.01047, and every p-value SP 800-22 publishes (appendix B's 0.826335 on e) was made with
/// it; it is kept so that results compare with STS and the text. The slip moves a p-value by
/// about 1e-3 (docs/audit.md).
const PI: [f64; 7] = [0.01047, 0.03125, 0.125, 0.5, 0.25, 0.0625, 0.020833];

/// p-value with blocks of `m` bits.
pub fn test_with(bits: &[u8], m: usize) -> Result<f64, String> {
    let n_blocks = bits.len() / m;
    if n_blocks == 0 {
        return Err(format!("needs at least one block of {m} bits"));
    }
    let mf = m as f64;
    let sign = if m.is_multiple_of(2) { 1.0 } else { -1.0 };
    let mu = mf / 2.0 + (9.0 - sign) / 36.0 - (mf / 3.0 + 2.0 / 9.0) / 2f64.powf(mf);
    let mut nu = [0u64; 7];
    for b in bits.chunks_exact(m) {
        let t = sign * (gf2::linear_complexity(b) as f64 - mu) + 2.0 / 9.0;
        let class = match t {
            t if t <= -2.5 => 0,
            t if t <= -1.5 => 1,
            t if t <= -0.5 => 2,
            t if t <= 0.5 => 3,
            t if t <= 1.5 => 4,
            t if t <= 2.5 => 5,
            _ => 6,
        };
        nu[class] += 1;
    }
    Ok(igamc(3.0, chi_square(&nu, &PI, n_blocks as f64) / 2.0))
}

/// p-value with the default block length; at least 10^6 bits are advised (§2.10.7), 200 blocks
/// (10^5 bits) are required here so that every class expects a count of two or more.
pub fn test(bits: &[u8]) -> Result<f64, String> {
    if bits.len() < 200 * M {
        return Err(format!("needs at least {} bits, has {}", 200 * M, bits.len()));
    }
    test_with(bits, M)
}
