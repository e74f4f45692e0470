//! The monitor's own SP 800-90B RCT and APT over raw-tap samples, with the board's cutoffs: a
//! second opinion that does not rely on the board's STATUS.

use speckle_model::params::Cutoffs;

/// The monitor's own health check on raw-tap samples: the RCT and APT of SP 800-90B with the
/// board's cutoffs, counted per failure.
#[derive(Clone, Debug, Default)]
pub struct RawCheck {
    run_bit: bool,
    run: u32,
    pub longest_run: u32,
    window_first: bool,
    window_n: u32,
    window_count: u32,
    pub rct_failures: u64,
    pub apt_failures: u64,
}

impl RawCheck {
    pub fn push(&mut self, bytes: &[u8], c: &Cutoffs, window: u32) {
        for i in 0..bytes.len() * 8 {
            let b = bytes[i / 8] >> (i % 8) & 1 == 1; // RAW frames are LSB-first
            self.run = if b == self.run_bit && self.run > 0 { self.run + 1 } else { 1 };
            self.run_bit = b;
            self.longest_run = self.longest_run.max(self.run);
            if self.run == c.rct {
                self.rct_failures += 1;
            }
            if self.window_n == 0 {
                self.window_first = b;
                self.window_count = 0;
            }
            self.window_count += (b == self.window_first) as u32;
            self.window_n += 1;
            if self.window_n == window {
                if self.window_count >= c.apt {
                    self.apt_failures += 1;
                }
                self.window_n = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_one_rct_failure_per_long_run_and_apt_windows_at_the_cutoff() {
        let c = Cutoffs { rct: 10, apt: 6, markov_lo: 0, markov_hi: 0 };
        let mut r = RawCheck::default();
        // 0x55 alternates: no long runs; 8 samples per window → count of the first value is 4.
        r.push(&[0x55; 4], &c, 8);
        assert_eq!((r.rct_failures, r.apt_failures, r.longest_run), (0, 0, 1));
        // 24 ones: one run reaching 10 (counted once), and three windows of 8 equal samples.
        r.push(&[0xFF; 3], &c, 8);
        assert_eq!((r.rct_failures, r.apt_failures, r.longest_run), (1, 3, 24));
    }
}
