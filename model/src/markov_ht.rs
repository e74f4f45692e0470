//! Reference model of `markov_ht`, Speckle's transition-count test (SP 800-90B §4.5
//! developer-defined test).
//!
//! Semantics (one call per sample): windows of W samples are aligned exactly like the APT's (the
//! first starts with the first sample after reset or `clear`). Inside a window the test counts
//! transitions over its W - 1 adjacent pairs: the window's first sample only becomes the "previous"
//! sample; the pair formed with the last sample of the previous window is not counted. On the W-th
//! sample the window ends: `window_done` carries the count, and the test fails when the count is
//! below `lo` or above `hi`. `min`/`max` are the extremes over completed windows since the last
//! `stats_clear` (`min` is 0xFFFF when no window completed).
//!
//! Clock timing of the statistics: the RTL folds a window into `min`/`max` in the clock after its
//! last sample (docs/blocks/markov_ht.md). The model keeps that window `pending` until
//! [`Markov::settle`], which a clock-level user calls once per clock after `stats_clear` and before
//! `sample`; a `stats_clear` in that clock therefore starts the new period with the pending window.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarkovStep {
    pub fail: bool,
    pub window_done: Option<u16>,
}

#[derive(Clone, Debug)]
pub struct Markov {
    window: u32,
    lo: u32,
    hi: u32,
    idx: u32,
    prev: bool,
    transitions: u16,
    last: u16,
    min: u16,
    max: u16,
    /// A completed window's count not yet in `min`/`max`.
    pending: Option<u16>,
}

impl Markov {
    pub fn new(window: u32, lo: u32, hi: u32) -> Self {
        assert!((2..=65536).contains(&window), "Markov window must be 2..=65536");
        assert!(lo <= hi && hi <= 0xFFFF, "Markov cutoffs need lo <= hi <= 65535");
        Markov {
            window,
            lo,
            hi,
            idx: 0,
            prev: false,
            transitions: 0,
            last: 0,
            min: u16::MAX,
            max: 0,
            pending: None,
        }
    }

    pub fn sample(&mut self, s: bool) -> MarkovStep {
        if self.idx == 0 {
            self.transitions = 0;
        } else if s != self.prev {
            self.transitions += 1;
        }
        self.prev = s;
        if self.idx == self.window - 1 {
            self.idx = 0;
            let t = self.transitions;
            self.last = t;
            self.settle();
            self.pending = Some(t);
            let fail = u32::from(t) < self.lo || u32::from(t) > self.hi;
            MarkovStep { fail, window_done: Some(t) }
        } else {
            self.idx += 1;
            MarkovStep { fail: false, window_done: None }
        }
    }

    pub fn clear(&mut self) {
        self.idx = 0;
        self.transitions = 0;
    }

    /// Transitions in the last completed window.
    #[allow(
        clippy::misnamed_getters,
        reason = "the RTL's `transitions` port shows the last window's count"
    )]
    pub fn transitions(&self) -> u16 {
        self.last
    }

    /// Folds the pending window into `min`/`max`: the RTL's clock after a window's last sample.
    pub fn settle(&mut self) {
        if let Some(t) = self.pending.take() {
            self.min = self.min.min(t);
            self.max = self.max.max(t);
        }
    }

    /// Minimum over the folded windows (call [`Markov::settle`] first for the latest one).
    pub fn min(&self) -> u16 {
        self.min
    }

    pub fn max(&self) -> u16 {
        self.max
    }

    pub fn stats_clear(&mut self) {
        self.min = u16::MAX;
        self.max = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_pairs_inside_the_window() {
        let mut t = Markov::new(4, 1, 2);
        // Window 1: 0,1,0,1 -> 3 transitions (fail, > hi). Window 2 starts with 0 (pair 1->0 across
        // the boundary not counted): 0,0,1,1 -> 1 transition (pass).
        let s = [false, true, false, true, false, false, true, true];
        let r: Vec<MarkovStep> = s.iter().map(|&b| t.sample(b)).collect();
        assert_eq!(r[3], MarkovStep { fail: true, window_done: Some(3) });
        assert_eq!(r[7], MarkovStep { fail: false, window_done: Some(1) });
        // The second window is folded a clock later.
        assert_eq!((t.min(), t.max()), (3, 3));
        t.settle();
        assert_eq!((t.min(), t.max()), (1, 3));
        t.stats_clear();
        assert_eq!((t.min(), t.max()), (0xFFFF, 0));
    }

    #[test]
    fn a_stats_clear_in_the_fold_clock_keeps_the_window() {
        let mut t = Markov::new(2, 0, 1);
        t.sample(false);
        t.sample(true);
        // The window (1 transition) ended; the next clock clears the statistics, then folds it.
        t.stats_clear();
        t.settle();
        assert_eq!((t.min(), t.max()), (1, 1));
        // Cleared again with nothing pending: back to empty.
        t.stats_clear();
        t.settle();
        assert_eq!((t.min(), t.max()), (0xFFFF, 0));
    }

    #[test]
    fn constant_input_fails_low() {
        let mut t = Markov::new(8, 2, 6);
        let r: Vec<MarkovStep> = (0..8).map(|_| t.sample(true)).collect();
        assert_eq!(r[7], MarkovStep { fail: true, window_done: Some(0) });
    }
}
