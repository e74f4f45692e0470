//! Without any Vulkan driver: the GPU backend refuses with a message naming the fix, and
//! `--whiten gpu` / `auto` run on the CPU with the same output. A separate test binary (own
//! process) because the Vulkan loader reads its driver list from the environment.

use std::sync::{Arc, Mutex};

use gpu_offload::{
    Backend, BackendError, CpuBackend, FallbackBackend, GpuBackend, Mode, WhitenChoice, Whitener,
};

#[test]
fn no_vulkan_driver_means_a_clear_error_and_a_cpu_fallback() {
    // Point the loader at a driver manifest that does not exist: no adapter can be found.
    std::env::set_var("VK_ICD_FILENAMES", "/nonexistent/speckle-no-icd.json");
    std::env::set_var("VK_DRIVER_FILES", "/nonexistent/speckle-no-icd.json");
    let err = GpuBackend::new().err().expect("no adapter can open without a driver");
    assert!(matches!(err, BackendError::NoAdapter(_)), "{err}");
    assert!(err.to_string().contains("mesa-vulkan-drivers"), "{err}");

    let data: Vec<u8> = (0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let mode = Mode::FoldThenSha3 { k: 2, n_in_bits: 640 };
    let want = Whitener::new(CpuBackend::new(), mode).unwrap().push(&data).unwrap();
    for choice in [WhitenChoice::Gpu, WhitenChoice::Auto] {
        let log = Arc::new(Mutex::new(Vec::<String>::new()));
        let l = log.clone();
        let mut fb = FallbackBackend::open(
            choice,
            Box::new(move |m: &str| l.lock().unwrap().push(m.into())),
        );
        assert!(!fb.on_gpu());
        assert!(fb.describe().starts_with("cpu"));
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 1, "{log:?}");
        assert!(
            log[0].contains("no GPU adapter") && log[0].contains("using the CPU backend"),
            "{}",
            log[0]
        );
        let got = Whitener::new(&mut fb, mode).unwrap().push(&data).unwrap();
        assert_eq!(got, want, "{choice:?}");
    }
}
