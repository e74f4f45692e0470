//! Backend selection for `speckle --whiten gpu|cpu|auto`, and the GPU→CPU fallback.
//!
//! A backend call is a pure function of its input (tails live in the `Whitener`), so when the GPU
//! fails mid-call (lost device, failed allocation, driver error) the partial GPU output is thrown
//! away and the *same* call is redone on the CPU: nothing is lost and nothing is emitted twice.

use std::str::FromStr;

use crate::backend::{Backend, BackendError};
use crate::cpu::CpuBackend;
use crate::gpu::GpuBackend;

/// The host's `--whiten` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhitenChoice {
    /// Use the best Vulkan adapter, even a software one (lavapipe); fall back to the CPU with a
    /// warning if none opens or it fails later.
    Gpu,
    /// CPU only.
    Cpu,
    /// Use a GPU only if it is real hardware (a software adapter is slower than the CPU path);
    /// otherwise the CPU. Later failures fall back as for `Gpu`.
    Auto,
}

impl FromStr for WhitenChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "gpu" => Ok(WhitenChoice::Gpu),
            "cpu" => Ok(WhitenChoice::Cpu),
            "auto" => Ok(WhitenChoice::Auto),
            other => Err(format!("unknown whitening backend {other:?}; valid: gpu, cpu, auto")),
        }
    }
}

/// Receives one line per backend decision (opened adapter, fallback and why). Defaults to stderr.
pub type Notify = Box<dyn FnMut(&str) + Send>;

pub struct FallbackBackend {
    gpu: Option<GpuBackend>,
    cpu: CpuBackend,
    fell_back: Option<BackendError>,
    notify: Notify,
}

impl FallbackBackend {
    /// Opens the backend `choice` asks for; never fails: without a usable GPU it runs on the CPU
    /// and says why through `notify`.
    pub fn open(choice: WhitenChoice, mut notify: Notify) -> Self {
        let gpu = match choice {
            WhitenChoice::Cpu => None,
            WhitenChoice::Gpu | WhitenChoice::Auto => match GpuBackend::new() {
                Ok(g) if choice == WhitenChoice::Auto && g.adapter_info().device_type == "Cpu" => {
                    notify(&format!(
                        "whiten auto: only a software Vulkan adapter ({}) is present; using the CPU backend",
                        g.adapter_info().name
                    ));
                    None
                }
                Ok(g) => {
                    let soft = if g.adapter_info().device_type == "Cpu" {
                        " (a software adapter: expect no speed-up over the CPU backend)"
                    } else {
                        ""
                    };
                    notify(&format!("whiten: GPU backend on {}{soft}", g.adapter_info()));
                    Some(g)
                }
                Err(e) => {
                    notify(&format!("whiten: {e}; using the CPU backend"));
                    None
                }
            },
        };
        FallbackBackend { gpu, cpu: CpuBackend::new(), fell_back: None, notify }
    }

    /// Wraps an already-open GPU backend (tests use this to inject failures).
    pub fn with_gpu(gpu: GpuBackend, notify: Notify) -> Self {
        FallbackBackend { gpu: Some(gpu), cpu: CpuBackend::new(), fell_back: None, notify }
    }

    pub fn on_gpu(&self) -> bool {
        self.gpu.is_some()
    }

    pub fn gpu(&self) -> Option<&GpuBackend> {
        self.gpu.as_ref()
    }

    /// The error that made this backend leave the GPU, if it did.
    pub fn fell_back(&self) -> Option<&BackendError> {
        self.fell_back.as_ref()
    }

    /// Runs `op` on the GPU if there is one, else (or after a GPU failure) on the CPU.
    fn attempt<T>(
        &mut self,
        op: impl Fn(&mut dyn Backend) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        if let Some(g) = self.gpu.as_mut() {
            match op(g) {
                Ok(v) => return Ok(v),
                // Bad parameters would fail the same way on the CPU: report, don't switch.
                Err(e @ BackendError::InvalidParams(_)) => return Err(e),
                Err(e) => {
                    (self.notify)(&format!(
                        "whiten: GPU backend failed ({e}); switching to the CPU backend and redoing the \
                         failed batch there"
                    ));
                    self.gpu = None;
                    self.fell_back = Some(e);
                }
            }
        }
        op(&mut self.cpu)
    }
}

impl Backend for FallbackBackend {
    fn describe(&self) -> String {
        match &self.gpu {
            Some(g) => g.describe(),
            None => self.cpu.describe(),
        }
    }

    fn sha3_blocks(&mut self, data: &[u8], block_bytes: usize) -> Result<Vec<u8>, BackendError> {
        self.attempt(|b| b.sha3_blocks(data, block_bytes))
    }

    fn fold(&mut self, data: &[u8], nbits: usize, k: u32) -> Result<Vec<u8>, BackendError> {
        self.attempt(|b| b.fold(data, nbits, k))
    }
}

/// Notify sink that prints to stderr with a prefix the daemon's log readers can grep.
pub fn stderr_notify() -> Notify {
    Box::new(|m| eprintln!("speckle gpu-offload: {m}"))
}
