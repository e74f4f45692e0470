//! SP 800-22 §2.11, serial: frequencies of all overlapping m-bit patterns (m = 16), with the
//! sequence wrapped around. One pass with 2^m counters and the first m − 1 bits kept for the wrap.

use crate::stats::igamc;

/// Default pattern length; §2.11.7 asks m < ⌊log2 n⌋ − 2.
pub const M: usize = 16;

/// Counts of every m-bit pattern over the sequence extended by its first m − 1 bits.
pub fn pattern_counts(bits: &[u8], m: usize) -> Vec<u64> {
    let mut counts = vec![0u64; 1 << m];
    if m == 0 {
        counts[0] = bits.len() as u64;
        return counts;
    }
    let mask = (1usize << m) - 1;
    let mut w = 0usize;
    for (i, &b) in bits.iter().chain(&bits[..m - 1]).enumerate() {
        w = ((w << 1) | b as usize) & mask;
        if i + 1 >= m {
            counts[w] += 1;
        }
    }
    counts
}

fn psi2(bits: &[u8], m: usize) -> f64 {
    if m == 0 {
        return 0.0;
    }
    let n = bits.len() as f64;
    let s: f64 = pattern_counts(bits, m).iter().map(|&c| (c as f64).powi(2)).sum();
    s * 2f64.powi(m as i32) / n - n
}

/// The two p-values (∇ψ², ∇²ψ²) with pattern length `m`.
pub fn test_with(bits: &[u8], m: usize) -> [f64; 2] {
    let (a, b, c) = (psi2(bits, m), psi2(bits, m - 1), psi2(bits, m.saturating_sub(2)));
    let d1 = a - b;
    let d2 = a - 2.0 * b + c;
    [igamc(2f64.powi(m as i32 - 2), d1 / 2.0), igamc(2f64.powi(m as i32 - 3), d2 / 2.0)]
}

/// The two p-values with the default m.
pub fn test(bits: &[u8]) -> Result<[f64; 2], String> {
    if bits.len() < 1 << (M + 3) {
        return Err(format!("needs m < log2(n) - 2, i.e. at least {} bits", 1 << (M + 3)));
    }
    Ok(test_with(bits, M))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;

    #[test]
    fn section_2_11_4_example() {
        let p = test_with(&parse_bits("0011011101"), 3);
        assert!((p[0] - 0.808792).abs() < 1e-6, "{p:?}");
        assert!((p[1] - 0.670320).abs() < 1e-6, "{p:?}");
    }
}
