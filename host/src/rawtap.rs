//! Raw-tap mode: the board sends raw samples and the host does the core's job itself, with the same
//! block models (`speckle_model::{repcnt_ht, adaptp_ht, markov_ht, vn_debias, xor_fold}`), the cutoffs
//! the board reports in STATUS, the same holdback rule and the same conditioning construction.
//!
//! Samples are tested in arrival order across RAW frames; a sample reaches the conditioner only once
//! max(2W + 16, 1024) newer samples passed all three tests (docs/core.md, "Holdback" and
//! "Startup"), so an alarm always
//! catches every sample taken at or after a fault's onset while it is still held back.

use crate::cli::Conditioner;
use crate::whiten::{Batch, SharedBackend};
use sha3::Digest;
use speckle_assess::live::{LiveEstimate, LiveFigures};
use speckle_model::adaptp_ht::AdaptProp;
use speckle_model::markov_ht::Markov;
use speckle_model::packing::BitPacker;
use speckle_model::params::{HOLDBACK_MARGIN, SHA3_256_RATE_BITS, STARTUP_SAMPLES};
use speckle_model::protocol::{StateBits, Status};
use speckle_model::repcnt_ht::RepCount;
use speckle_model::telemetry_row::RAW_ESTIMATE_WINDOW;
use speckle_model::vn_debias::VnDebias;
use speckle_model::xor_fold::XorFold;
use std::collections::VecDeque;

/// The core's parameters as the board's STATUS states them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Config {
    rct: u16,
    apt: u16,
    markov_lo: u16,
    markov_hi: u16,
    window: u16,
    n_in: u16,
    fold_k: u8,
    vn: bool,
}

struct Pipeline {
    rct: RepCount,
    apt: AdaptProp,
    markov: Markov,
    vn: VnDebias,
    packer: BitPacker,
    out: Conditioning,
    held: VecDeque<bool>,
    holdback: usize,
}

/// Where the debiased bits are folded and conditioned.
enum Conditioning {
    /// Per block, on this thread, with the model's fold (SHA3 or BLAKE3).
    Cpu { fold: XorFold, block: Vec<u8> },
    /// Batched through gpu-offload (`--whiten gpu|auto`): fold and SHA3 happen in the whitener.
    Offload(Batch),
}

pub struct RawTap {
    conditioner: Conditioner,
    backend: Option<SharedBackend>,
    config: Option<Config>,
    pipe: Option<Pipeline>,
    failures: (u64, u64, u64),
    /// Samples that arrived before any STATUS said how to test them.
    pub untested_samples: u64,
    /// Every raw sample that arrived, tested or not: what the noise source delivers.
    live: LiveEstimate,
}

impl RawTap {
    /// With a `backend`, SHA3 conditioning goes through gpu-offload's whitener (the caller has
    /// checked that `conditioner` is SHA3); without, through the per-block CPU path.
    pub fn new(conditioner: Conditioner, backend: Option<SharedBackend>) -> Self {
        RawTap {
            conditioner,
            backend,
            config: None,
            pipe: None,
            failures: (0, 0, 0),
            untested_samples: 0,
            live: LiveEstimate::new(RAW_ESTIMATE_WINDOW),
        }
    }

    /// The live min-entropy estimate over the last `RAW_ESTIMATE_WINDOW` samples (once filled).
    pub fn live_estimate(&mut self) -> Option<LiveFigures> {
        self.live.estimate()
    }

    /// Host-side RCT, APT and Markov failure counts.
    pub fn failures(&self) -> (u64, u64, u64) {
        self.failures
    }

    /// Drops all state: a reconnected link may be a different board.
    pub fn reset(&mut self) {
        self.config = None;
        self.drop_pipe();
    }

    /// Everything not yet conditioned is dropped, and a batched whitener is told to abort.
    fn drop_pipe(&mut self) {
        if let Some(Pipeline { out: Conditioning::Offload(b), .. }) = self.pipe.as_mut() {
            b.abort();
        }
        self.pipe = None;
    }

    /// Conditions the bits batched so far (a STATUS boundary: the blocks must reach the release
    /// gate before the STATUS that vouches for them). A whitener failure is returned as an alarm.
    pub fn flush(&mut self) -> Result<Vec<[u8; 32]>, String> {
        let Some(Pipeline { out: Conditioning::Offload(b), .. }) = self.pipe.as_mut() else {
            return Ok(Vec::new());
        };
        let r = b.flush();
        if r.is_err() {
            self.config = None;
            self.drop_pipe();
        }
        r
    }

