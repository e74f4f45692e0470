//! Fault injection on `speckle_core`'s RD pin under Verilator, every profile (the DDR ones with two
//! samples a clock). After a healthy
//! stretch long enough for several CONDITIONED frames, RD turns faulty: stuck at 0, stuck at 1,
//! biased (p = 0.9), period-2 pattern, period-8 square wave (00001111) and dropout bursts. For each:
//! - the alarm must rise within SP 800-90B's detection bound of the onset: C samples for faults the
//!   RCT sees (stuck, dropout), 2W samples for the window tests (APT, Markov);
//! - no conditioned byte derived from a sample at or after the onset may leave the core: every
//!   CONDITIONED frame ever sent must equal, in order, the model's digest of a block made only of
//!   samples that entered the holdback before the onset, and the frame count may not exceed the
//!   number of such blocks (also checked with the model-free bound: a block needs at least
//!   fold_k · n_in raw samples, twice that with von Neumann, which takes two per output bit).
//!
//! After the alarm the run continues long enough for the UART to drain everything queued.

mod core;

use core::{model_digests, pushed_run, pushed_run_from, Core};
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

/// Samples a healthy source produces before the fault (at least, see [`pre_fault_samples`]), and
/// the drain time after the alarm.
const PRE_FAULT_SAMPLES: usize = 60_000;
const DRAIN_SAMPLES: usize = 40_000;

/// Enough healthy samples for two full CONDITIONED frames after the startup test, so that frames
/// really go out before the fault (a DDR profile's fold makes a block of 5 000 to 8 000 samples).
fn pre_fault_samples(p: &speckle_model::params::CoreParams) -> usize {
    let per_frame = (p.fold_k * p.n_in * p.blocks_per_frame) as usize;
    PRE_FAULT_SAMPLES.max(2 * per_frame + 4096)
}

fn inject(profile: &str, fault: Fault, seed: u64) {
    let mut core = Core::open(profile);
    let p = core.p.clone();
    let c = p.cutoffs();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    core.run_samples(pre_fault_samples(&p), || rng.random_bool(0.5));
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
            Fault::Period2 => n.is_multiple_of(2),
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
    let alarm_at = core
        .alarm_at
        .unwrap_or_else(|| panic!("{profile} {fault:?}: no alarm within {} samples", bound + 8));
    assert!(alarm_at > onset_clock);
    // Samples the tests had seen when the alarm rose: a level driven on RD reaches a verdict after
    // the synchroniser (2 clocks) and the test register (1), and the alarm latches 1 clock later;
    // with one sample every 2 clocks that pipeline holds two samples nobody has tested yet.
    const RD_TO_ALARM_CLOCKS: u64 = 4;
    let latency =
        core.sample_clock[onset..].iter().filter(|&&t| t + RD_TO_ALARM_CLOCKS < alarm_at).count();
    assert!(
        latency <= bound,
        "{profile} {fault:?}: alarm {latency} samples after the onset, bound {bound}"
    );
    core.run_samples(DRAIN_SAMPLES, &mut source);
    assert!(
        core.alarm() && !core.gate_is_open(),
        "{profile} {fault:?}: alarm must stay latched, gate closed"
    );

    let healthy = pushed_run(&core, onset);
    let allowed = model_digests(&p, healthy);
    let got = core.digests();
    assert!(
        got.len() >= 5,
        "{profile} {fault:?}: only {} frames before the fault, test is vacuous",
        got.len()
    );
    assert!(
        got.len() <= allowed.len(),
        "{profile} {fault:?}: {} CONDITIONED frames, but only {} blocks can be built from pre-onset samples",
        got.len(),
        allowed.len()
    );
    let per_block = (1 + p.vn_enable as usize) * p.fold_k as usize * p.n_in as usize;
    assert!(got.len() <= healthy.len() / per_block, "{profile} {fault:?}: model-free bound broken");
    for (i, (g, w)) in got.iter().zip(&allowed).enumerate() {
        assert_eq!(g, w, "{profile} {fault:?}: frame {i} is not the digest of pre-onset block {i}");
    }
    // Nothing entered the data path once the alarm was latched. Samples still in the pipeline
    // between RD and the verdict (RD_TO_ALARM_CLOCKS: one or two samples, eight with a pair a
    // clock) may have entered the holdback before it; the alarm flushed them, which the digest
    // check above covers.
    let after_alarm = core.sample_clock.partition_point(|&t| t < alarm_at);
    assert!(after_alarm <= onset + latency + 2 * RD_TO_ALARM_CLOCKS as usize);
    assert!(
        core.pushed[after_alarm..].iter().all(|&x| !x),
        "{profile} {fault:?}: samples entered the holdback under alarm"
    );
}

