//! wgpu backend: WGSL Keccak and fold kernels fed by the multi-slot streaming executor.

pub mod device;
pub mod fold;
pub mod keccak;
pub mod pipeline;

use crate::backend::{check_fold_params, check_sha3_params, Backend, BackendError, DIGEST_BYTES};
use device::{AdapterSummary, GpuContext};
use pipeline::{Job, Slot, SLOTS};

/// Input bytes per chunk. Big enough to amortise a submit (~100 µs) and small enough that three
/// slots fit comfortably in any GPU's memory and the first result comes back quickly.
pub const CHUNK_IN_BYTES: usize = 8 << 20;
/// Chunk budget on real GPUs: at n_in = 640 an 8 MiB chunk is only ~10^5 invocations, under half
/// of what a datacenter GPU keeps resident, so hardware adapters get 4× larger chunks.
pub const CHUNK_BYTES_HW: usize = 32 << 20;
/// Output bytes per chunk (SHA3 of tiny blocks expands the data: 1 byte in, 32 out at n_in = 8).
pub const CHUNK_OUT_BYTES: usize = 8 << 20;
/// Largest chunk `set_chunk_bytes` accepts (byte offsets in the kernels are u32).
pub const MAX_CHUNK_BYTES: usize = 1 << 30;
/// One dispatch dimension is limited to 65535 workgroups.
const MAX_WORKGROUPS: usize = 65535;

/// A failure to simulate, for testing the CPU fallback without breaking a real driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectedFailure {
    DeviceLost,
    OutOfMemory,
}

pub struct GpuBackend {
    ctx: GpuContext,
    layout: wgpu::BindGroupLayout,
    keccak: wgpu::ComputePipeline,
    fold: wgpu::ComputePipeline,
    slots: Vec<Slot>,
    chunks_submitted: u64,
    inject: Option<(u64, InjectedFailure)>,
    chunk_in: usize,
    chunk_out: usize,
    in_flight: usize,
    peak_in_flight: usize,
    /// Once the device failed it stays failed: a half-working GPU must not be retried.
    dead: Option<BackendError>,
}

impl GpuBackend {
    /// Opens the best Vulkan adapter (see `device::GpuContext::open`) and compiles both kernels.
    pub fn new() -> Result<Self, BackendError> {
        let ctx = GpuContext::open()?;
        let layout = ctx.device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("whiten"),
            entries: &[
                storage_entry(0, true),
                storage_entry(1, false),
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
            ],
        });
        let keccak = make_pipeline(&ctx, &layout, "sha3-256", &keccak::shader_source())?;
        let fold = make_pipeline(&ctx, &layout, "xor fold", &fold::shader_source())?;
        let (chunk_in, chunk_out) = if ctx.summary.device_type == "Cpu" {
            (CHUNK_IN_BYTES, CHUNK_OUT_BYTES)
        } else {
            let cap = (ctx.limits.max_storage_buffer_binding_size as usize / 2).max(CHUNK_IN_BYTES);
            (CHUNK_BYTES_HW.min(cap), CHUNK_BYTES_HW.min(cap))
        };
        Ok(GpuBackend {
            ctx,
            layout,
            keccak,
            fold,
            slots: Vec::new(),
            chunks_submitted: 0,
            inject: None,
            chunk_in,
            chunk_out,
            in_flight: SLOTS,
            peak_in_flight: 0,
            dead: None,
        })
    }

    pub fn adapter_info(&self) -> &AdapterSummary {
        &self.ctx.summary
    }

    /// Makes the chunk submitted after `after_chunks` more chunks fail with `kind`, and the
    /// backend stay failed, as a real lost device would.
    pub fn inject_failure(&mut self, after_chunks: u64, kind: InjectedFailure) {
        self.inject = Some((self.chunks_submitted + after_chunks, kind));
    }

    /// Destroys the wgpu device underneath the backend, as a driver reset would: the next call
    /// must notice through wgpu's own error paths (not the injection hook) and fail cleanly.
    #[doc(hidden)]
    pub fn destroy_device_for_test(&self) {
        self.ctx.device.destroy();
    }

    /// Overrides the per-chunk byte budgets (tests use tiny chunks to exercise many slot reuses
    /// with little data; a benchmark may try larger ones).
    pub fn set_chunk_bytes(&mut self, input: usize, output: usize) {
        // The kernels index bytes with u32: keep a chunk well below 4 GiB.
        self.chunk_in = input.clamp(1, MAX_CHUNK_BYTES);
        self.chunk_out = output.clamp(DIGEST_BYTES, MAX_CHUNK_BYTES);
    }

    /// Buffer sets in flight (default `pipeline::SLOTS`); 1 serialises upload, compute and
    /// download, which the benchmark uses to show what the overlap buys.
    pub fn set_in_flight(&mut self, n: usize) {
        self.in_flight = n.max(1);
    }

    /// Most chunks ever submitted and not yet collected at the same time: evidence that uploads of
    /// later chunks really were queued while earlier ones computed.
    pub fn peak_in_flight(&self) -> usize {
        self.peak_in_flight
    }

    /// Chunks handed to the device so far (lets tests check an injected failure hit mid-stream).
    pub fn chunks_submitted(&self) -> u64 {
        self.chunks_submitted
    }

    fn ensure_slots(&mut self, in_bytes: usize, out_bytes: usize) -> Result<(), BackendError> {
        let (i, o) = (in_bytes as u64, out_bytes as u64);
        if self.slots.len() >= self.in_flight && self.slots.iter().all(|s| s.fits(i, o)) {
            return Ok(());
        }
        let max = self.ctx.limits.max_storage_buffer_binding_size;
        if i + 16 > max || o + 16 > max {
            return Err(BackendError::OutOfMemory(format!(
                "a chunk needs {in_bytes} input / {out_bytes} output bytes, device binding limit is {max}"
            )));
        }
        self.slots.clear();
        // Sized to the need, rounded up so a stream of growing pushes reallocates only a few times;
        // small streams (and the tests) then never hold three full-size chunk sets.
        let (i, o) = (
            i.next_power_of_two().min(self.chunk_in.max(in_bytes) as u64),
            o.next_power_of_two().min(self.chunk_out.max(out_bytes) as u64),
        );
        // At least SLOTS sets, so switching to fewer in flight (benchmark) reallocates nothing.
        for _ in 0..self.in_flight.max(SLOTS) {
            self.slots.push(Slot::new(&self.ctx, &self.layout, i, o)?);
        }
        Ok(())
    }

    fn run(
        &mut self,
        kernel: Kernel,
        jobs: Vec<Job>,
        total_out: usize,
    ) -> Result<Vec<u8>, BackendError> {
        if let Some(e) = &self.dead {
            return Err(e.clone());
        }
        let max_in = jobs.iter().map(|j| j.input.len()).max().unwrap_or(0);
        let max_out = jobs.iter().map(|j| j.out_bytes).max().unwrap_or(0);
        let result = self.ensure_slots(max_in, max_out).and_then(|()| {
            let mut out = Vec::with_capacity(total_out);
            let (submitted, inject) = (&mut self.chunks_submitted, self.inject);
            let mut gate = || {
                if let Some((at, kind)) = inject {
                    if *submitted >= at {
                        return Err(match kind {
                            InjectedFailure::DeviceLost => {
                                BackendError::DeviceLost("injected failure".into())
                            }
                            InjectedFailure::OutOfMemory => {
                                BackendError::OutOfMemory("injected failure".into())
                            }
                        });
                    }
                }
                *submitted += 1;
                Ok(())
            };
            let pipeline = match kernel {
                Kernel::Sha3 => &self.keccak,
                Kernel::Fold => &self.fold,
            };
            pipeline::run(
                &self.ctx,
                &mut self.slots[..self.in_flight],
                pipeline,
                jobs.into_iter(),
                &mut gate,
                &mut |b| out.extend_from_slice(b),
                &mut self.peak_in_flight,
            )?;
            Ok(out)
        });
        if let Err(e) = &result {
            self.dead = Some(e.clone());
        }
        result
    }
}

