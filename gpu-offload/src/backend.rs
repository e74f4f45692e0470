//! The contract every whitening backend meets, and the reference bit layout they share.
//!
//! Backends only ever see whole units (complete SHA3 blocks, whole fold groups): ragged tails
//! are the streaming [`crate::Whitener`]'s job, so a backend call is a pure function of its input
//! and can be retried on another backend after a failure without losing or repeating data.

use std::fmt;

/// SHA3-256 digest length in bytes.
pub const DIGEST_BYTES: usize = 32;

/// Why a backend could not finish a call. Every variant leaves the caller's data untouched, so
/// the caller may hand the same input to another backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendError {
    /// The parameters can never work (e.g. `n_in` not a positive multiple of 8, `k` = 0).
    InvalidParams(String),
    /// No GPU adapter/device could be opened.
    NoAdapter(String),
    /// The device was lost (driver reset, hang, removal) or an injected failure said so.
    DeviceLost(String),
    /// A buffer allocation failed.
    OutOfMemory(String),
    /// Any other driver-side error (validation, internal, map failure).
    Driver(String),
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::InvalidParams(m) => write!(f, "invalid parameters: {m}"),
            BackendError::NoAdapter(m) => write!(f, "no GPU adapter: {m}"),
            BackendError::DeviceLost(m) => write!(f, "GPU device lost: {m}"),
            BackendError::OutOfMemory(m) => write!(f, "GPU out of memory: {m}"),
            BackendError::Driver(m) => write!(f, "GPU driver error: {m}"),
        }
    }
}

impl std::error::Error for BackendError {}

/// A batch whitening engine. `&mut self` because GPU backends keep reusable buffers.
pub trait Backend: Send {
    /// Short human-readable identity, e.g. `cpu (2 threads)` or `gpu: llvmpipe (Vulkan)`.
    fn describe(&self) -> String;

    /// SHA3-256 of each consecutive `block_bytes`-byte block of `data`, concatenated (32 bytes per
    /// block). `data.len()` must be a multiple of `block_bytes` (> 0).
    fn sha3_blocks(&mut self, data: &[u8], block_bytes: usize) -> Result<Vec<u8>, BackendError>;

    /// k:1 XOR fold of the first `nbits` bits of `data` (LSB-first): output bit j is the XOR of
    /// input bits j*k .. j*k+k-1, for j < nbits / k, packed LSB-first; unused high bits of the last
    /// output byte are zero. Bits past the last whole group are ignored.
    fn fold(&mut self, data: &[u8], nbits: usize, k: u32) -> Result<Vec<u8>, BackendError>;
}

/// Checks shared by all backends so they reject bad parameters with the same message.
pub fn check_sha3_params(data_len: usize, block_bytes: usize) -> Result<(), BackendError> {
    if block_bytes == 0 {
        return Err(BackendError::InvalidParams(
            "SHA3 block size must be a positive number of bytes (n_in a positive multiple of 8)"
                .into(),
        ));
    }
    if !data_len.is_multiple_of(block_bytes) {
        return Err(BackendError::InvalidParams(format!(
            "buffer of {data_len} bytes is not a whole number of {block_bytes}-byte blocks"
        )));
    }
    Ok(())
}

pub fn check_fold_params(data_len: usize, nbits: usize, k: u32) -> Result<(), BackendError> {
    if k == 0 {
        return Err(BackendError::InvalidParams("fold factor k must be >= 1".into()));
    }
    if nbits > data_len * 8 {
        return Err(BackendError::InvalidParams(format!(
            "fold of {nbits} bits asked from a buffer of only {} bits",
            data_len * 8
        )));
    }
    Ok(())
}

/// Bit `i` of an LSB-first packed stream (docs/core.md, "Bit order").
#[inline]
pub fn bit(data: &[u8], i: usize) -> u8 {
    (data[i / 8] >> (i % 8)) & 1
}

/// Lets a `Whitener` borrow a backend, so one opened GPU serves several streams in turn.
impl<B: Backend + ?Sized> Backend for &mut B {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn sha3_blocks(&mut self, data: &[u8], block_bytes: usize) -> Result<Vec<u8>, BackendError> {
        (**self).sha3_blocks(data, block_bytes)
    }
    fn fold(&mut self, data: &[u8], nbits: usize, k: u32) -> Result<Vec<u8>, BackendError> {
        (**self).fold(data, nbits, k)
    }
}
