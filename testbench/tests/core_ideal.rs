//! `speckle_core` end to end under Verilator with an ideal source (fixed-seed fair coin on RD), for
//! both profiles: no alarm may ever rise, the gate must open after the startup test, and every
//! CONDITIONED frame must carry exactly the SHA3-256 digest that the model chain (von Neumann →
//! XOR fold → n_in-bit blocks) computes from the samples that entered the holdback, in order.
//! STATUS frames must agree with what the test saw (samples, blocks, no alarms, cutoffs).

mod core;

use core::{model_digests, pushed_run, Core};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use speckle_model::protocol::{FrameType, Payload};

fn ideal(profile: &str, samples: usize, seed: u64, min_frames: usize, max_backlog: usize) {
    let mut core = Core::open(profile);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut bits = 0u64;
    let mut left = 0;
    core.run_samples(samples, || {
        if left == 0 {
            bits = rng.random::<u64>();
            left = 64;
        }
        left -= 1;
        bits >> left & 1 == 1
    });
    assert_eq!(core.alarm_at, None, "{profile}: alarm on an ideal source");
    assert!(core.gate_is_open(), "{profile}: gate never opened");
    let opened = core.pushed.iter().position(|&x| x).expect("gate opened");
    assert!(
        opened >= 1024,
        "{profile}: gate opened after {opened} samples, before the startup test"
    );
    let want = model_digests(&core.p, pushed_run(&core, core.samples.len()));
    let got = core.digests();
    // The last few model blocks may still wait in the digest buffer when the run stops.
    assert!(
        got.len() + max_backlog >= want.len() && got.len() <= want.len(),
        "{profile}: {} frames, model {}",
        got.len(),
        want.len()
    );
    assert!(got.len() >= min_frames, "{profile}: only {} conditioned frames", got.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "{profile}: conditioned frame {i} differs from the model's block {i}");
    }
    let stats = core.decoder.stats();
    assert_eq!((stats.bad_crc, stats.lost, stats.resync_bytes), (0, 0, 0), "{profile}: {stats:?}");
    let c = core.p.cutoffs();
    let mut statuses = 0;
    for f in core.frames.iter().filter(|f| f.ftype == FrameType::Status) {
        let Ok(Payload::Status(s)) = f.payload() else { panic!("{profile}: bad STATUS {f:?}") };
        statuses += 1;
        assert_eq!(s.alarms.0, 0, "{profile}: {s:?}");
        assert_eq!(s.dropped, 0, "{profile}: samples dropped on an ideal source: {s:?}");
        assert!(s.samples as usize <= core.samples.len() && s.samples > 0, "{profile}: {s:?}");
        assert_eq!(
            (s.rct_cutoff as u32, s.apt_cutoff as u32, s.window as u32),
            (c.rct, c.apt, core.p.window)
        );
        assert_eq!(
            (s.markov_lo as u32, s.markov_hi as u32, s.n_in as u32),
            (c.markov_lo, c.markov_hi, core.p.n_in)
        );
        assert!(s.rct_max_run >= 15 && (s.rct_max_run as u32) < c.rct, "{profile}: {s:?}");
        assert!(
            s.markov_min > c.markov_lo as u16 && s.markov_max < c.markov_hi as u16,
            "{profile}: {s:?}"
        );
    }
    let period = 1u64 << core.p.status_period_log2;
    assert_eq!(statuses as u64, core.clocks / period, "{profile}: STATUS frames");
}

/// Both profiles run long enough to reach steady state: the sampler's supply sits just under what
/// the conditioner (ice40) or the UART (ecp5) carries, so STATUS must report no drop, and up to two
/// frames of digests (the digest buffer) plus one may still wait when the run stops.
#[test]
fn ice40_ideal_source_is_bit_exact_end_to_end() {
    ideal("ice40", 10_000_000, 1, 12_000, 15);
}

#[test]
fn ecp5_ideal_source_is_bit_exact_end_to_end() {
    ideal("ecp5", 1_000_000, 2, 600, 15);
}

/// SET_MODE 1 is acknowledged and turns the output into RAW frames, each 256 consecutive raw samples
/// (found, in order and without overlap, in the sample stream the test drove); REQUEST_STATUS is
/// acknowledged and answered with a STATUS frame reporting raw mode.
#[test]
fn raw_mode_frames_carry_consecutive_samples() {
    use speckle_model::packing::unpack_lsb_first;
    use speckle_model::protocol::AckResult;
    let mut core = Core::open("ice40");
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    core.run_samples(3000, || rng.random_bool(0.5));
    let switch = core.samples.len();
    let set_mode = core.send(FrameType::SetMode, vec![1]);
    core.run_samples(20_000, || rng.random_bool(0.5));
    let request = core.send(FrameType::RequestStatus, vec![]);
    core.run_samples(8_000, || rng.random_bool(0.5));

    let acks: Vec<_> = core
        .frames_of(FrameType::Ack)
        .iter()
        .map(|f| match f.payload() {
            Ok(Payload::Ack(a)) => (a.cmd_type, a.cmd_seq, a.result),
            other => panic!("bad ACK {other:?}"),
        })
        .collect();
    assert_eq!(acks, vec![(0x81, set_mode, AckResult::Done), (0x83, request, AckResult::Done)]);

    let raws = core.frames_of(FrameType::Raw);
    assert!(raws.len() >= 5, "only {} RAW frames", raws.len());
    let mut from = switch;
    for (i, f) in raws.iter().enumerate() {
        let bits = unpack_lsb_first(&f.payload);
        assert_eq!(bits.len(), 256);
        let at = (from..core.samples.len() - 255)
            .find(|&k| core.samples[k..k + 256] == bits[..])
            .unwrap_or_else(|| {
                panic!("RAW frame {i} is not 256 consecutive samples after sample {from}")
            });
        from = at + 256;
    }
    let statuses = core.frames_of(FrameType::Status);
    let Some(Ok(Payload::Status(s))) = statuses.last().map(|f| f.payload()) else {
        panic!("no STATUS answer")
    };
    assert_eq!((s.mode, s.alarms.0), (1, 0), "{s:?}");
    assert!(
        s.samples as usize > switch + 20_000 && s.samples as usize <= core.samples.len(),
        "{s:?}"
    );
}

/// The pair form: two samples a clock through every health test and the pair holdback, folded 8 to
/// 1 into the same conditioner; 2 × 10^7 samples (10^7 clocks, two STATUS periods) must decode
/// bit-exact with no drop. A holdback that fell behind by even a few pairs per block would have
/// filled its ~7000 pairs of slack within the run's 3600 blocks and dropped.
#[test]
fn ecp5_ddr_ideal_source_is_bit_exact_end_to_end() {
    ideal("ecp5-ddr", 20_000_000, 3, 900, 15);
}

/// The pair form on the compact Keccak, whose ~2600-clock pause per block the fold FIFO (512 bits
/// at a bit every 6 clocks) must cover: 2 × 10^7 samples, 2500 blocks, bit-exact with no drop.
#[test]
fn ice40_ddr_ideal_source_is_bit_exact_end_to_end() {
    ideal("ice40-ddr", 20_000_000, 4, 600, 15);
}
