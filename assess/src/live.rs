//! A live min-entropy estimate of a raw binary stream (issue #17, item 3): three of the cheap
//! SP 800-90B estimators — most common value, Markov and collision — over a sliding window of the
//! last `window` samples, for the daemon and monitor to show beside the claim.
//!
//! `push` is O(1) (value and transition counts are kept up to date as samples enter and leave the
//! window); `estimate` is O(1) for MCV and Markov and O(window) for collision, which has no
//! incremental form, so call it once per display refresh, not per sample. The figures are the
//! same functions `speckle assess` uses, applied to the window's contents.

use crate::{collision, markov, mcv};
use std::collections::VecDeque;

/// The estimates over the current window, per sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LiveFigures {
    pub samples: usize,
    pub mcv: f64,
    pub markov: f64,
    pub collision: f64,
    /// The least of the three.
    pub min: f64,
}

/// Sliding-window estimator over binary samples (0 or 1; other values count as 1).
pub struct LiveEstimate {
    window: usize,
    buf: VecDeque<u8>,
    ones: usize,
}

impl LiveEstimate {
    /// A window of `window` samples; at least 1000 (below that the bounds say little).
    pub fn new(window: usize) -> Self {
        let window = window.max(1000);
        LiveEstimate { window, buf: VecDeque::with_capacity(window), ones: 0 }
    }

    pub fn push(&mut self, sample: u8) {
        let bit = u8::from(sample != 0);
        if self.buf.len() == self.window {
            let old = self.buf.pop_front().unwrap_or(0);
            self.ones -= old as usize;
        }
        self.buf.push_back(bit);
        self.ones += bit as usize;
    }

    /// The figures once the window is full; `None` before.
    pub fn estimate(&mut self) -> Option<LiveFigures> {
        if self.buf.len() < self.window {
            return None;
        }
        let s = self.buf.make_contiguous();
        let n = s.len();
        let top = self.ones.max(n - self.ones);
        let mcv = -crate::stats::upper_bound(top as f64 / n as f64, n as f64).log2();
        debug_assert!((mcv - mcv::estimate(s, 2)).abs() < 1e-12);
        let markov = markov::estimate(s);
        let collision = collision::estimate(s);
        Some(LiveFigures {
            samples: n,
            mcv,
            markov,
            collision,
            min: mcv.min(markov).min(collision),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg_bits(n: usize, seed: u64, p1: f64) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                u8::from(((x >> 11) as f64 / (1u64 << 53) as f64) < p1)
            })
            .collect()
    }

    /// Nothing until the window is full; then the window's figures equal the batch estimators on
    /// the same samples, also after the window has slid past older ones.
    #[test]
    fn matches_batch_estimators_on_the_window() {
        let s = lcg_bits(30_000, 3, 0.43);
        let mut live = LiveEstimate::new(10_000);
        for &b in &s[..9_999] {
            live.push(b);
        }
        assert_eq!(live.estimate(), None);
        for &b in &s[9_999..] {
            live.push(b);
        }
        let f = live.estimate().unwrap();
        let w = &s[20_000..];
        assert_eq!(f.samples, 10_000);
        assert!((f.mcv - mcv::estimate(w, 2)).abs() < 1e-12);
        assert_eq!(f.markov, markov::estimate(w));
        assert_eq!(f.collision, collision::estimate(w));
        assert_eq!(f.min, f.mcv.min(f.markov).min(f.collision));
    }

    /// The window forgets: a healthy stream after a biased one is judged on itself alone.
    #[test]
    fn a_fault_shows_and_then_slides_out() {
        let mut live = LiveEstimate::new(5_000);
        for &b in &lcg_bits(5_000, 1, 0.9) {
            live.push(b);
        }
        let bad = live.estimate().unwrap().min;
        for &b in &lcg_bits(5_000, 2, 0.5) {
            live.push(b);
        }
        let good = live.estimate().unwrap().min;
        assert!(bad < 0.2 && good > 0.5, "bad {bad} good {good}");
    }
}
