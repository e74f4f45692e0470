//! Raw-mode conditioning through the gpu-offload crate (`--whiten gpu|auto`).
//!
//! The backend (a GPU, or the CPU after a fallback) is opened once per run and shared by every
//! source's worker thread; each source keeps its own `Whitener`, so its ragged tails never mix with
//! another source's stream. Bits are batched because a GPU call has a fixed cost far above one
//! 80-byte block; the batch is flushed at every STATUS (so release latency stays one STATUS
//! period, as in the per-block CPU path) or when it reaches `BATCH_BYTES`.

use crate::cli::{Conditioner, Whiten};
use gpu_offload::{
    Backend, BackendError, FallbackBackend, Mode, WhitenChoice, Whitener, DIGEST_BYTES,
};
use std::sync::{Arc, Mutex};

/// Packed debiased bits pushed through the whitener at once, unless a STATUS flushes earlier.
pub const BATCH_BYTES: usize = 1 << 20;

pub fn choice(w: Whiten) -> WhitenChoice {
    match w {
        Whiten::Cpu => WhitenChoice::Cpu,
        Whiten::Gpu => WhitenChoice::Gpu,
        Whiten::Auto => WhitenChoice::Auto,
    }
}

/// One opened backend, shared by the sources' threads.
#[derive(Clone)]
pub struct SharedBackend(Arc<Mutex<FallbackBackend>>);

impl SharedBackend {
    /// Opens the backend for `--whiten`, or `None` when raw-mode conditioning stays on the per-block
    /// CPU path: `--whiten cpu` (the default), or BLAKE3 with `auto` (the offload only does SHA3).
    /// BLAKE3 with an explicit `gpu` is refused rather than silently not done.
    pub fn open(whiten: Whiten, conditioner: Conditioner) -> Result<Option<Self>, String> {
        match (whiten, conditioner) {
            (Whiten::Cpu, _) => Ok(None),
            (Whiten::Gpu, Conditioner::Blake3) => Err(
                "--whiten gpu conditions with SHA3-256 only; use --conditioner sha3, or --whiten cpu|auto with blake3".into(),
            ),
            (Whiten::Auto, Conditioner::Blake3) => {
                tracing::warn!("--whiten auto with --conditioner blake3: conditioning on the CPU (the GPU offload does SHA3-256 only)");
                Ok(None)
            }
            (w, Conditioner::Sha3) => {
                let b = FallbackBackend::open(choice(w), gpu_offload::stderr_notify());
                Ok(Some(SharedBackend(Arc::new(Mutex::new(b)))))
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FallbackBackend> {
        // A worker that panicked mid-call left no partial state in the backend (calls are pure).
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Backend for SharedBackend {
    fn describe(&self) -> String {
        self.lock().describe()
    }
    fn sha3_blocks(&mut self, data: &[u8], block_bytes: usize) -> Result<Vec<u8>, BackendError> {
        self.lock().sha3_blocks(data, block_bytes)
    }
    fn fold(&mut self, data: &[u8], nbits: usize, k: u32) -> Result<Vec<u8>, BackendError> {
        self.lock().fold(data, nbits, k)
    }
}

/// One source's batched fold + SHA3: debiased bits in (packed LSB-first), 32-byte blocks out.
pub struct Batch {
    whitener: Whitener<SharedBackend>,
    pending: Vec<u8>,
}

impl Batch {
    pub fn new(backend: SharedBackend, fold_k: u32, n_in_bits: usize) -> Result<Self, String> {
        let whitener = Whitener::new(backend, Mode::FoldThenSha3 { k: fold_k, n_in_bits })
            .map_err(|e| e.to_string())?;
        Ok(Batch { whitener, pending: Vec::new() })
    }

    /// Queues one packed byte; whitens the batch once it is full.
    pub fn push(&mut self, byte: u8) -> Result<Vec<[u8; 32]>, String> {
        self.pending.push(byte);
        if self.pending.len() >= BATCH_BYTES {
            return self.flush();
        }
        Ok(Vec::new())
    }

    /// Whitens everything queued; the whitener keeps incomplete fold groups and SHA3 blocks.
    pub fn flush(&mut self) -> Result<Vec<[u8; 32]>, String> {
        if self.pending.is_empty() {
            return Ok(Vec::new());
        }
        let out =
            self.whitener.push(&self.pending).map_err(|e| format!("whitening failed: {e}"))?;
        self.pending.clear();
        Ok(out.chunks_exact(DIGEST_BYTES).map(|c| c.try_into().unwrap()).collect())
    }

    /// An alarm: the queue and the whitener's partial fold group and block are dropped, so no
    /// block is ever completed with samples from after a failed test.
    pub fn abort(&mut self) {
        self.pending.clear();
        self.whitener.abort();
    }
}
