//! `run_bench` as the host's `speckle bench --whiten gpu` calls it: figures come from measurement
//! (positive, finite, one per repetition), outputs are cross-checked, and the page labels a
//! software adapter's figure as such. No speed is asserted: throughput belongs in docs, not tests.

mod common;

use gpu_offload::bench::{median, run_bench, BenchConfig};
use gpu_offload::Mode;

#[test]
fn run_bench_measures_both_backends_and_cross_checks_them() {
    let adapter = common::gpu().adapter_info().clone();
    let cfg = BenchConfig {
        bytes: 96 * 1024,
        reps: 3,
        modes: vec![Mode::Sha3 { n_in_bits: 640 }, Mode::Fold { k: 3 }],
    };
    let r = run_bench(&cfg).expect("bench runs");
    assert_eq!(r.adapter, adapter);
    assert_eq!(r.results.len(), 2);
    for m in &r.results {
        for v in [&m.cpu_gbps, &m.gpu_gbps, &m.gpu_serial_gbps] {
            assert_eq!(v.len(), 3);
            assert!(v.iter().all(|x| x.is_finite() && *x > 0.0), "{v:?}");
        }
        assert!(m.outputs_match);
        assert_eq!(m.cpu_median(), median(&m.cpu_gbps));
    }
    assert!(r.all_match());
    let page = r.to_page();
    assert!(page.contains(&adapter.name));
    assert_eq!(page.contains("cannot be measured on this machine"), adapter.device_type == "Cpu");
}

#[test]
fn median_and_bad_configs() {
    assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    let e = run_bench(&BenchConfig { reps: 0, ..Default::default() }).unwrap_err().to_string();
    assert!(e.contains("reps > 0"), "{e}");
}
