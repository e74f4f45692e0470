//! Collision estimate (SP 800-90B §6.3.2, binary samples only): the mean waiting time until two
//! consecutive samples repeat, whose expectation is a function of the most likely value's p.

use crate::stats::ZALPHA;

/// Min-entropy per bit of the binary sequence `s`.
///
/// NIST's tool solves step 7 in closed form: with binary data the expectation reduces to
/// X' = -2p^2 + 2p + 2, so p = 1/2 + sqrt(5/4 - X'/2) (no bisection); X' >= 2.5 means no root
/// above 1/2 and full entropy.
pub fn estimate(s: &[u8]) -> f64 {
    let len = s.len();
    let (mut i, mut v, mut sq) = (0usize, 0u64, 0.0f64);
    while i + 1 < len {
        let t = if s[i] == s[i + 1] {
            2
        } else if i + 2 < len {
            3
        } else {
            break;
        };
        v += 1;
        sq += (t * t) as f64;
        i += t;
    }
    let v_f = v as f64;
    let mean = i as f64 / v_f;
    let sigma = ((sq - i as f64 * mean) / (v_f - 1.0)).sqrt();
    let x = (mean - ZALPHA * sigma / v_f.sqrt()).max(2.0);
    if x < 2.5 {
        -(0.5 + (1.25 - 0.5 * x).sqrt()).log2()
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    /// Hand check: a constant sequence collides every two samples (X' = 2), so p = 1 and H = 0;
    /// a strictly alternating one waits 3 every time, X' = 3 >= 2.5: full entropy by the rule.
    #[test]
    fn constant_and_alternating_extremes() {
        assert_eq!(super::estimate(&[1u8; 1000]), 0.0);
        let alt: Vec<u8> = (0..999).map(|i| (i % 2) as u8).collect();
        assert_eq!(super::estimate(&alt), 1.0);
    }
}
