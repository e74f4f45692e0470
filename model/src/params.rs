//! Generation-time parameters of the core and the health-test cutoffs derived from them.
//!
//! The cutoffs are computed, never typed in: SP 800-90B §4.4.1 (RCT) and §4.4.2 (APT) give them as
//! functions of the claimed min-entropy per sample H and the false-alarm probability α. The Markov
//! (transition-count) test is Speckle's own §4.5 developer-defined test, with cutoffs computed the
//! same way from binomial tails.

use crate::protocol::{DIGEST_LEN, MAX_PAYLOAD};
use std::fmt;

/// Which Keccak-f[1600] micro-architecture the conditioner uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeccakArch {
    /// One round per clock: ~7k LUT4, for ECP5.
    Full,
    /// Lane-serial, sized for an iCE40 UP5K together with the rest of the core.
    Compact,
}

impl KeccakArch {
    /// A bound on the clocks per block the conditioner takes no input (padding the rate, the
    /// permutation, handing the digest over): docs/throughput.md measures 851 clocks per 688-bit
    /// digest for `full` and 3232 per 656-bit digest for `compact` at one bit per clock, i.e. 163
    /// and 2576 beyond the bits themselves. The pair-form core sizes its fold FIFO and refuses a
    /// fold that would outrun the conditioner with it.
    pub const fn pause_clocks(self) -> u32 {
        match self {
            KeccakArch::Full => 256,
            KeccakArch::Compact => 3072,
        }
    }
}

/// Most bits the pair-form core's FIFO between fold and conditioner holds (one block RAM).
pub const MAX_DDR_FIFO_BITS: u32 = 1024;

/// Everything the generator needs to emit one configuration of `speckle_core`.
#[derive(Clone, Debug, PartialEq)]
pub struct CoreParams {
    pub clock_hz: u64,
    pub baud: u64,
    /// Clocks per raw sample (1 with `ddr`).
    pub oversample: u32,
    /// Two raw samples per clock through the RD pin's DDR input register (SB_IO on iCE40,
    /// IDDRX1F on ECP5), half a clock apart, instead of one every `oversample` clocks. Everything
    /// up to the fold then moves a pair per clock: sampler, health tests, holdback, raw tap; the
    /// fold's first XOR is the pair's (so fold_k is even and von Neumann is not generated).
    pub ddr: bool,
    pub vn_enable: bool,
    pub fold_k: u32,
    /// Claimed min-entropy per raw sample, 0 < H <= 1.
    pub h_claim: f64,
    /// False-alarm probability is 2^-alpha_log2.
    pub alpha_log2: u32,
    /// APT and Markov window W.
    pub window: u32,
    /// Raw bits absorbed per 256-bit conditioned output.
    pub n_in: u32,
    pub status_period_log2: u32,
    pub keccak: KeccakArch,
    /// Conditioned blocks per CONDITIONED frame: K digests share one header and CRC, so framing
    /// costs 10 bytes per 32·K payload bytes (K = 7: 4.3 %).
    pub blocks_per_frame: u32,
}

/// SHA3-256 rate in bits: one block absorbs at most this much, and the core hashes each
/// conditioned output from a single block.
pub const SHA3_256_RATE_BITS: u32 = 1088;

/// Bits of one conditioned output block (one SHA3-256 digest).
pub const OUTPUT_BLOCK_BITS: u32 = 256;

/// SP 800-90B §3.1.5.1.2: a vetted conditioner's output counts as full entropy only when its
/// input carries at least this many bits of entropy more than it outputs.
pub const FULL_ENTROPY_MARGIN_BITS: u32 = 64;

/// Bits of entropy per conditioned output byte that a claim of `h` per raw sample and `n_in`
/// absorbed bits per block supports: 8 once n_in · H >= 256 + 64 (the full-entropy rule, exactly
/// where [`CoreParams::min_n_in`] puts its bound), below that (n_in · H - 64) / 32, which stays
/// under SP 800-90B's `Output_Entropy` for SHA3-256, so a host crediting this never credits more
/// than the board's own claim carries into the digest.
pub fn creditable_bits_per_byte(h: f64, n_in: u32) -> f64 {
    let per_block = n_in as f64 * h - FULL_ENTROPY_MARGIN_BITS as f64;
    let bytes = (OUTPUT_BLOCK_BITS / u8::BITS) as f64;
    (per_block / bytes).clamp(0.0, u8::BITS as f64)
}