    /// Takes the test parameters from a STATUS. The worker calls it only with a STATUS that passed
    /// attestation (attest.rs: the cutoffs are SP 800-90B's for the board's own H, α and W, and
    /// n_in meets the full-entropy rule); the range check here only keeps the pipeline sound.
    pub fn configure(&mut self, s: &Status) -> Result<(), String> {
        let c = Config {
            rct: s.rct_cutoff,
            apt: s.apt_cutoff,
            markov_lo: s.markov_lo,
            markov_hi: s.markov_hi,
            window: s.window,
            n_in: s.n_in,
            fold_k: s.fold_k,
            vn: s.state.has(StateBits::VN_ENABLED),
        };
        if self.config == Some(c) {
            return Ok(());
        }
        if !(64..=32768).contains(&c.window)
            || c.n_in == 0
            || !c.n_in.is_multiple_of(8)
            || c.n_in as u32 > SHA3_256_RATE_BITS
            || c.fold_k == 0
        {
            return Err(format!("STATUS reports unusable parameters {c:?}"));
        }
        let w = c.window as u32;
        let out = match &self.backend {
            Some(b) => {
                Conditioning::Offload(Batch::new(b.clone(), c.fold_k as u32, c.n_in as usize)?)
            }
            None => Conditioning::Cpu {
                fold: XorFold::new(c.fold_k as u32),
                block: Vec::with_capacity(c.n_in as usize / 8),
            },
        };
        self.drop_pipe();
        self.config = Some(c);
        self.pipe = Some(Pipeline {
            rct: RepCount::new(c.rct as u32),
            apt: AdaptProp::new(w, c.apt as u32),
            markov: Markov::new(w, c.markov_lo as u32, c.markov_hi as u32),
            vn: VnDebias::new(!c.vn),
            packer: BitPacker::new(),
            out,
            held: VecDeque::new(),
            holdback: (2 * w + HOLDBACK_MARGIN).max(STARTUP_SAMPLES) as usize,
        });
        Ok(())
    }

    /// Tests one RAW frame's 256 samples; returns the conditioned blocks completed by samples that
    /// left the holdback, or the alarm (after which the held samples and partial block are gone).
    pub fn push(&mut self, frame: &[u8; 32]) -> Result<Vec<[u8; 32]>, String> {
        for i in 0..256 {
            self.live.push((frame[i / 8] >> (i % 8)) & 1);
        }
        let (Some(c), Some(p)) = (self.config, self.pipe.as_mut()) else {
            self.untested_samples += 256;
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for i in 0..256 {
            let s = (frame[i / 8] >> (i % 8)) & 1 == 1;
            let (r, a, m) = (p.rct.sample(s), p.apt.sample(s), p.markov.sample(s));
            let which = [(r.fail, "RCT"), (a.fail, "APT"), (m.fail, "Markov")];
            if let Some((_, name)) = which.iter().find(|(f, _)| *f) {
                self.failures.0 += r.fail as u64;
                self.failures.1 += a.fail as u64;
                self.failures.2 += m.fail as u64;
                self.config = None;
                self.drop_pipe();
                return Err(format!("{name} alarm on raw samples"));
            }
            p.held.push_back(s);
            if p.held.len() <= p.holdback {
                continue;
            }
            // The holdback is at least the startup test's length, so a released sample always has
            // a passed startup test behind it.
            let released = p.held.pop_front().unwrap();
            let Some(bit) = p.vn.push(released) else { continue };
            match &mut p.out {
                Conditioning::Cpu { fold, block } => {
                    let Some(byte) = fold.push(bit).and_then(|b| p.packer.push(b)) else {
                        continue;
                    };
                    block.push(byte);
                    if block.len() == c.n_in as usize / 8 {
                        out.push(condition(self.conditioner, block));
                        block.clear();
                    }
                }
                // The whitener folds packed bytes LSB-first exactly as `XorFold` + `BitPacker` do.
                Conditioning::Offload(b) => {
                    let Some(byte) = p.packer.push(bit) else { continue };
                    match b.push(byte) {
                        Ok(blocks) => out.extend(blocks),
                        Err(e) => {
                            self.config = None;
                            self.drop_pipe();
                            return Err(e);
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// SHA3-256 is bit-exact with the FPGA conditioner (docs/core.md, "Bit order"); BLAKE3 is the
/// faster alternative for hosts that do not need that equivalence.
pub fn condition(c: Conditioner, block: &[u8]) -> [u8; 32] {
    match c {
        Conditioner::Sha3 => sha3::Sha3_256::digest(block).into(),
        Conditioner::Blake3 => *blake3::hash(block).as_bytes(),
    }
}
