//! GPU→CPU fallback: a failure injected mid-stream (inside a multi-chunk call, after several
//! successful calls) must switch to the CPU with the output identical to a CPU-only run.

mod common;

use std::sync::{Arc, Mutex};

use common::{gpu, random_bytes, rng};
use gpu_offload::{
    Backend, BackendError, CpuBackend, FallbackBackend, InjectedFailure, Mode, Notify,
    WhitenChoice, Whitener,
};
use rand::RngExt;

fn capture() -> (Notify, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    (Box::new(move |m: &str| l.lock().unwrap().push(m.to_string())), log)
}

fn run_stream<B: Backend>(b: B, mode: Mode, data: &[u8]) -> Vec<u8> {
    let mut w = Whitener::new(b, mode).unwrap();
    let mut r = rng(5);
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let len = r.random_range(1..=(data.len() - at).min(3000));
        out.extend(w.push(&data[at..at + len]).unwrap());
        at += len;
    }
    out
}

#[test]
fn injected_failures_mid_stream_fall_back_without_loss_or_duplication() {
    let data = random_bytes(77, 40_000);
    for (kind, mode) in [
        (InjectedFailure::DeviceLost, Mode::Sha3 { n_in_bits: 1096 }),
        (InjectedFailure::OutOfMemory, Mode::Fold { k: 3 }),
        (InjectedFailure::DeviceLost, Mode::FoldThenSha3 { k: 2, n_in_bits: 640 }),
    ] {
        let want = run_stream(CpuBackend::new(), mode, &data);
        let mut g = gpu();
        // 512-byte chunks: each push spans several chunks, so the failure lands inside a call
        // with chunks already completed and others in flight.
        g.set_chunk_bytes(512, 4096);
        g.inject_failure(20, kind);
        let (notify, log) = capture();
        let mut fb = FallbackBackend::with_gpu(g, notify);
        let got = run_stream(&mut fb, mode, &data);
        assert_eq!(got, want, "{kind:?} {mode:?}: output differs from the CPU-only run");
        assert!(!fb.on_gpu(), "{kind:?}: still on the GPU, so the injected failure never fired");
        let reason = fb.fell_back().expect("fallback reason recorded").clone();
        match kind {
            InjectedFailure::DeviceLost => {
                assert!(matches!(reason, BackendError::DeviceLost(_)), "{reason}")
            }
            InjectedFailure::OutOfMemory => {
                assert!(matches!(reason, BackendError::OutOfMemory(_)), "{reason}")
            }
        }
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 1, "{log:?}");
        assert!(log[0].contains("switching to the CPU backend"), "{}", log[0]);
    }
}

#[test]
fn injected_failure_hits_inside_a_multi_chunk_call() {
    let mut g = gpu();
    g.set_chunk_bytes(80, 4096);
    g.inject_failure(5, InjectedFailure::OutOfMemory);
    // 20 chunks of one 640-bit block: five go through the pipeline, the sixth fails.
    let e = g.sha3_blocks(&random_bytes(1, 80 * 20), 80).unwrap_err();
    assert!(matches!(e, BackendError::OutOfMemory(_)), "{e}");
    assert_eq!(g.chunks_submitted(), 5);
}

#[test]
fn a_really_destroyed_device_falls_back_to_the_cpu() {
    let data = random_bytes(21, 9000);
    let mode = Mode::Sha3 { n_in_bits: 640 };
    let want = run_stream(CpuBackend::new(), mode, &data);
    let mut g = gpu();
    g.set_chunk_bytes(800, 4096);
    let (notify, log) = capture();
    let mut fb = FallbackBackend::with_gpu(g, notify);
    let mut w = Whitener::new(&mut fb, mode).unwrap();
    let mut got = w.push(&data[..4000]).unwrap();
    w.backend().gpu().expect("still on the GPU").destroy_device_for_test();
    got.extend(w.push(&data[4000..]).unwrap());
    drop(w);
    assert_eq!(got, want);
    assert!(!fb.on_gpu());
    let reason = fb.fell_back().expect("fallback recorded");
    assert!(!matches!(reason, BackendError::InvalidParams(_)), "{reason}");
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[test]
fn a_failed_gpu_stays_failed() {
    let mut g = gpu();
    g.inject_failure(0, InjectedFailure::DeviceLost);
    assert!(matches!(g.sha3_blocks(&[0; 64], 8), Err(BackendError::DeviceLost(_))));
    // Even with the trigger gone, a backend that saw its device fail refuses further work.
    let e = g.fold(&[0; 64], 512, 2).unwrap_err();
    assert!(e.to_string().contains("device lost"), "{e}");
}

#[test]
fn invalid_parameters_do_not_trigger_a_fallback() {
    let (notify, log) = capture();
    let mut fb = FallbackBackend::with_gpu(gpu(), notify);
    assert!(matches!(fb.sha3_blocks(&[0; 10], 3), Err(BackendError::InvalidParams(_))));
    assert!(fb.on_gpu());
    assert!(log.lock().unwrap().is_empty());
}

#[test]
fn whiten_choice_parsing_and_cpu_choice() {
    assert_eq!("gpu".parse::<WhitenChoice>(), Ok(WhitenChoice::Gpu));
    assert_eq!("auto".parse::<WhitenChoice>(), Ok(WhitenChoice::Auto));
    let e = "fpga".parse::<WhitenChoice>().unwrap_err();
    assert!(e.contains("\"fpga\"") && e.contains("gpu, cpu, auto"), "{e}");
    let (notify, _) = capture();
    let fb = FallbackBackend::open(WhitenChoice::Cpu, notify);
    assert!(!fb.on_gpu());
    assert!(fb.describe().starts_with("cpu"));
}

#[test]
fn auto_skips_a_software_adapter_and_gpu_takes_it() {
    let info = gpu().adapter_info().clone();
    let (notify, log) = capture();
    let auto = FallbackBackend::open(WhitenChoice::Auto, notify);
    assert_eq!(auto.on_gpu(), info.device_type != "Cpu", "adapter {info}");
    assert_eq!(log.lock().unwrap().len(), 1);
    let (notify, log) = capture();
    let g = FallbackBackend::open(WhitenChoice::Gpu, notify);
    assert!(g.on_gpu());
    assert!(log.lock().unwrap()[0].contains(&info.name));
}
