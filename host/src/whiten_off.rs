//! `--whiten` in a build without the `gpu` feature: raw-mode conditioning stays on the per-block
//! CPU path. `gpu` is refused (it asks for hardware this binary cannot drive); `auto` means "a GPU
//! if one is usable", and none is, so it conditions on the CPU like `cpu`. The types of whiten.rs
//! are kept, never made (`Batch` is uninhabited), so the daemon's code is the same in both builds
//! and the offload branch is never taken here.

use crate::cli::{Conditioner, Whiten};

/// A gpu-offload backend; never made in this build (`open` returns none, and the field is private).
#[derive(Clone)]
pub struct SharedBackend {
    _none: (),
}

impl SharedBackend {
    /// `Ok(None)` (the CPU path) for `cpu` and `auto`; `gpu` is an error naming the feature.
    pub fn open(whiten: Whiten, _conditioner: Conditioner) -> Result<Option<Self>, String> {
        match whiten {
            Whiten::Cpu | Whiten::Auto => Ok(None),
            Whiten::Gpu => Err(crate::features::missing("--whiten gpu", "gpu")),
        }
    }
}

/// One source's batched whitener; none can exist in this build.
pub enum Batch {}

impl Batch {
    pub fn new(_backend: SharedBackend, _fold_k: u32, _n_in_bits: usize) -> Result<Self, String> {
        Err(crate::features::missing("--whiten gpu", "gpu"))
    }
    pub fn push(&mut self, _byte: u8) -> Result<Vec<[u8; 32]>, String> {
        match *self {}
    }
    pub fn flush(&mut self) -> Result<Vec<[u8; 32]>, String> {
        match *self {}
    }
    pub fn abort(&mut self) {
        match *self {}
    }
}
