//! Reference model of `repcnt_ht`, the SP 800-90B §4.4.1 Repetition Count Test.
//!
//! Semantics (one call per sample): the first sample after reset or `clear` starts a run of length
//! 1; each later sample equal to the previous one lengthens the run by one (saturating at 65535),
//! a different sample starts a new run of 1. `fail` is reported for the sample whose run length
//! becomes exactly C, so a run that keeps going past C reports one failure, not one per sample.
//! `max_run` is the longest run length seen since the last `stats_clear`; `stats_clear` restarts it
//! from the current run's length, so a run in progress is never forgotten. In one clock the RTL
//! applies `stats_clear`, then the sample, then `clear`: the model's callers use the same order.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RctStep {
    pub fail: bool,
    pub run: u16,
}

#[derive(Clone, Debug)]
pub struct RepCount {
    cutoff: u32,
    last: bool,
    run: u16,
    max_run: u16,
}

impl RepCount {
    pub fn new(cutoff: u32) -> Self {
        assert!((2..=0xFFFF).contains(&cutoff), "RCT cutoff must be 2..=65535");
        RepCount { cutoff, last: false, run: 0, max_run: 0 }
    }

    pub fn sample(&mut self, s: bool) -> RctStep {
        let continuing = self.run != 0 && s == self.last;
        let mut fail = false;
        if !continuing {
            self.run = 1;
        } else if self.run != u16::MAX {
            self.run += 1;
            fail = u32::from(self.run) == self.cutoff;
        }
        self.last = s;
        self.max_run = self.max_run.max(self.run);
        RctStep { fail, run: self.run }
    }

    /// Forget the current run: the next sample starts a new run of 1.
    pub fn clear(&mut self) {
        self.run = 0;
    }

    pub fn run(&self) -> u16 {
        self.run
    }

    pub fn max_run(&self) -> u16 {
        self.max_run
    }

    /// Restart the maximum from the run in progress (a STATUS snapshot was taken).
    pub fn stats_clear(&mut self) {
        self.max_run = self.run;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fails_once_when_the_run_reaches_c() {
        let mut t = RepCount::new(5);
        let fails: Vec<bool> = (0..12).map(|_| t.sample(true).fail).collect();
        assert_eq!(fails.iter().filter(|&&f| f).count(), 1);
        assert!(fails[4], "the 5th identical sample makes run = C = 5");
        assert_eq!(t.max_run(), 12);
    }

    #[test]
    fn a_change_restarts_the_run_and_clear_forgets_it() {
        let mut t = RepCount::new(4);
        for _ in 0..3 {
            assert!(!t.sample(false).fail);
        }
        assert_eq!(t.sample(true).run, 1);
        t.sample(true);
        t.clear();
        assert_eq!(t.sample(true).run, 1, "after clear the same value starts a new run");
        assert!(!t.sample(true).fail && !t.sample(true).fail);
        assert!(t.sample(true).fail);
        t.stats_clear();
        assert_eq!(t.max_run(), 4, "the run in progress still counts");
        t.sample(false);
        assert_eq!(t.max_run(), 4);
        t.stats_clear();
        assert_eq!(t.max_run(), 1);
    }

    #[test]
    fn alternating_input_never_fails() {
        let mut t = RepCount::new(2);
        assert!((0..1000).all(|i| !t.sample(i % 2 == 0).fail));
    }
}
