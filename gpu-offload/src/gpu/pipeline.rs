//! Streaming executor: keeps up to `SLOTS` chunks in flight so that, while the device computes
//! chunk i, the host is already uploading chunk i+1 and copying out the result of chunk i-1.
//!
//! Each slot owns an input storage buffer, a params uniform, an output storage buffer and a
//! MAP_READ readback buffer. Chunks go to slots round-robin; before a slot is reused its previous
//! chunk is drained (wait on *that* submission only, copy the mapped bytes to the caller, unmap).
//! Because slots are reused in the order they were filled, results reach the caller in chunk order.
//!
//! Uploads use `Queue::write_buffer`, whose staging copy wgpu schedules ahead of the next submit,
//! so the upload of chunk i+1 overlaps the compute of chunk i without a separate staging ring.

use std::sync::{Arc, Mutex};

use crate::backend::BackendError;
use crate::gpu::device::GpuContext;

/// Buffer sets in flight. Three: one uploading, one computing, one being read back.
pub const SLOTS: usize = 3;

/// One dispatch's worth of work. `input` is raw bytes (any length; padded here), `out_bytes` the
/// number of result bytes the caller wants back.
pub(crate) struct Job<'a> {
    pub input: &'a [u8],
    pub params: [u32; 4],
    pub workgroups: u32,
    pub out_bytes: usize,
}

type MapResult = Arc<Mutex<Option<Result<(), String>>>>;

struct InFlight {
    submission: wgpu::SubmissionIndex,
    out_bytes: usize,
    mapped_len: u64,
    mapped: MapResult,
}

pub(crate) struct Slot {
    input: wgpu::Buffer,
    params: wgpu::Buffer,
    output: wgpu::Buffer,
    readback: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    in_cap: u64,
    out_cap: u64,
    pending: Option<InFlight>,
}

fn round4(n: u64) -> u64 {
    n.div_ceil(4) * 4
}

impl Slot {
    /// `in_cap` includes room for the zero word the Keccak kernel may read past the last byte.
    pub fn new(
        ctx: &GpuContext,
        layout: &wgpu::BindGroupLayout,
        in_cap: u64,
        out_cap: u64,
    ) -> Result<Self, BackendError> {
        let (in_cap, out_cap) = (round4(in_cap) + 8, round4(out_cap).max(4));
        ctx.checked("allocating GPU buffers", |d| {
            let buf = |label: &str, size: u64, usage: wgpu::BufferUsages| {
                d.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(label),
                    size,
                    usage,
                    mapped_at_creation: false,
                })
            };
            use wgpu::BufferUsages as U;
            let input = buf("whiten input", in_cap, U::STORAGE | U::COPY_DST);
            let params = buf("whiten params", 16, U::UNIFORM | U::COPY_DST);
            let output = buf("whiten output", out_cap, U::STORAGE | U::COPY_SRC);
            let readback = buf("whiten readback", out_cap, U::MAP_READ | U::COPY_DST);
            let bind_group = d.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("whiten slot"),
                layout,
                entries: &[
                    wgpu::BindGroupEntry { binding: 0, resource: input.as_entire_binding() },
                    wgpu::BindGroupEntry { binding: 1, resource: output.as_entire_binding() },
                    wgpu::BindGroupEntry { binding: 2, resource: params.as_entire_binding() },
                ],
            });
            Slot { input, params, output, readback, bind_group, in_cap, out_cap, pending: None }
        })
    }

    pub fn fits(&self, in_bytes: u64, out_bytes: u64) -> bool {
        round4(in_bytes) + 8 <= self.in_cap && round4(out_bytes) <= self.out_cap
    }

    fn submit(&mut self, ctx: &GpuContext, pipeline: &wgpu::ComputePipeline, job: &Job) {
        let whole = job.input.len() & !3;
        if whole > 0 {
            ctx.queue.write_buffer(&self.input, 0, &job.input[..whole]);
        }
        // Last partial word plus one zero word, so the kernel's unaligned reads see zeros.
        let mut tail = [0u8; 8];
        tail[..job.input.len() - whole].copy_from_slice(&job.input[whole..]);
        ctx.queue.write_buffer(&self.input, whole as u64, &tail);
        let p: Vec<u8> = job.params.iter().flat_map(|w| w.to_le_bytes()).collect();
        ctx.queue.write_buffer(&self.params, 0, &p);
        let out4 = round4(job.out_bytes as u64).max(4);
        let mut enc = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("whiten") });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("whiten"),
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &self.bind_group, &[]);
            pass.dispatch_workgroups(job.workgroups, 1, 1);
        }
        enc.copy_buffer_to_buffer(&self.output, 0, &self.readback, 0, out4);
        let submission = ctx.queue.submit([enc.finish()]);
        let mapped: MapResult = Arc::default();
        let flag = mapped.clone();
        self.readback.map_async(wgpu::MapMode::Read, 0..out4, move |r| {
            *flag.lock().unwrap_or_else(|p| p.into_inner()) = Some(r.map_err(|e| e.to_string()));
        });
        self.pending =
            Some(InFlight { submission, out_bytes: job.out_bytes, mapped_len: out4, mapped });
    }

    /// Waits for this slot's chunk only and hands its bytes to `sink`.
    fn drain(&mut self, ctx: &GpuContext, sink: &mut dyn FnMut(&[u8])) -> Result<(), BackendError> {
        let Some(f) = self.pending.take() else {
            return Ok(());
        };
        ctx.device
            .poll(wgpu::PollType::Wait { submission_index: Some(f.submission), timeout: None })
            .map_err(|e| BackendError::DeviceLost(format!("waiting for a chunk: {e}")))?;
        ctx.errors.check()?;
        let state = f.mapped.lock().unwrap_or_else(|p| p.into_inner()).take();
        match state {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(BackendError::Driver(format!("reading back a chunk: {e}"))),
            None => return Err(BackendError::Driver("readback buffer never mapped".into())),
        }
        {
            let view = self
                .readback
                .get_mapped_range(0..f.mapped_len)
                .map_err(|e| BackendError::Driver(format!("mapped range: {e}")))?;
            sink(&view[..f.out_bytes]);
        }
        self.readback.unmap();
        Ok(())
    }

    /// Forgets an in-flight chunk after a failure, so the slot is clean if the device survives.
    fn abandon(&mut self) {
        if self.pending.take().is_some() {
            self.readback.unmap();
        }
    }
}

