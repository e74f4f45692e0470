//! Multi-core CPU backend: the reference the GPU must match bit for bit, and the fallback.

use rayon::prelude::*;
use sha3::{Digest, Sha3_256};

use crate::backend::{check_fold_params, check_sha3_params, Backend, BackendError, DIGEST_BYTES};

/// Blocks handed to one rayon task: small blocks are batched so task overhead stays negligible.
const MIN_TASK_BYTES: usize = 64 * 1024;

/// Uses rayon's global pool (all cores unless `RAYON_NUM_THREADS` says otherwise).
#[derive(Debug, Default, Clone)]
pub struct CpuBackend;

impl CpuBackend {
    pub fn new() -> Self {
        CpuBackend
    }
}

impl Backend for CpuBackend {
    fn describe(&self) -> String {
        format!("cpu ({} threads, sha3 crate)", rayon::current_num_threads())
    }

    fn sha3_blocks(&mut self, data: &[u8], block_bytes: usize) -> Result<Vec<u8>, BackendError> {
        check_sha3_params(data.len(), block_bytes)?;
        let blocks = data.len() / block_bytes;
        let mut out = vec![0u8; blocks * DIGEST_BYTES];
        let per_task = (MIN_TASK_BYTES / block_bytes).max(1);
        out.par_chunks_mut(per_task * DIGEST_BYTES)
            .zip(data.par_chunks(per_task * block_bytes))
            .for_each(|(dst, src)| {
                for (d, block) in
                    dst.chunks_exact_mut(DIGEST_BYTES).zip(src.chunks_exact(block_bytes))
                {
                    d.copy_from_slice(&Sha3_256::digest(block));
                }
            });
        Ok(out)
    }

    fn fold(&mut self, data: &[u8], nbits: usize, k: u32) -> Result<Vec<u8>, BackendError> {
        check_fold_params(data.len(), nbits, k)?;
        let k = k as usize;
        let out_bits = nbits / k;
        let mut out = vec![0u8; out_bits.div_ceil(8)];
        // Each output byte consumes exactly 8k input bits = k input bytes, so byte-aligned chunks of
        // output map onto byte-aligned chunks of input and tasks never share a byte.
        let per_task = MIN_TASK_BYTES.div_ceil(k).max(1);
        out.par_chunks_mut(per_task).enumerate().for_each(|(t, dst)| {
            let first_byte = t * per_task;
            for (b, byte) in dst.iter_mut().enumerate() {
                let ob0 = (first_byte + b) * 8;
                let n = (out_bits - ob0).min(8);
                *byte = if k <= 8 {
                    fold_byte_small_k(data, first_byte + b, k, n)
                } else {
                    (0..n).fold(0u8, |v, j| v | fold_group(data, (ob0 + j) * k, k) << j)
                };
            }
        });
        Ok(out)
    }
}

/// Output byte `ob` (its first `n` bits) for k <= 8: its 8 groups are exactly input bytes
/// ob*k .. ob*k+k, read as one little-endian word, then one popcount per k-bit field.
#[inline]
fn fold_byte_small_k(data: &[u8], ob: usize, k: usize, n: usize) -> u8 {
    let start = ob * k;
    // A fixed 8-byte load (bits past the 8k used are ignored) avoids a variable-length copy per
    // output byte; only the last few bytes of the buffer need the padded path.
    let word = match data.get(start..start + 8) {
        Some(w) => u64::from_le_bytes(w.try_into().expect("8-byte slice")),
        None => {
            let mut w = [0u8; 8];
            let end = (start + k).min(data.len());
            w[..end - start].copy_from_slice(&data[start..end]);
            u64::from_le_bytes(w)
        }
    };
    let mask = (1u64 << k) - 1;
    (0..n).fold(0u8, |v, j| v | ((((word >> (j * k)) & mask).count_ones() & 1) as u8) << j)
}

/// XOR of `k` bits starting at bit `start`; a word-at-a-time popcount parity keeps the CPU
/// baseline honest in the benchmark instead of a bit-by-bit loop.
#[inline]
fn fold_group(data: &[u8], start: usize, k: usize) -> u8 {
    let byte = start / 8;
    let shift = start % 8;
    // k <= 57 fits in one u64 window read from byte `byte` (shift <= 7).
    if k + shift <= 64 {
        let mut w = [0u8; 8];
        let end = (byte + 8).min(data.len());
        w[..end - byte].copy_from_slice(&data[byte..end]);
        let v = (u64::from_le_bytes(w) >> shift) & (u64::MAX >> (64 - k));
        (v.count_ones() & 1) as u8
    } else {
        (start..start + k).fold(0u8, |acc, i| acc ^ crate::backend::bit(data, i))
    }
}