#[derive(Clone, Copy)]
enum Kernel {
    Sha3,
    Fold,
}

fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

fn make_pipeline(
    ctx: &GpuContext,
    layout: &wgpu::BindGroupLayout,
    label: &str,
    source: &str,
) -> Result<wgpu::ComputePipeline, BackendError> {
    ctx.checked(label, |d| {
        let module = d.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(label),
            source: wgpu::ShaderSource::Wgsl(source.into()),
        });
        let pl = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(layout)],
            immediate_size: 0,
        });
        d.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(label),
            layout: Some(&pl),
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        })
    })
}

impl Backend for GpuBackend {
    fn describe(&self) -> String {
        format!("gpu: {}", self.ctx.summary)
    }

    fn sha3_blocks(&mut self, data: &[u8], block_bytes: usize) -> Result<Vec<u8>, BackendError> {
        check_sha3_params(data.len(), block_bytes)?;
        let per_chunk = (self.chunk_in / block_bytes)
            .min(self.chunk_out / DIGEST_BYTES)
            .min(MAX_WORKGROUPS * keccak::WORKGROUP as usize)
            .max(1);
        let jobs = data
            .chunks(per_chunk * block_bytes)
            .map(|c| {
                let n = c.len() / block_bytes;
                Job {
                    input: c,
                    params: [block_bytes as u32, n as u32, 0, 0],
                    workgroups: n.div_ceil(keccak::WORKGROUP as usize) as u32,
                    out_bytes: n * DIGEST_BYTES,
                }
            })
            .collect();
        self.run(Kernel::Sha3, jobs, data.len() / block_bytes * DIGEST_BYTES)
    }

    fn fold(&mut self, data: &[u8], nbits: usize, k: u32) -> Result<Vec<u8>, BackendError> {
        check_fold_params(data.len(), nbits, k)?;
        let k = k as usize;
        let out_bits = nbits / k;
        // A chunk holds whole output words: 32 groups = 32k bits = 4k bytes of input.
        let unit = 4 * k;
        let units = (self.chunk_in / unit).min(MAX_WORKGROUPS * fold::WORKGROUP as usize).max(1);
        let used = (out_bits * k).div_ceil(8);
        let mut jobs = Vec::new();
        let mut done_bits = 0usize;
        for c in data[..used].chunks(units * unit) {
            let n_out = ((c.len() * 8).min(nbits - done_bits) / k).min(out_bits - done_bits / k);
            done_bits += c.len() * 8;
            if n_out == 0 {
                continue;
            }
            jobs.push(Job {
                input: c,
                params: [k as u32, n_out as u32, 0, 0],
                workgroups: n_out.div_ceil(32 * fold::WORKGROUP as usize) as u32,
                out_bytes: n_out.div_ceil(8),
            });
        }
        self.run(Kernel::Fold, jobs, out_bits.div_ceil(8))
    }
}