/// Most digests one CONDITIONED frame can carry: `len` is a u8 and a digest is 32 bytes.
pub const MAX_BLOCKS_PER_FRAME: u32 = (MAX_PAYLOAD / DIGEST_LEN) as u32;

/// Samples that must pass all health tests after reset or an alarm clear before output opens.
pub const STARTUP_SAMPLES: u32 = 1024;

/// Extra samples of holdback beyond 2W, covering the pipeline registers between a health test's
/// verdict and the alarm latch.
pub const HOLDBACK_MARGIN: u32 = 16;

impl CoreParams {
    /// The `ice40` profile: compact Keccak, 30 MHz core clock (iCEBreaker 12 MHz × 2.5), 6 Mbaud
    /// (divisor 5).
    ///
    /// The compact Keccak takes the conditioner's input only between permutations (~2400 clocks
    /// each), and the data path moves at most one sample per clock, so a block costs about
    /// n_in · fold_k + 2500 clocks of data-path time; one sample every 5 clocks without fold keeps
    /// the sampler just below that (docs/throughput.md), at 6 MS/s, the rate the entropy claim was
    /// assessed at (docs/entropy.md). Von Neumann is off: n_in ≥ 320 / H already accounts for
    /// bias in the min-entropy claim.
    pub const fn ice40() -> Self {
        CoreParams {
            clock_hz: 30_000_000,
            baud: 6_000_000,
            oversample: 5,
            ddr: false,
            vn_enable: false,
            fold_k: 1,
            h_claim: 0.5,
            alpha_log2: 30,
            window: 1024,
            n_in: 656,
            status_period_log2: 24,
            keccak: KeccakArch::Compact,
            blocks_per_frame: 7,
        }
    }

    /// The `ecp5` profile: one-round-per-clock Keccak, 96 MHz core clock, 12 Mbaud (divisor 8, so
    /// the same core runs a 3 Mbaud link at 24 MHz). oversample · fold_k · n_in = 2752 clocks per
    /// block puts the supply just under what 12 Mbaud carries in 7-block frames. One sample every
    /// 4 clocks (24 MS/s) rather than a faster sampler and a fold: at 48 MS/s neighbouring samples
    /// of the modelled speckle are correlated enough to fail the H = 0.5 claim (docs/entropy.md).
    pub const fn ecp5() -> Self {
        CoreParams {
            clock_hz: 96_000_000,
            baud: 12_000_000,
            oversample: 4,
            fold_k: 1,
            n_in: 688,
            status_period_log2: 25,
            keccak: KeccakArch::Full,
            ..Self::ice40()
        }
    }

    /// The `ecp5-ddr` profile: the ecp5 core sampling RD on both clock edges. At 12 MHz the pairs
    /// come 41.7 ns apart, the 24 MS/s the entropy claim was assessed at (docs/entropy.md); a
    /// faster clock would sample the modelled speckle too closely for H = 0.5, which is why no
    /// board uses it yet. The fold takes a pair per clock and makes a bit of four pairs (fold 8): a
    /// block every 2752 clocks, well above what the full Keccak needs, and 3 Mbaud carries the
    /// digests with room to spare.
    pub const fn ecp5_ddr() -> Self {
        CoreParams {
            clock_hz: 12_000_000,
            baud: 3_000_000,
            oversample: 1,
            ddr: true,
            fold_k: 8,
            status_period_log2: 22,
            ..Self::ecp5()
        }
    }

    /// The `ice40-ddr` profile: the ice40 core sampling RD on both edges of the iCEBreaker's 12 MHz
    /// oscillator (no PLL), 24 MS/s as `ecp5-ddr`. The compact Keccak pauses ~2600 clocks a block,
    /// so the fold makes a bit of twelve samples (six pairs): a block every 3936 clocks, which the
    /// conditioner (656 + its pause) keeps up with, its FIFO holding what arrives meanwhile.
    pub const fn ice40_ddr() -> Self {
        CoreParams {
            clock_hz: 12_000_000,
            baud: 3_000_000,
            oversample: 1,
            ddr: true,
            fold_k: 12,
            status_period_log2: 22,
            ..Self::ice40()
        }
    }

