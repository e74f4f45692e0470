//! Shared set-up of the datapath and health-test block tests: opening a Verilated block by name,
//! resetting it, and the seeded random source every test draws its stimulus from.

#![allow(dead_code)] // each test binary uses only part of it

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rtl_sim::{Model, PortId};

pub const PROFILES: [&str; 2] = ["ice40", "ecp5"];

/// The generated profiles whose sampler takes a pair per clock (`CoreParams::ddr`).
pub const DDR_PROFILES: [&str; 2] = ["ecp5-ddr", "ice40-ddr"];

/// A block's model with its clock, reset for one clock and its port lookup.
pub struct Dut {
    pub m: Model,
    pub clock: PortId,
}

impl Dut {
    pub fn open(profile: &str, module: &str) -> Dut {
        if let Some(why) = rtl_sim::unavailable_reason() {
            panic!("no Verilator model of {module}: {why}");
        }
        let m = Model::new(profile, module).unwrap_or_else(|e| panic!("{e}"));
        let clock = m.port("clock").unwrap_or_else(|e| panic!("{e}"));
        let mut d = Dut { m, clock };
        let reset = d.port("reset");
        d.m.set(reset, 1);
        d.m.tick(d.clock);
        d.m.set(reset, 0);
        d
    }

    pub fn port(&self, name: &str) -> PortId {
        self.m.port(name).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn tick(&mut self) {
        self.m.tick(self.clock);
    }

    pub fn bit(&self, p: PortId) -> bool {
        self.m.get(p) != 0
    }
}

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Drives a one-bit stream block (`in_bit`/`in_valid`/`in_ready` → `out_bit`/`out_valid`/
/// `out_ready`) with random valid and ready patterns; returns the accepted inputs and outputs.
pub fn drive_stream(profile: &str, module: &str, seed: u64, clocks: u64) -> (Vec<bool>, Vec<bool>) {
    use rand::RngExt;
    let mut dut = Dut::open(profile, module);
    let names = ["in_bit", "in_valid", "in_ready", "out_bit", "out_valid", "out_ready"];
    let [in_bit, in_valid, in_ready, out_bit, out_valid, out_ready] = names.map(|n| dut.port(n));
    let mut r = rng(seed);
    let (mut ins, mut outs) = (Vec::new(), Vec::new());
    // Valid and ready probabilities change every few hundred clocks, so both long stalls and
    // back-to-back transfers occur.
    let (mut pv, mut pr) = (0.5, 0.5);
    for _ in 0..clocks {
        if r.random_bool(0.005) {
            pv = [0.05, 0.5, 0.9, 1.0][r.random_range(0..4)];
            pr = [0.0, 0.3, 0.8, 1.0][r.random_range(0..4)];
        }
        let (v, b, rd) = (r.random_bool(pv), r.random_bool(0.5), r.random_bool(pr));
        dut.m.set(in_valid, v as u64);
        dut.m.set(in_bit, b as u64);
        dut.m.set(out_ready, rd as u64);
        dut.m.eval();
        if dut.bit(out_valid) && rd {
            outs.push(dut.bit(out_bit));
        }
        if v && dut.bit(in_ready) {
            ins.push(b);
        }
        dut.tick();
    }
    (ins, outs)
}

/// The four inputs every health test shares, driven for one clock.
pub struct HtInputs {
    sample: PortId,
    valid: PortId,
    clear: PortId,
    stats_clear: PortId,
}

/// One clock of health-test stimulus.
#[derive(Clone, Copy)]
pub struct HtClock {
    pub sample: bool,
    pub valid: bool,
    pub clear: bool,
    pub stats_clear: bool,
}

impl HtInputs {
    pub fn new(dut: &Dut) -> Self {
        HtInputs {
            sample: dut.port("sample"),
            valid: dut.port("sample_valid"),
            clear: dut.port("clear"),
            stats_clear: dut.port("stats_clear"),
        }
    }

    /// Drives `c` for one clock edge.
    pub fn clock(&self, dut: &mut Dut, c: HtClock) {
        for (p, x) in [
            (self.sample, c.sample),
            (self.valid, c.valid),
            (self.clear, c.clear),
            (self.stats_clear, c.stats_clear),
        ] {
            dut.m.set(p, x as u64);
        }
        dut.tick();
    }
}

/// Applies one clock to a health-test model in the RTL's order: `stats_clear`, then the sample (if
/// valid), then `clear`. Returns the sample's step result.
pub fn model_clock<M, S>(
    m: &mut M,
    c: HtClock,
    stats_clear: fn(&mut M),
    sample: fn(&mut M, bool) -> S,
    clear: fn(&mut M),
) -> Option<S> {
    if c.stats_clear {
        stats_clear(m);
    }
    let step = c.valid.then(|| sample(m, c.sample));
    if c.clear {
        clear(m);
    }
    step
}

// ---- Pair (DDR) health tests: repcnt_ht, adaptp_ht (and any other health test's pair form) ----

/// One clock of pair health-test stimulus: `sample[0]` is the earlier sample (port bit 0).
#[derive(Clone, Copy)]
pub struct HtPairClock {
    pub sample: [bool; 2],
    pub valid: bool,
    pub clear: bool,
    pub stats_clear: bool,
}

impl HtInputs {
    /// Drives `c` for one clock edge into a pair block (`sample` is two bits wide).
    pub fn clock_pair(&self, dut: &mut Dut, c: HtPairClock) {
        let sample = c.sample[0] as u64 | (c.sample[1] as u64) << 1;
        for (p, x) in [
            (self.sample, sample),
            (self.valid, c.valid as u64),
            (self.clear, c.clear as u64),
            (self.stats_clear, c.stats_clear as u64),
        ] {
            dut.m.set(p, x);
        }
        dut.tick();
    }
}

/// Applies one pair clock to a single-lane health-test model, in the pair RTL's order:
/// `stats_clear`, then (if valid) the earlier sample and the later one, then `clear`. Returns the
/// two samples' step results.
pub fn model_pair_clock<M, S>(
    m: &mut M,
    c: HtPairClock,
    stats_clear: fn(&mut M),
    sample: fn(&mut M, bool) -> S,
    clear: fn(&mut M),
) -> Option<[S; 2]> {
    if c.stats_clear {
        stats_clear(m);
    }
    let steps = c.valid.then(|| c.sample.map(|s| sample(m, s)));
    if c.clear {
        clear(m);
    }
    steps
}

// ---- end of pair (DDR) health tests ----
