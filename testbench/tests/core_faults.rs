//! Fault injection on `speckle_core`'s RD pin under Verilator, both profiles. After a healthy
//! stretch long enough for several CONDITIONED frames, RD turns faulty: stuck at 0, stuck at 1,
//! biased (p = 0.9), period-2 pattern, period-8 square wave (00001111) and dropout bursts. For each:
//! - the alarm must rise within SP 800-90B's detection bound of the onset: C samples for faults the
//!   RCT sees (stuck, dropout), 2W samples for the window tests (APT, Markov);
//! - no conditioned byte derived from a sample at or after the onset may leave the core: every
//!   CONDITIONED frame ever sent must equal, in order, the model's digest of a block made only of
//!   samples that entered the holdback before the onset, and the frame count may not exceed the
//!   number of such blocks (also checked with the model-free bound: a block needs at least
//!   2 · fold_k · n_in raw samples, since von Neumann takes two samples per output bit).
//! After the alarm the run continues long enough for the UART to drain everything queued.

mod core;

use core::{model_digests, pushed_run, Core};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Clone, Copy, Debug)]
enum Fault {
    StuckAt0,
    StuckAt1,
    Bias90,
    Period2,
    Period8,
    Dropout,
}

/// Samples a healthy source produces before the fault, and the drain time after the alarm.
const PRE_FAULT_SAMPLES: usize = 60_000;
const DRAIN_SAMPLES: usize = 40_000;

fn inject(profile: &str, fault: Fault, seed: u64) {
    let mut core = Core::open(profile);
    let p = core.p.clone();
    let c = p.cutoffs();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    core.run_samples(PRE_FAULT_SAMPLES, || rng.random_bool(0.5));
    assert_eq!(core.alarm_at, None, "{profile} {fault:?}: alarm before the fault");
    let onset = core.samples.len();
    let onset_clock = core.clocks;
    let mut n = 0u64;
    // Dropout: RD stuck low for 100..300 samples, then healthy for 200..1000, repeatedly.
    let mut burst_left = 200u32;
    let mut healthy_left = 0u32;
    let mut source = || {
        n += 1;
        match fault {
            Fault::StuckAt0 => false,
            Fault::StuckAt1 => true,
            Fault::Bias90 => rng.random_bool(0.9),
            Fault::Period2 => n % 2 == 0,
            Fault::Period8 => n % 8 < 4,
            Fault::Dropout => {
                if burst_left > 0 {
                    burst_left -= 1;
                    if burst_left == 0 {
                        healthy_left = rng.random_range(200..1000);
                    }
                    false
                } else {
                    healthy_left -= 1;
                    if healthy_left == 0 {
                        burst_left = rng.random_range(100..300);
                    }
                    rng.random_bool(0.5)
                }
            }
        }
    };
    let bound = match fault {
        Fault::StuckAt0 | Fault::StuckAt1 | Fault::Dropout => c.rct as usize,
        Fault::Bias90 | Fault::Period2 | Fault::Period8 => 2 * p.window as usize,
    };
    core.run_samples(bound + 8, &mut source);
    let alarm_at = core.alarm_at.unwrap_or_else(|| panic!("{profile} {fault:?}: no alarm within {} samples", bound + 8));
    assert!(alarm_at > onset_clock);
    let latency = core.sample_clock[onset..].iter().filter(|&&t| t < alarm_at).count();
    assert!(latency <= bound, "{profile} {fault:?}: alarm {latency} samples after the onset, bound {bound}");
    core.run_samples(DRAIN_SAMPLES, &mut source);
    assert!(core.alarm() && !core.gate_is_open(), "{profile} {fault:?}: alarm must stay latched, gate closed");

    let healthy = pushed_run(&core, onset);
    let allowed = model_digests(&p, healthy);
    let got = core.digests();
    assert!(got.len() >= 5, "{profile} {fault:?}: only {} frames before the fault, test is vacuous", got.len());
    assert!(
        got.len() <= allowed.len(),
        "{profile} {fault:?}: {} CONDITIONED frames, but only {} blocks can be built from pre-onset samples",
        got.len(),
        allowed.len()
    );
    let per_block = 2 * p.fold_k as usize * p.n_in as usize;
    assert!(got.len() <= healthy.len() / per_block, "{profile} {fault:?}: model-free bound broken");
    for (i, (g, w)) in got.iter().zip(&allowed).enumerate() {
        assert_eq!(g, w, "{profile} {fault:?}: frame {i} is not the digest of pre-onset block {i}");
    }
    // Nothing made it into the data path after the onset.
    assert!(core.pushed[onset + latency + 2..].iter().all(|&x| !x), "{profile} {fault:?}: samples entered the holdback under alarm");
}

const FAULTS: [Fault; 6] = [Fault::StuckAt0, Fault::StuckAt1, Fault::Bias90, Fault::Period2, Fault::Period8, Fault::Dropout];

#[test]
fn ice40_faults_alarm_in_time_and_leak_nothing() {
    for (i, f) in FAULTS.iter().enumerate() {
        inject("ice40", *f, 100 + i as u64);
    }
}

#[test]
fn ecp5_faults_alarm_in_time_and_leak_nothing() {
    for (i, f) in FAULTS.iter().enumerate() {
        inject("ecp5", *f, 200 + i as u64);
    }
}