    /// Named profile lookup; the names are what `speckle-hdl --profile` accepts.
    pub fn profile(name: &str) -> Result<Self, ParamError> {
        match name {
            "ice40" => Ok(Self::ice40()),
            "ecp5" => Ok(Self::ecp5()),
            "ecp5-ddr" => Ok(Self::ecp5_ddr()),
            "ice40-ddr" => Ok(Self::ice40_ddr()),
            other => Err(ParamError(format!(
                "unknown profile `{other}`: valid profiles are {}",
                GENERATED_PROFILES.join(", ")
            ))),
        }
    }

    /// Raw samples per sampling clock: 2 with `ddr`, else 1.
    pub fn samples_per_strobe(&self) -> u32 {
        if self.ddr {
            2
        } else {
            1
        }
    }

    /// Bits the pair-form core's FIFO between fold and conditioner holds: what the fold makes (a bit
    /// every fold_k / 2 clocks) while the conditioner pauses, rounded up to a power of two.
    pub fn ddr_fifo_bits(&self) -> u32 {
        let per_bit = (self.fold_k / 2).max(1);
        self.keccak.pause_clocks().div_ceil(per_bit).next_power_of_two().max(16)
    }

    /// Raw samples per second.
    pub fn sample_rate_hz(&self) -> f64 {
        (self.clock_hz * self.samples_per_strobe() as u64) as f64 / self.oversample as f64
    }

    /// Smallest n_in the full-entropy rule allows: (256 + 64) / H, rounded up to whole bytes.
    pub fn min_n_in(h: f64) -> u32 {
        let bits = ((OUTPUT_BLOCK_BITS + FULL_ENTROPY_MARGIN_BITS) as f64 / h).ceil() as u32;
        bits.div_ceil(8) * 8
    }

    /// Refuses parameters that cannot make a correct core, saying what would be valid.
    pub fn validate(&self) -> Result<(), ParamError> {
        let h = self.h_claim;
        if !(h > 0.0 && h <= 1.0) || h.is_nan() {
            return Err(ParamError(format!(
                "h_claim = {h}: the claimed min-entropy per binary sample must satisfy 0 < H <= 1"
            )));
        }
        if self.fold_k == 0 || self.fold_k > 64 {
            return Err(ParamError(format!(
                "fold_k = {}: the XOR fold factor must be between 1 and 64",
                self.fold_k
            )));
        }
        if self.oversample == 0 || self.oversample > 256 {
            return Err(ParamError(format!(
                "oversample = {}: must be between 1 and 256 clocks per sample",
                self.oversample
            )));
        }
        if self.ddr && self.oversample != 1 {
            return Err(ParamError(format!(
                "oversample = {} with ddr: a DDR pair every clock is the only even spacing (a pair every n clocks would bunch samples half a clock apart); use oversample = 1",
                self.oversample
            )));
        }
        if self.ddr && self.vn_enable {
            return Err(ParamError(
                "vn_enable with ddr: not generated; the pair form's data path reduces each pair by XOR (an even fold_k), and n_in already covers bias through the min-entropy claim".into(),
            ));
        }
        if self.ddr && !self.fold_k.is_multiple_of(2) {
            return Err(ParamError(format!(
                "fold_k = {} with ddr: the data path after the holdback takes one bit per clock, so each pair must fold into one bit: fold_k must be even",
                self.fold_k
            )));
        }
        if self.ddr {
            // A pair arrives every clock and the holdback can hand over only one, so the
            // conditioner must take a block's bits (n_in clocks) and pause within the clocks the
            // fold needs to make them, and the FIFO must hold what the fold makes while it pauses.
            let pause = self.keccak.pause_clocks();
            let supply = self.n_in * self.fold_k / 2;
            let min_k = 2 * (self.n_in + pause).div_ceil(self.n_in);
            if supply < self.n_in + pause || self.ddr_fifo_bits() > MAX_DDR_FIFO_BITS {
                return Err(ParamError(format!(
                    "fold_k = {} with ddr and keccak = {:?}: the fold makes a block every n_in × fold_k / 2 = {supply} clocks, but the conditioner needs n_in + {pause} (its pause) = {} and a FIFO of at most {MAX_DDR_FIFO_BITS} bits must cover the pause; use an even fold_k >= {min_k}",
                    self.fold_k,
                    self.keccak,
                    self.n_in + pause
                )));
            }
        }
        if self.alpha_log2 < 1 || self.alpha_log2 > 60 {
            return Err(ParamError(format!(
                "alpha_log2 = {}: the false-alarm probability 2^-a needs 1 <= a <= 60 (SP 800-90B recommends 20..=40)",
                self.alpha_log2
            )));
        }
        if !self.window.is_power_of_two() || !(64..=16384).contains(&self.window) {
            return Err(ParamError(format!(
                "window = {}: W must be a power of two between 64 and 16384 (the 16-bit window counters and the holdback RAM are sized for that) (SP 800-90B uses 1024 for binary samples)",
                self.window
            )));
        }
        let min = Self::min_n_in(h);
        if !self.n_in.is_multiple_of(8) || self.n_in < min || self.n_in > SHA3_256_RATE_BITS {
            return Err(ParamError(format!(
                "n_in = {}: with H = {h} the full-entropy rule (SP 800-90B §3.1.5.1.2) needs n_in >= (256+64)/H = {min} bits; \
                 n_in must also be a multiple of 8 and at most {SHA3_256_RATE_BITS} (one SHA3-256 block), so valid values are {min}..={SHA3_256_RATE_BITS} in steps of 8",
                self.n_in
            )));
        }
        if self.baud == 0
            || !self.clock_hz.is_multiple_of(self.baud)
            || self.clock_hz / self.baud < 4
        {
            return Err(ParamError(format!(
                "baud = {} with clock_hz = {}: clock_hz / baud must be an integer >= 4",
                self.baud, self.clock_hz
            )));
        }
        if !(1..=MAX_BLOCKS_PER_FRAME).contains(&self.blocks_per_frame) {
            return Err(ParamError(format!(
                "blocks_per_frame = {}: a CONDITIONED frame carries 1..={MAX_BLOCKS_PER_FRAME} digests (its length field is one byte)",
                self.blocks_per_frame
            )));
        }
        if !(10..=40).contains(&self.status_period_log2) {
            return Err(ParamError(format!(
                "status_period_log2 = {}: must be between 10 and 40",
                self.status_period_log2
            )));
        }
        Ok(())
    }