const FAULTS: [Fault; 6] = [
    Fault::StuckAt0,
    Fault::StuckAt1,
    Fault::Bias90,
    Fault::Period2,
    Fault::Period8,
    Fault::Dropout,
];

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

/// The pair forms: every fault detected within the same bound in samples, and nothing from a
/// sample at or after the onset hashed, with two samples a clock through the tests and holdback.
#[test]
fn ddr_faults_alarm_in_time_and_leak_nothing() {
    for (j, profile) in ["ecp5-ddr", "ice40-ddr"].iter().enumerate() {
        for (i, f) in FAULTS.iter().enumerate() {
            inject(profile, *f, 400 + 10 * j as u64 + i as u64);
        }
    }
}

/// After a stuck-at fault, CLEAR_ALARMS is acknowledged, the gate stays closed for the 1024-sample
/// startup test and then reopens, and the conditioned output resumes bit-exact from samples taken
/// after it reopened. Then the LOS and external-alarm pins each close the gate within a few clocks,
/// and STATUS reports them latched.
#[test]
fn clear_alarms_reopens_the_gate_and_pins_close_it() {
    use speckle_model::protocol::{AckResult, FrameType, Payload};
    let mut core = Core::open("ice40");
    let mut rng = ChaCha8Rng::seed_from_u64(300);
    core.run_samples(30_000, || rng.random_bool(0.5));
    let onset = core.samples.len();
    core.run_samples(200, || true);
    assert!(core.alarm(), "stuck-at-1 not detected");
    core.run_samples(2_000, || rng.random_bool(0.5));
    assert!(core.alarm() && !core.gate_is_open(), "alarm must stay latched until cleared");
    let clear_at = core.samples.len();
    let clear = core.send(FrameType::ClearAlarms, vec![]);
    core.run_samples(60_000, || rng.random_bool(0.5));
    assert!(!core.alarm() && core.gate_is_open(), "gate did not reopen after CLEAR_ALARMS");
    let reopen = clear_at + core.pushed[clear_at..].iter().position(|&x| x).unwrap();
    assert!(
        reopen >= clear_at + 1024,
        "gate reopened {} samples after the clear was sent",
        reopen - clear_at
    );
    let acks: Vec<_> = core.frames_of(FrameType::Ack).iter().map(|f| f.payload()).collect();
    assert!(
        matches!(acks[..], [Ok(Payload::Ack(a))] if a.cmd_type == 0x82 && a.cmd_seq == clear && a.result == AckResult::Done),
        "{acks:?}"
    );

    // The first digests come from the first healthy stretch (those completed before the alarm,
    // including any that waited in the digest buffer across it), the rest from the second.
    let got = core.digests();
    let first = model_digests(&core.p, pushed_run(&core, onset));
    let second = model_digests(&core.p, pushed_run_from(&core, reopen));
    let before = got.iter().zip(&first).take_while(|(g, f)| g == f).count();
    assert!(
        before >= 3 && got.len() - before >= 5,
        "{before} frames before, {} after",
        got.len() - before
    );
    assert_eq!(got[..before], first[..before], "frames before the fault");
    assert_eq!(got[before..], second[..got.len() - before], "frames after the clear");

    for (pin, bit) in [(0, 3u8), (1, 4u8)] {
        let start = core.clocks;
        if pin == 0 {
            core.set_los(true)
        } else {
            core.set_ext_alarm(true)
        }
        while !core.alarm() {
            core.step(rng.random_bool(0.5));
            assert!(core.clocks - start < 10, "pin {pin} did not raise the alarm");
        }
        assert!(!core.gate_is_open());
        core.run_samples(100, || rng.random_bool(0.5));
        if pin == 0 {
            core.set_los(false)
        } else {
            core.set_ext_alarm(false)
        }
        // Worst case: the command (9 bytes), a CONDITIONED frame already on the wire (41), the ACK
        // (13) and the STATUS (57) at 240 clocks a byte is ~29 000 clocks, 7 300 samples.
        let statuses = core.frames_of(FrameType::Status).len();
        core.send(FrameType::RequestStatus, vec![]);
        for _ in 0..100 {
            core.run_samples(100, || rng.random_bool(0.5));
            if core.frames_of(FrameType::Status).len() > statuses {
                break;
            }
        }
        let Some(Ok(Payload::Status(s))) =
            core.frames_of(FrameType::Status).last().map(|f| f.payload())
        else {
            panic!("no STATUS answer")
        };
        assert!(s.alarms.0 & (1 << bit) != 0, "alarm bit {bit} not latched: {s:?}");
        assert_eq!(s.state.0 & 0b11, 0b01, "startup passed, gate closed: {s:?}");
        core.send(FrameType::ClearAlarms, vec![]);
        core.run_samples(3_000, || rng.random_bool(0.5));
        assert!(core.gate_is_open(), "gate did not reopen after pin {pin} cleared");
    }
}