/// Called before each chunk is submitted; an error aborts the run (used to inject failures).
pub(crate) type ChunkGate<'a> = &'a mut dyn FnMut() -> Result<(), BackendError>;

/// Runs `jobs` through `slots` with up to `slots.len()` in flight; `sink` sees each job's output
/// bytes in job order. On error every in-flight chunk is abandoned and the error returned; the
/// caller discards whatever `sink` collected. `peak` is raised to the most chunks that were
/// submitted and not yet drained at once (the overlap actually achieved).
pub(crate) fn run<'a>(
    ctx: &GpuContext,
    slots: &mut [Slot],
    pipeline: &wgpu::ComputePipeline,
    jobs: impl Iterator<Item = Job<'a>>,
    gate: ChunkGate,
    sink: &mut dyn FnMut(&[u8]),
    peak: &mut usize,
) -> Result<(), BackendError> {
    let mut submitted = 0usize;
    let result = (|| {
        for job in jobs {
            let n = slots.len();
            let slot = &mut slots[submitted % n];
            slot.drain(ctx, sink)?;
            gate()?;
            slot.submit(ctx, pipeline, &job);
            submitted += 1;
            *peak = (*peak).max(slots.iter().filter(|s| s.pending.is_some()).count());
            ctx.errors.check()?;
            // Let wgpu retire finished work and fire map callbacks without blocking.
            ctx.device
                .poll(wgpu::PollType::Poll)
                .map_err(|e| BackendError::DeviceLost(format!("polling: {e}")))?;
        }
        Ok::<(), BackendError>(())
    })();
    let drained = result.and_then(|()| drain_all(ctx, slots, submitted, sink));
    if drained.is_err() {
        slots.iter_mut().for_each(Slot::abandon);
    }
    drained
}

fn drain_all(
    ctx: &GpuContext,
    slots: &mut [Slot],
    submitted: usize,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<(), BackendError> {
    // Round-robin fill: the oldest pending chunk sits in the slot the next job would have used.
    let n = slots.len();
    for t in 0..n {
        slots[(submitted + t) % n].drain(ctx, sink)?;
    }
    Ok(())
}