    /// Health-test cutoffs for these parameters.
    pub fn cutoffs(&self) -> Cutoffs {
        cutoffs(self.h_claim, self.alpha_log2, self.window)
    }

    /// Clocks between UART bit edges.
    pub fn baud_divisor(&self) -> u32 {
        (self.clock_hz / self.baud) as u32
    }

    /// Claimed H × 1000 as reported in STATUS frames.
    pub fn h_milli(&self) -> u16 {
        (self.h_claim * 1000.0).round() as u16
    }

    /// Payload bytes of one CONDITIONED frame.
    pub fn conditioned_payload_len(&self) -> usize {
        self.blocks_per_frame as usize * DIGEST_LEN
    }

    /// Holdback depth: a raw sample leaves the holdback once this many newer samples were tested.
    pub fn holdback(&self) -> u32 {
        2 * self.window + HOLDBACK_MARGIN
    }

    /// [`CoreParams::holdback`] in the holdback's own entries: samples, or with `ddr` pairs,
    /// rounded up so that the later sample of the oldest pair has `holdback()` newer ones behind
    /// it when the pair leaves.
    pub fn holdback_entries(&self) -> u32 {
        self.holdback().div_ceil(self.samples_per_strobe())
    }
}

/// The boards' profiles: each has a bitstream, a throughput row and an entropy assessment.
pub const PROFILES: &[&str] = &["ice40", "ecp5"];

/// Every profile `speckle-hdl --profile all` writes to rtl/: the boards' and the DDR sampler's.
pub const GENERATED_PROFILES: &[&str] = &["ice40", "ecp5", "ecp5-ddr", "ice40-ddr"];

/// Health-test cutoffs; see [`cutoffs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cutoffs {
    /// RCT fails when a run of identical samples reaches this length.
    pub rct: u32,
    /// APT fails when the count of the window's first sample value reaches this.
    pub apt: u32,
    /// Markov fails when the window's transition count is below this ...
    pub markov_lo: u32,
    /// ... or above this.
    pub markov_hi: u32,
}

