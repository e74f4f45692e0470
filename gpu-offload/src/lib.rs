//! Batch whitening of raw Speckle samples off the FPGA's critical path: SHA3-256 conditioning of
//! n_in-bit blocks and k:1 XOR folding, on the GPU (wgpu/WGSL) or on all CPU cores, bit-exact with
//! each other and with the FPGA's construction (docs/core.md "Bit order", docs/gpu-offload.md).

pub mod backend;
pub mod bench;
pub mod cpu;
pub mod fallback;
pub mod gpu;
pub mod whitener;

pub use backend::{Backend, BackendError, DIGEST_BYTES};
pub use bench::{run_bench, BenchConfig, BenchReport};
pub use cpu::CpuBackend;
pub use fallback::{stderr_notify, FallbackBackend, Notify, WhitenChoice};
pub use gpu::device::{list_adapters, AdapterSummary};
pub use gpu::{GpuBackend, InjectedFailure};
pub use whitener::{Leftover, Mode, Whitener};
