//! Shared helpers for the GPU integration tests.
#![allow(dead_code)]

use gpu_offload::GpuBackend;
use rand::{RngExt, SeedableRng};

/// The GPU tests must not pass vacuously on a machine without Vulkan: CI installs Mesa's lavapipe
/// (mesa-vulkan-drivers), so a missing adapter is a setup error worth failing on.
pub fn gpu() -> GpuBackend {
    match GpuBackend::new() {
        Ok(g) => {
            eprintln!("gpu-offload tests using adapter: {}", g.adapter_info());
            g
        }
        Err(e) => panic!(
            "GPU backend unavailable ({e}). These tests need a Vulkan adapter; on Debian install \
             mesa-vulkan-drivers and libvulkan1 (lavapipe, listed in .ci/apt-packages)."
        ),
    }
}

pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..len).map(|_| rng.random()).collect()
}

pub fn rng(seed: u64) -> rand_chacha::ChaCha8Rng {
    rand_chacha::ChaCha8Rng::seed_from_u64(seed)
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
