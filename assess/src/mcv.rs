//! Most common value estimate (SP 800-90B §6.3.1): the upper 99 % bound on the commonest
//! value's proportion. The simplest bound, and the one that catches plain bias.

use crate::stats::upper_bound;

/// Min-entropy per sample from the most common value of `s` (symbols below `k`).
pub fn estimate(s: &[u8], k: usize) -> f64 {
    let mut counts = vec![0u64; k.max(256)];
    for &v in s {
        counts[v as usize] += 1;
    }
    let mode = counts.iter().copied().max().unwrap_or(0);
    let p = mode as f64 / s.len() as f64;
    -upper_bound(p, s.len() as f64).log2()
}

#[cfg(test)]
mod tests {
    /// SP 800-90B §6.3.1 example: mode 1 (8 of 20), p_u = 0.6895, H = 0.5363. The document
    /// rounds z to 2.576; with NIST's tool's exact z (2.5758...) H is 0.53638, so 1e-4.
    #[test]
    fn sp800_90b_example() {
        let s = [0, 1, 1, 2, 0, 1, 2, 2, 0, 1, 0, 1, 1, 0, 2, 2, 1, 0, 2, 1];
        let h = super::estimate(&s, 3);
        assert!((h - 0.5363).abs() < 1e-4, "{h}");
    }
}
