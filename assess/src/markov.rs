//! Markov estimate (SP 800-90B §6.3.3, binary samples only): a first-order model fitted to the
//! data, whose most likely 128-bit sequence bounds the entropy. Catches correlation between
//! neighbouring samples (a slow speckle drift), which the MCV estimate cannot see.

/// Min-entropy per bit of the binary sequence `s` (at least two samples).
pub fn estimate(s: &[u8]) -> f64 {
    let len = s.len();
    let (mut c0, mut c00, mut c10) = (0u64, 0u64, 0u64);
    for w in s.windows(2) {
        if w[0] == 0 {
            c0 += 1;
            c00 += u64::from(w[1] == 0);
        } else {
            c10 += u64::from(w[1] == 0);
        }
    }
    let c1 = len as u64 - 1 - c0;
    let (p00, p01) = if c0 > 0 {
        let p = c00 as f64 / c0 as f64;
        (p, 1.0 - p)
    } else {
        (0.0, 0.0)
    };
    let (p10, p11) = if c1 > 0 {
        let p = c10 as f64 / c1 as f64;
        (p, 1.0 - p)
    } else {
        (0.0, 0.0)
    };
    if s[len - 1] == 0 {
        c0 += 1;
    }
    let p0 = c0 as f64 / len as f64;
    let p1 = 1.0 - p0;
    // -log2 of the six candidate sequences' probabilities (step 3), each only where defined.
    let candidates = [
        (p00 > 0.0, -p0.log2() - 127.0 * p00.log2()),
        (p01 > 0.0 && p10 > 0.0, -p0.log2() - 64.0 * p01.log2() - 63.0 * p10.log2()),
        (p01 > 0.0 && p11 > 0.0, -p0.log2() - p01.log2() - 126.0 * p11.log2()),
        (p10 > 0.0 && p00 > 0.0, -p1.log2() - p10.log2() - 126.0 * p00.log2()),
        (p10 > 0.0 && p01 > 0.0, -p1.log2() - 64.0 * p10.log2() - 63.0 * p01.log2()),
        (p11 > 0.0, -p1.log2() - 127.0 * p11.log2()),
    ];
    let h = candidates.iter().filter(|c| c.0).map(|c| c.1).fold(128.0, f64::min);
    (h / 128.0).min(1.0)
}

#[cfg(test)]
mod tests {
    /// Hand check: alternating bits have P_01 = P_10 = 1, so 0101... has probability 1/2 and
    /// H = 1/128 per bit; an i.i.d.-looking balanced model with all transitions 1/2 gives 1.
    #[test]
    fn alternating_and_balanced() {
        let alt: Vec<u8> = (0..1000).map(|i| (i % 2) as u8).collect();
        assert!((super::estimate(&alt) - 1.0 / 128.0).abs() < 1e-12);
        // 00 01 10 11 repeated: every transition probability is 1/2, P_0 = 1/2.
        let bal: Vec<u8> = [0, 0, 1, 1].iter().cycle().take(4001).copied().collect();
        let h = super::estimate(&bal);
        assert!((h - 1.0).abs() < 1e-3, "{h}");
    }
}
