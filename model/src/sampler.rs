//! Reference model of `sampler`: a 2-FF synchroniser on the asynchronous RD pin and a phase
//! counter that takes one sample every `oversample` clocks.
//!
//! The model is clock-accurate because the sampler's whole job is timing: which clock's RD value
//! becomes sample *n* is what the RTL test checks. After the clock edge in which `phase` equals
//! `oversample - 1`, `sample_valid` is high for one clock and `sample` holds the synchroniser's
//! second stage as it was before that edge (RD delayed by two clocks).

/// Port values visible after one clock edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SamplerOut {
    pub sample: bool,
    pub sample_valid: bool,
}

#[derive(Clone, Debug)]
pub struct Sampler {
    oversample: u32,
    sync1: bool,
    sync2: bool,
    phase: u32,
    out: SamplerOut,
}

impl Sampler {
    pub fn new(oversample: u32) -> Self {
        assert!((1..=256).contains(&oversample), "oversample must be 1..=256");
        Sampler { oversample, sync1: false, sync2: false, phase: 0, out: SamplerOut::default() }
    }

    /// One rising clock edge with `rd` and `reset` as sampled at that edge.
    pub fn clock(&mut self, rd: bool, reset: bool) -> SamplerOut {
        let (sync1, sync2) = (rd, self.sync1);
        let mut out = SamplerOut { sample: self.out.sample, sample_valid: false };
        let mut phase = self.phase + 1;
        if self.phase == self.oversample - 1 {
            phase = 0;
            out = SamplerOut { sample: self.sync2, sample_valid: true };
        }
        if reset {
            phase = 0;
            out = SamplerOut::default();
        }
        self.sync1 = sync1;
        self.sync2 = sync2;
        self.phase = phase;
        self.out = out;
        out
    }
}

/// The pair form (`ddr`): `rd_pair` (bit 0 the rising-edge capture, bit 1 the falling-edge one)
/// passes two flip-flops per lane, and a pair is valid every clock after reset.
#[derive(Clone, Debug, Default)]
pub struct SamplerDdr {
    sync1: u8,
    sync2: u8,
    out: (u8, bool),
}

impl SamplerDdr {
    /// One rising clock edge with `rd_pair` and `reset` as sampled at that edge: the pair and its
    /// valid as visible after the edge.
    pub fn clock(&mut self, rd_pair: u8, reset: bool) -> (u8, bool) {
        let out = if reset { (0, false) } else { (self.sync2, true) };
        self.sync2 = self.sync1;
        self.sync1 = rd_pair & 3;
        self.out = out;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sample_every_oversample_clocks_delayed_by_the_synchroniser() {
        let mut s = Sampler::new(4);
        s.clock(false, true);
        let rd: Vec<bool> = (0..400).map(|i| (i * 7 + i / 3) % 5 < 2).collect();
        let mut got = Vec::new();
        for (t, &b) in rd.iter().enumerate() {
            let o = s.clock(b, false);
            if o.sample_valid {
                got.push((t, o.sample));
            }
        }
        // First valid at the 4th edge after reset (t = 3); its value is RD from two clocks earlier.
        assert_eq!(got[0].0, 3);
        for w in got.windows(2) {
            assert_eq!(w[1].0 - w[0].0, 4);
        }
        for &(t, v) in &got[1..] {
            assert_eq!(v, rd[t - 2], "sample at clock {t}");
        }
    }

    #[test]
    fn oversample_one_samples_every_clock() {
        let mut s = Sampler::new(1);
        s.clock(false, true);
        let n = (0..10).filter(|_| s.clock(true, false).sample_valid).count();
        assert_eq!(n, 10);
    }
}
