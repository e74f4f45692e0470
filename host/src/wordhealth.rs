//! Word-parallel RCT, APT and Markov: the same verdicts as the per-sample block models
//! (`speckle_model::{repcnt_ht, adaptp_ht, markov_ht}`), 64 samples per step. Samples are packed
//! LSB-first (sample i is bit i mod 64 of word i / 64), the stream starts on a word boundary and W is
//! a multiple of 64, so APT and Markov windows are whole words. `tests/wordhealth.rs` checks the
//! failure counts against the models on random and adversarial streams.
//!
//! Why it exists: the models take a few nanoseconds per sample, fine for a UART but not for
//! `speckle bench`'s goal of 10× rngtest; popcounts do a window in a few dozen instructions.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    pub rct: u64,
    pub apt: u64,
    pub markov: u64,
}

pub struct WordHealth {
    rct_cutoff: u32,
    apt_cutoff: u32,
    markov_lo: u32,
    markov_hi: u32,
    window_words: usize,
    /// Length of the run the previous sample belongs to; 0 before the first sample.
    run: u32,
    last: bool,
    win: Vec<u64>,
    /// Ones so far in the current window, and whether its APT already failed: the model fails at
    /// the sample where the count reaches the cutoff, mid-window, so the check runs every word
    /// (a partial window at the end of a stream counts too).
    win_ones: u32,
    apt_failed: bool,
    pub failures: Failures,
}

impl WordHealth {
    pub fn new(
        window: u32,
        rct_cutoff: u32,
        apt_cutoff: u32,
        markov_lo: u32,
        markov_hi: u32,
    ) -> Self {
        assert!(window.is_multiple_of(64) && window > 0, "window must be a multiple of 64");
        WordHealth {
            rct_cutoff,
            apt_cutoff,
            markov_lo,
            markov_hi,
            window_words: window as usize / 64,
            run: 0,
            last: false,
            win: Vec::with_capacity(window as usize / 64),
            win_ones: 0,
            apt_failed: false,
            failures: Failures::default(),
        }
    }

    pub fn push(&mut self, words: &[u64]) {
        for &w in words {
            self.rct_word(w);
            self.win.push(w);
            self.apt_word(w);
            if self.win.len() == self.window_words {
                self.window_done();
                self.win.clear();
            }
        }
    }

    #[inline]
    fn rct_word(&mut self, w: u64) {
        // same bit i: sample i equals sample i-1 (bit 0 compares with the previous word's last).
        let prev = if self.last { 1 } else { 0 };
        let mut same = !(w ^ ((w << 1) | prev));
        if self.run == 0 {
            same &= !1; // the very first sample starts a run
        }
        let c = self.rct_cutoff;
        if same == u64::MAX {
            let before = self.run;
            self.run = self.run.saturating_add(64).min(u16::MAX as u32);
            self.failures.rct += u64::from(before < c && self.run >= c);
        } else if has_run_of_ones(same, c.saturating_sub(1)) {
            // A run near the cutoff inside this word: rare on a healthy source, so do it exactly.
            for i in 0..64 {
                let s = (w >> i) & 1 == 1;
                if self.run != 0 && s == self.last {
                    if self.run < u16::MAX as u32 {
                        self.run += 1;
                        self.failures.rct += u64::from(self.run == c);
                    }
                } else {
                    self.run = 1;
                }
                self.last = s;
            }
            return;
        } else {
            let lead = (!same).trailing_zeros();
            let before = self.run;
            let continued = (self.run + lead).min(u16::MAX as u32);
            self.failures.rct += u64::from(before < c && continued >= c);
            // The run that ends the word: its top `same` ones plus the sample that started it.
            self.run = (!same).leading_zeros() + 1;
        }
        self.last = w >> 63 == 1;
    }

    /// The count of samples equal to the window's first only grows within a window, so it reached
    /// the cutoff inside this word exactly when it is at or past it now and no failure was counted.
    fn apt_word(&mut self, w: u64) {
        self.win_ones += w.count_ones();
        let total = 64 * self.win.len() as u32;
        let count = if self.win[0] & 1 == 1 { self.win_ones } else { total - self.win_ones };
        if !self.apt_failed && count.min(u16::MAX as u32) >= self.apt_cutoff {
            self.failures.apt += 1;
            self.apt_failed = true;
        }
    }

    fn window_done(&mut self) {
        self.win_ones = 0;
        self.apt_failed = false;
        let w = &self.win;
        let mut t: u32 = w.iter().map(|x| ((x ^ (x >> 1)) & (u64::MAX >> 1)).count_ones()).sum();
        t += w.windows(2).map(|p| ((p[0] >> 63) ^ (p[1] & 1)) as u32).sum::<u32>();
        self.failures.markov += u64::from(t < self.markov_lo || t > self.markov_hi);
    }
}

/// True when `x` has `k` or more consecutive one bits (k = 0 is trivially true).
#[inline]
fn has_run_of_ones(x: u64, k: u32) -> bool {
    if k == 0 {
        return true;
    }
    if k > 64 {
        return false;
    }
    let (mut y, mut have) = (x, 1);
    while have < k {
        let sh = have.min(k - have);
        y &= y >> sh;
        have += sh;
    }
    y != 0
}
