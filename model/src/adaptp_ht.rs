//! Reference model of `adaptp_ht`, the SP 800-90B §4.4.2 Adaptive Proportion Test.
//!
//! Semantics (one call per sample): windows are W consecutive samples, the first window starting
//! with the first sample after reset or `clear`. The window's first sample is the reference A and
//! counts 1; each of the other W - 1 samples equal to A adds one (saturating at 65535). `fail` is
//! reported for the sample whose count becomes exactly C (at most once per window). On the W-th
//! sample the window ends: `window_done` is reported, `count` is the window's final count and it
//! takes part in `max_count` (largest completed-window count since the last `stats_clear`).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AptStep {
    pub fail: bool,
    /// Final count of the window that ended with this sample.
    pub window_done: Option<u16>,
}

#[derive(Clone, Debug)]
pub struct AdaptProp {
    window: u32,
    cutoff: u32,
    idx: u32,
    reference: bool,
    count: u16,
    last_count: u16,
    max_count: u16,
}

impl AdaptProp {
    pub fn new(window: u32, cutoff: u32) -> Self {
        assert!((2..=65536).contains(&window), "APT window must be 2..=65536");
        assert!((2..=0xFFFF).contains(&cutoff), "APT cutoff must be 2..=65535");
        AdaptProp {
            window,
            cutoff,
            idx: 0,
            reference: false,
            count: 0,
            last_count: 0,
            max_count: 0,
        }
    }

    pub fn sample(&mut self, s: bool) -> AptStep {
        let mut fail = false;
        if self.idx == 0 {
            self.reference = s;
            self.count = 1;
        } else if s == self.reference && self.count != u16::MAX {
            self.count += 1;
            fail = u32::from(self.count) == self.cutoff;
        }
        let mut window_done = None;
        if self.idx == self.window - 1 {
            self.idx = 0;
            self.last_count = self.count;
            self.max_count = self.max_count.max(self.count);
            window_done = Some(self.count);
        } else {
            self.idx += 1;
        }
        AptStep { fail, window_done }
    }

    /// Abandon the current window: the next sample starts a new one.
    pub fn clear(&mut self) {
        self.idx = 0;
        self.count = 0;
    }

    /// Count at the last window end (0 before the first window ends).
    #[allow(
        clippy::misnamed_getters,
        reason = "the RTL's `count` port shows the last window's count"
    )]
    pub fn count(&self) -> u16 {
        self.last_count
    }

    pub fn max_count(&self) -> u16 {
        self.max_count
    }

    pub fn stats_clear(&mut self) {
        self.max_count = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_input_fails_at_sample_c_of_the_window() {
        let mut t = AdaptProp::new(16, 10);
        let steps: Vec<AptStep> = (0..16).map(|_| t.sample(true)).collect();
        let fails: Vec<usize> = (0..16).filter(|&i| steps[i].fail).collect();
        assert_eq!(fails, vec![9]);
        assert_eq!(steps[15].window_done, Some(16));
        assert!(steps[..15].iter().all(|s| s.window_done.is_none()));
    }

    #[test]
    fn reference_is_the_first_sample_of_each_window() {
        let mut t = AdaptProp::new(4, 4);
        // Window 1: 1,0,0,0 -> reference 1, count 1. Window 2: 0,0,0,1 -> reference 0, count 3.
        let w: Vec<Option<u16>> = [true, false, false, false, false, false, false, true]
            .iter()
            .map(|&s| t.sample(s).window_done)
            .collect();
        assert_eq!(w[3], Some(1));
        assert_eq!(w[7], Some(3));
        assert_eq!(t.max_count(), 3);
        t.sample(true);
        t.clear();
        for _ in 0..3 {
            t.sample(false);
        }
        assert_eq!(t.sample(true).window_done, Some(3), "clear restarts the window");
    }
}
