//! Adapter choice, device creation and the error plumbing that turns wgpu's asynchronous,
//! callback-reported failures (device lost, out of memory, validation) into `BackendError`s.
//!
//! wgpu's default uncaptured-error handler panics; a TRNG daemon must not die because a GPU
//! driver hiccupped, so every error is recorded here and surfaced on the next backend call, which
//! then fails cleanly and lets the caller fall back to the CPU.

use std::sync::{Arc, Mutex};

use crate::backend::BackendError;

/// What the host prints for `--whiten gpu` and what the benchmark writes into docs/gpu-bench.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterSummary {
    pub name: String,
    /// e.g. `Vulkan`.
    pub backend: String,
    /// e.g. `DiscreteGpu`, `Cpu` (lavapipe).
    pub device_type: String,
    pub driver: String,
    pub driver_info: String,
}

impl std::fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}, {}, driver {} {})",
            self.name, self.backend, self.device_type, self.driver, self.driver_info
        )
    }
}

/// The first fatal error wgpu reported asynchronously, if any.
#[derive(Clone, Default)]
pub(crate) struct ErrorSink(Arc<Mutex<Option<BackendError>>>);

impl ErrorSink {
    fn record(&self, e: BackendError) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(e);
    }

    pub(crate) fn check(&self) -> Result<(), BackendError> {
        match &*self.0.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

pub(crate) struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub summary: AdapterSummary,
    pub limits: wgpu::Limits,
    pub errors: ErrorSink,
}

/// Lower is preferred: a real GPU beats a software rasteriser such as lavapipe.
fn rank(t: wgpu::DeviceType) -> u8 {
    match t {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    }
}

fn summarize(info: &wgpu::AdapterInfo) -> AdapterSummary {
    AdapterSummary {
        name: info.name.clone(),
        backend: format!("{:?}", info.backend),
        device_type: format!("{:?}", info.device_type),
        driver: info.driver.clone(),
        driver_info: info.driver_info.clone(),
    }
}

/// Vulkan adapters visible to this process, best first (the order `open` tries them in).
pub fn list_adapters() -> Vec<AdapterSummary> {
    let instance = new_instance();
    let mut adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN));
    adapters.sort_by_key(|a| rank(a.get_info().device_type));
    adapters.iter().map(|a| summarize(&a.get_info())).collect()
}

fn new_instance() -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = wgpu::Backends::VULKAN;
    wgpu::Instance::new(desc)
}

impl GpuContext {
    /// Opens the best adapter; `SPECKLE_GPU_ADAPTER=<substring>` picks one by name instead
    /// (e.g. to force lavapipe on a machine that also has a GPU).
    pub fn open() -> Result<Self, BackendError> {
        let instance = new_instance();
        let mut adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN));
        if adapters.is_empty() {
            return Err(BackendError::NoAdapter(
                "no Vulkan adapter found (install a GPU driver, or Mesa's lavapipe: Debian package \
                 mesa-vulkan-drivers with libvulkan1)"
                    .into(),
            ));
        }
        adapters.sort_by_key(|a| rank(a.get_info().device_type));
        if let Ok(want) = std::env::var("SPECKLE_GPU_ADAPTER") {
            let names: Vec<String> = adapters.iter().map(|a| a.get_info().name).collect();
            adapters.retain(|a| a.get_info().name.to_lowercase().contains(&want.to_lowercase()));
            if adapters.is_empty() {
                return Err(BackendError::NoAdapter(format!(
                    "SPECKLE_GPU_ADAPTER={want:?} matches no adapter; available: {names:?}"
                )));
            }
        }
        let adapter = adapters.swap_remove(0);
        let summary = summarize(&adapter.get_info());
        // Ask for the adapter's own storage-buffer limits: the defaults (128 MiB) would cap chunk
        // sizes needlessly on datacenter GPUs.
        let supported = adapter.limits();
        let limits = wgpu::Limits {
            max_storage_buffer_binding_size: supported.max_storage_buffer_binding_size,
            max_buffer_size: supported.max_buffer_size,
            ..Default::default()
        };
        let desc = wgpu::DeviceDescriptor {
            label: Some("speckle gpu-offload"),
            required_limits: limits.clone(),
            ..Default::default()
        };
        let (device, queue) = pollster::block_on(adapter.request_device(&desc)).map_err(|e| {
            BackendError::NoAdapter(format!("{}: request_device failed: {e}", summary.name))
        })?;
        let errors = ErrorSink::default();
        let sink = errors.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            sink.record(match e {
                wgpu::Error::OutOfMemory { .. } => BackendError::OutOfMemory(e.to_string()),
                other => BackendError::Driver(other.to_string()),
            })
        }));
        let sink = errors.clone();
        device.set_device_lost_callback(move |reason, msg| {
            sink.record(BackendError::DeviceLost(format!("{reason:?}: {msg}")))
        });
        Ok(GpuContext { device, queue, summary, limits, errors })
    }

    /// Runs `make` with out-of-memory and validation errors captured synchronously, so a failed
    /// allocation is reported at its source instead of on some later submit.
    pub fn checked<T>(
        &self,
        what: &str,
        make: impl FnOnce(&wgpu::Device) -> T,
    ) -> Result<T, BackendError> {
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let val = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let made = make(&self.device);
        let val_err = pollster::block_on(val.pop());
        let oom_err = pollster::block_on(oom.pop());
        if let Some(e) = oom_err {
            return Err(BackendError::OutOfMemory(format!("{what}: {e}")));
        }
        if let Some(e) = val_err {
            return Err(BackendError::Driver(format!("{what}: {e}")));
        }
        self.errors.check()?;
        Ok(made)
    }
}

#[cfg(test)]
mod tests {
    use super::rank;
    use wgpu::DeviceType as T;

    #[test]
    fn real_gpus_rank_before_software_adapters() {
        let order = [T::DiscreteGpu, T::IntegratedGpu, T::VirtualGpu, T::Other, T::Cpu];
        assert!(order.windows(2).all(|w| rank(w[0]) < rank(w[1])));
    }
}
