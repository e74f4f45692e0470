//! Streaming front end: accepts raw sample bytes in arbitrary pieces and keeps the ragged tail
//! (bytes of an incomplete SHA3 block, or of an incomplete group of k bytes for the fold) for the
//! next call, so splitting a stream anywhere gives exactly the one-shot output.
//!
//! The fold is streamed in units of k input bytes (= 8 output bits = one whole output byte) so
//! every push returns whole bytes; bits that never made a whole output byte are reported by
//! `finish`, like the FPGA conditioner's `abort` drops a partial block.

use crate::backend::{Backend, BackendError};

/// What the whitener computes, in raw-stream terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// SHA3-256 of each `n_in_bits`-bit block (n_in a positive multiple of 8): 32 bytes per block.
    Sha3 { n_in_bits: usize },
    /// k:1 XOR fold: one output bit per k input bits.
    Fold { k: u32 },
    /// The FPGA's chain after debiasing: fold k:1, then SHA3 over `n_in_bits` folded bits.
    FoldThenSha3 { k: u32, n_in_bits: usize },
}

#[derive(Debug, Clone, Copy)]
enum Stage {
    Sha3 { block_bytes: usize },
    Fold { k: u32 },
}

impl Stage {
    /// Input bytes that make one whole output unit.
    fn unit(self) -> usize {
        match self {
            Stage::Sha3 { block_bytes } => block_bytes,
            Stage::Fold { k } => k as usize,
        }
    }

    fn run(self, b: &mut dyn Backend, whole: &[u8]) -> Result<Vec<u8>, BackendError> {
        match self {
            Stage::Sha3 { block_bytes } => b.sha3_blocks(whole, block_bytes),
            Stage::Fold { k } => b.fold(whole, whole.len() * 8, k),
        }
    }
}

/// Leftover input at `finish`: bits that produced no output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Leftover {
    /// Raw input bits held by the first stage.
    pub raw_bits: usize,
    /// For `FoldThenSha3`: folded bits waiting for a complete SHA3 block.
    pub folded_bits: usize,
}

pub struct Whitener<B: Backend> {
    backend: B,
    mode: Mode,
    stages: Vec<(Stage, Vec<u8>)>,
}

fn check_n_in(n_in_bits: usize) -> Result<usize, BackendError> {
    if n_in_bits == 0 || !n_in_bits.is_multiple_of(8) {
        return Err(BackendError::InvalidParams(format!(
            "n_in = {n_in_bits} bits: must be a positive multiple of 8"
        )));
    }
    Ok(n_in_bits / 8)
}

fn check_k(k: u32) -> Result<u32, BackendError> {
    if k == 0 {
        return Err(BackendError::InvalidParams("fold factor k must be >= 1".into()));
    }
    Ok(k)
}

impl<B: Backend> Whitener<B> {
    pub fn new(backend: B, mode: Mode) -> Result<Self, BackendError> {
        let stages = match mode {
            Mode::Sha3 { n_in_bits } => vec![Stage::Sha3 { block_bytes: check_n_in(n_in_bits)? }],
            Mode::Fold { k } => vec![Stage::Fold { k: check_k(k)? }],
            Mode::FoldThenSha3 { k, n_in_bits } => vec![
                Stage::Fold { k: check_k(k)? },
                Stage::Sha3 { block_bytes: check_n_in(n_in_bits)? },
            ],
        };
        Ok(Whitener {
            backend,
            mode,
            stages: stages.into_iter().map(|s| (s, Vec::new())).collect(),
        })
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Whitens `data` after whatever the previous calls left over; returns the output of every
    /// unit completed by this call. On error nothing is consumed: the tails are as before the call,
    /// so the caller may retry the same `data`.
    pub fn push(&mut self, data: &[u8]) -> Result<Vec<u8>, BackendError> {
        let mut new_tails = Vec::with_capacity(self.stages.len());
        let mut owned: Vec<u8>;
        let mut input: &[u8] = data;
        for (stage, tail) in &self.stages {
            let unit = stage.unit();
            // Without a tail the caller's buffer is processed in place; with one, the tail must be
            // prepended, which costs a copy (cheap next to hashing).
            let joined: Vec<u8>;
            let buf: &[u8] = if tail.is_empty() {
                input
            } else {
                joined = [tail.as_slice(), input].concat();
                &joined
            };
            let whole = buf.len() / unit * unit;
            let out = if whole == 0 {
                Vec::new()
            } else {
                stage.run(&mut self.backend, &buf[..whole])?
            };
            new_tails.push(buf[whole..].to_vec());
            owned = out;
            input = &owned;
        }
        let out = input.to_vec();
        for ((_, tail), new) in self.stages.iter_mut().zip(new_tails) {
            *tail = new;
        }
        Ok(out)
    }

    /// Ends the stream; reports the input that never became output.
    pub fn finish(self) -> Leftover {
        let bits = |i: usize| self.stages.get(i).map_or(0, |(_, t)| t.len() * 8);
        Leftover { raw_bits: bits(0), folded_bits: bits(1) }
    }

    /// Drops every partial unit (the FPGA conditioner's `abort`: after a health alarm a partly
    /// filled block must not be completed with later samples) and keeps streaming afterwards.
    pub fn abort(&mut self) -> Leftover {
        let bits = |i: usize| self.stages.get(i).map_or(0, |(_, t)| t.len() * 8);
        let left = Leftover { raw_bits: bits(0), folded_bits: bits(1) };
        self.stages.iter_mut().for_each(|(_, t)| t.clear());
        left
    }

    /// Hands the backend back (e.g. to reuse an opened GPU for another mode).
    pub fn into_backend(self) -> B {
        self.backend
    }
}