/// RCT cutoff C = 1 + ceil(-log2(α) / H), SP 800-90B §4.4.1.
pub fn rct_cutoff(h: f64, alpha_log2: u32) -> u32 {
    1 + (alpha_log2 as f64 / h).ceil() as u32
}

/// APT cutoff C = 1 + CRITBINOM(W, 2^-H, 1 - α), SP 800-90B §4.4.2.
pub fn apt_cutoff(window: u32, h: f64, alpha_log2: u32) -> u32 {
    1 + critbinom_upper(window, 2f64.powf(-h), alpha_log2)
}

/// Smallest k with P(X > k) <= α for X ~ Binomial(n, p): Excel's CRITBINOM(n, p, 1 - α).
pub fn critbinom_upper(n: u32, p: f64, alpha_log2: u32) -> u32 {
    let alpha = 2f64.powi(-(alpha_log2 as i32));
    let pmf = binomial_pmf(n, p);
    // tail[k] = P(X > k), accumulated from the top so that tiny tails keep their precision.
    let mut tail = 0.0;
    for k in (0..=n).rev() {
        // Here tail = P(X > k).
        if tail > alpha {
            return k + 1;
        }
        tail += pmf[k as usize];
    }
    0
}

/// Largest c with P(X < c) <= α for X ~ Binomial(n, p).
pub fn critbinom_lower(n: u32, p: f64, alpha_log2: u32) -> u32 {
    let alpha = 2f64.powi(-(alpha_log2 as i32));
    let pmf = binomial_pmf(n, p);
    let mut below = 0.0; // P(X < c)
    for c in 0..=n {
        if below + pmf[c as usize] > alpha {
            return c;
        }
        below += pmf[c as usize];
    }
    n
}

fn binomial_pmf(n: u32, p: f64) -> Vec<f64> {
    let ln_fact: Vec<f64> = std::iter::once(0.0)
        .chain((1..=n).scan(0.0, |acc, i| {
            *acc += (i as f64).ln();
            Some(*acc)
        }))
        .collect();
    (0..=n)
        .map(|k| {
            let ln = ln_fact[n as usize] - ln_fact[k as usize] - ln_fact[(n - k) as usize]
                + k as f64 * p.ln()
                + (n - k) as f64 * (1.0 - p).ln();
            if p == 1.0 {
                if k == n {
                    1.0
                } else {
                    0.0
                }
            } else {
                ln.exp()
            }
        })
        .collect()
}

/// All cutoffs for claimed min-entropy `h`, α = 2^-alpha_log2 and window W.
///
/// Markov counts transitions (sample != previous sample) over the W - 1 adjacent pairs inside a
/// window. An i.i.d. source whose most likely value has probability p = 2^-H makes a transition with
/// probability 2p(1-p), which is smallest at the claimed bound and at most 1/2, so the low cutoff
/// uses 2p(1-p) and the high cutoff uses 1/2.
pub fn cutoffs(h: f64, alpha_log2: u32, window: u32) -> Cutoffs {
    let p = 2f64.powf(-h);
    let pairs = window - 1;
    Cutoffs {
        rct: rct_cutoff(h, alpha_log2),
        apt: apt_cutoff(window, h, alpha_log2),
        markov_lo: critbinom_lower(pairs, 2.0 * p * (1.0 - p), alpha_log2),
        markov_hi: critbinom_upper(pairs, 0.5, alpha_log2),
    }
}

