//! Compression estimate (SP 800-90B §6.3.4, binary samples only): Maurer's universal statistic
//! on 6-bit blocks, inverted through its expectation for a source whose likeliest block has
//! probability p. Sees any structure a dictionary coder would exploit.

use crate::stats::{bisect, ZALPHA};

const B: usize = 6;
const D: usize = 1000;

/// Kahan-compensated sum, as NIST's tool accumulates these statistics.
#[derive(Default)]
struct Kahan {
    sum: f64,
    comp: f64,
}

impl Kahan {
    fn add(&mut self, x: f64) {
        let y = x - self.comp;
        let t = self.sum + y;
        self.comp = (t - self.sum) - y;
        self.sum = t;
    }
}

/// G(z) of §6.3.4 step 7 with NIST's shared-term evaluation: A_i = Σ log2(j) (1-z)^(j-1) and
/// the sum of sums collapsed to one pass, stopping once the terms underflow. NIST's tool keeps
/// (1-z)^i in a long double and stops when a term rounds to 0 as a double; a double would instead
/// creep through the (very slow) subnormals and stick at the smallest one, so this stops when
/// (1-z)^i leaves the normal range: the terms dropped are below 1e-290, the sums O(1).
fn g(z: f64, blocks: usize, log2: &[f64]) -> f64 {
    let v = (blocks - D) as f64;
    let bterm = 1.0 - z;
    let mut bi = bterm;
    let mut ai = Kahan::default();
    for l in &log2[2..=D] {
        ai.add(l * bi);
        bi *= bterm;
    }
    let ad1 = ai.sum;
    let mut first = Kahan::default();
    let mut truncated = false;
    for (i, l) in log2.iter().enumerate().take(blocks).skip(D + 1) {
        if bi < f64::MIN_POSITIVE {
            truncated = true;
            break;
        }
        let a = l * bi;
        ai.add(a);
        let scaled = (blocks - i) as f64 * a;
        if scaled > 0.0 {
            first.add(scaled);
        } else {
            truncated = true;
            break;
        }
        bi *= bterm;
    }
    first.add((blocks - D) as f64 * ad1);
    if !truncated {
        ai.add(log2[blocks] * bi);
    }
    1.0 / v * z * (z * first.sum + (ai.sum - ad1))
}

/// Expected statistic when one block has probability p and the other 63 share the rest.
fn expectation(p: f64, blocks: usize, log2: &[f64]) -> f64 {
    let k = (1 << B) as f64;
    let q = (1.0 - p) / (k - 1.0);
    g(p, blocks, log2) + (k - 1.0) * g(q, blocks, log2)
}

/// Min-entropy per bit of the binary sequence `s`, or `None` below 6 × 1001 bits.
pub fn estimate(s: &[u8]) -> Option<f64> {
    let blocks = s.len() / B;
    if blocks <= D {
        return None;
    }
    let block =
        |i: usize| s[i * B..i * B + B].iter().fold(0usize, |a, &b| (a << 1) | (b & 1) as usize);
    let mut dict = [0usize; 1 << B];
    for i in 0..D {
        dict[block(i)] = i + 1;
    }
    let (mut x, mut x2) = (Kahan::default(), Kahan::default());
    for i in D..blocks {
        let b = block(i);
        let l = ((i + 1 - dict[b]) as f64).log2();
        x.add(l);
        x2.add(l * l);
        dict[b] = i + 1;
    }
    let v = (blocks - D) as f64;
    let mean = x.sum / v;
    let sigma = 0.5907 * (x2.sum / (v - 1.0) - mean * mean).sqrt();
    let target = mean - ZALPHA * sigma / v.sqrt();
    let log2: Vec<f64> = (0..=blocks).map(|i| (i as f64).log2()).collect();
    let floor = 1.0 / (1 << B) as f64;
    let p = if expectation(floor, blocks, &log2) > target {
        bisect(|p| expectation(p, blocks, &log2), target, floor, 1.0, floor)
    } else {
        -1.0
    };
    Some(if p > floor { -p.log2() / B as f64 } else { 1.0 })
}

#[cfg(test)]
mod tests {
    /// Hand check: a constant sequence repeats its block every time (distance 1, statistic 0),
    /// which only p = 1 explains: H = 0. Fewer than 1001 blocks cannot be assessed.
    #[test]
    fn constant_input_and_too_short() {
        let h = super::estimate(&[1u8; 6 * 2000]).unwrap();
        assert!(h.abs() < 1e-6, "{h}");
        assert_eq!(super::estimate(&[0u8; 6 * 1000]), None);
    }
}