/// A parameter set that cannot make a correct core; the message says what is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamError(pub String);

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParamError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sp800_90b_known_values() {
        // H = 0.5, α = 2^-20, W = 512 gives RCT 41 and APT 410.
        assert_eq!(rct_cutoff(0.5, 20), 41);
        assert_eq!(apt_cutoff(512, 0.5, 20), 410);
    }

    #[test]
    fn sp800_90b_table_binary_w1024() {
        // SP 800-90B §4.4.2 table, binary samples, W = 1024, α = 2^-20, H = 1: cutoff 589.
        assert_eq!(apt_cutoff(1024, 1.0, 20), 589);
    }

    #[test]
    fn profiles_are_valid() {
        for name in GENERATED_PROFILES {
            CoreParams::profile(name).unwrap().validate().unwrap();
        }
        assert!(CoreParams::profile("nope").unwrap_err().0.contains("ice40"));
    }

    #[test]
    fn bad_parameters_are_refused_with_the_valid_range() {
        let mut p = CoreParams::ice40();
        p.h_claim = 0.0;
        assert!(p.validate().unwrap_err().0.contains("0 < H <= 1"));
        p.h_claim = 1.5;
        assert!(p.validate().is_err());
        let mut p = CoreParams::ice40();
        p.fold_k = 0;
        assert!(p.validate().unwrap_err().0.contains("fold_k = 0"));
        let mut p = CoreParams::ice40();
        p.n_in = 512;
        let e = p.validate().unwrap_err().0;
        assert!(e.contains("640"), "{e}");
        let mut p = CoreParams::ice40();
        p.blocks_per_frame = 8;
        assert!(p.validate().unwrap_err().0.contains("blocks_per_frame = 8"));
        let mut p = CoreParams::ice40();
        p.window = 32768;
        assert!(p.validate().unwrap_err().0.contains("16384"));
        p.window = 1000;
        assert!(p.validate().unwrap_err().0.contains("power of two"));
        let mut p = CoreParams::ecp5_ddr();
        p.oversample = 2;
        assert!(p.validate().unwrap_err().0.contains("oversample = 2 with ddr"));
        let mut p = CoreParams::ecp5_ddr();
        p.fold_k = 3;
        assert!(p.validate().unwrap_err().0.contains("fold_k = 3 with ddr"));
        let mut p = CoreParams::ecp5_ddr();
        p.vn_enable = true;
        assert!(p.validate().unwrap_err().0.contains("vn_enable with ddr"));
        let p = CoreParams { fold_k: 10, ..CoreParams::ice40_ddr() };
        let e = p.validate().unwrap_err().0;
        assert!(
            e.contains("fold_k = 10 with ddr and keccak = Compact") && e.contains(">= 12"),
            "{e}"
        );
        let p = CoreParams { fold_k: 2, ..CoreParams::ecp5_ddr() };
        let e = p.validate().unwrap_err().0;
        assert!(e.contains("fold_k = 2 with ddr") && e.contains(">= 4"), "{e}");
    }

    #[test]
    fn ddr_samples_twice_per_clock() {
        let p = CoreParams::ecp5_ddr();
        assert_eq!(p.sample_rate_hz(), 24e6);
        assert_eq!(CoreParams::ice40_ddr().sample_rate_hz(), 24e6);
        // The FIFO covers the conditioner's pause at the fold's rate.
        for p in [CoreParams::ecp5_ddr(), CoreParams::ice40_ddr()] {
            assert!(p.ddr_fifo_bits() * p.fold_k / 2 >= p.keccak.pause_clocks(), "{p:?}");
        }
        assert_eq!(CoreParams::ecp5().sample_rate_hz(), 24e6);
    }

    #[test]
    fn creditable_entropy_follows_the_full_entropy_rule() {
        for name in PROFILES {
            let p = CoreParams::profile(name).unwrap();
            assert_eq!(creditable_bits_per_byte(p.h_claim, p.n_in), 8.0, "{name}");
            // Exactly at the rule's bound the claim supports full entropy, and not a byte below.
            let min = CoreParams::min_n_in(p.h_claim);
            assert_eq!(creditable_bits_per_byte(p.h_claim, min), 8.0);
            assert!(creditable_bits_per_byte(p.h_claim, min - 8) < 8.0);
        }
        // n_in · H = 288: 224 creditable bits in a 32-byte block.
        assert_eq!(creditable_bits_per_byte(0.5, 576), 7.0);
        assert_eq!(creditable_bits_per_byte(0.1, 320), 0.0);
        assert_eq!(creditable_bits_per_byte(1.0, 1088), 8.0);
    }

    #[test]
    fn markov_cutoffs_bracket_the_ideal_source() {
        let c = cutoffs(0.5, 30, 1024);
        assert!(c.markov_lo < 400 && c.markov_hi > 560 && c.markov_hi < 700, "{c:?}");
        // A period-2 pattern (1023 transitions) and a period-8 square wave (255) both fail.
        assert!(1023 > c.markov_hi && 255 < c.markov_lo);
    }
}
