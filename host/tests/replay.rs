//! The ingest path driven by in-memory captures from the board double: what is released, when.

mod common;

use common::{lcg_samples, BoardDouble};
use proptest::prelude::*;
use sha3::Digest;
use speckle::cli::{Conditioner, Mode};
use speckle::ingest::{run_to_end, Event, WorkerConfig};
use speckle::row::Row;
use speckle::source::{MemoryLink, SourceSpec};
use speckle::whiten::SharedBackend;
use speckle_model::params::CoreParams;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

fn cfg(mode: Mode) -> WorkerConfig {
    cfg_with(mode, None)
}

fn cfg_with(mode: Mode, backend: Option<SharedBackend>) -> WorkerConfig {
    WorkerConfig {
        recovery: speckle::recovery::Policy::default(),
        clear: Default::default(),
        index: 0,
        spec: SourceSpec::File { path: "capture".into() },
        expected: None,
        mode,
        conditioner: Conditioner::Sha3,
        backend,
        status_timeout: Duration::from_secs(60),
        sim_seed: 1,
        stop: Arc::new(AtomicBool::new(false)),
    }
}

fn replay(mode: Mode, bytes: Vec<u8>, chunk: usize) -> (Vec<[u8; 32]>, Vec<Row>) {
    replay_with(cfg(mode), bytes, chunk)
}

fn replay_with(cfg: WorkerConfig, bytes: Vec<u8>, chunk: usize) -> (Vec<[u8; 32]>, Vec<Row>) {
    let events = run_to_end(cfg, Box::new(MemoryLink::new(bytes, chunk)));
    let mut blocks = Vec::new();
    let mut rows = Vec::new();
    for e in events {
        match e {
            Event::Blocks { blocks: b, .. } => blocks.extend(b),
            Event::Row { row, .. } => rows.push(*row),
            Event::Ended { .. } | Event::Attested { .. } | Event::Failed { .. } => {}
        }
    }
    (blocks, rows)
}

#[test]
fn blocks_are_released_only_between_two_healthy_statuses() {
    let mut b = BoardDouble::new();
    b.block(0).status(0).block(1).block(2).status(0).block(3).status(0).block(4);
    let (blocks, rows) = replay(Mode::Conditioned, b.bytes.clone(), 7);
    assert_eq!(
        blocks,
        vec![[1; 32], [2; 32], [3; 32]],
        "block 0 precedes any STATUS, block 4 is never confirmed"
    );
    assert_eq!(rows.len(), 4, "one row per STATUS and one at the end");
    assert!(rows[1].healthy && rows[2].healthy);
    let last = rows.last().unwrap();
    assert_eq!(last.discarded_blocks, 2);
    assert_eq!(last.bytes_out, 96);
    assert_eq!(last.frames_ok, 8);
    assert_eq!((last.bad_crc, last.lost), (0, 0));
}

#[test]
fn an_alarm_discards_the_interval_before_it_and_stops_the_source() {
    let mut b = BoardDouble::new();
    b.status(0).block(1).status(0).block(2).block(3).status(1 << 1).block(4).status(1 << 1);
    let (blocks, rows) = replay(Mode::Conditioned, b.bytes.clone(), 64);
    assert_eq!(blocks, vec![[1; 32]]);
    let alarm_row = &rows[2];
    assert!(!alarm_row.healthy);
    assert!(alarm_row.reason.contains("APT"), "{}", alarm_row.reason);
    assert_eq!(alarm_row.board_alarms, 2);
    assert_eq!(rows.last().unwrap().discarded_blocks, 3);
}

#[test]
fn corrupt_frames_and_line_noise_are_counted_and_never_passed_on() {
    let mut b = BoardDouble::new();
    b.status(0).block(1);
    let start = b.bytes.len();
    b.block(2);
    b.bytes[start + 10] ^= 0x40; // payload byte of block 2: CRC now fails
    b.garbage(&[0xA5, 0x5A, 0x01, 0xFF]).block(3);
    b.seq += 2; // two frames lost on the line
    b.block(4).status(0);
    let (blocks, rows) = replay(Mode::Conditioned, b.bytes.clone(), 5);
    assert_eq!(blocks, vec![[1; 32], [3; 32], [4; 32]]);
    let last = rows.last().unwrap();
    assert!(last.bad_crc >= 1, "{last:?}");
    assert_eq!(last.lost, 2 + 1, "the corrupt frame and the two skipped sequence numbers");
    assert!(last.resync_bytes > 0);
}

/// More decode errors between two STATUS frames than `--decode-error-limit` fail the source: the
/// blocks of that interval are discarded, the row says why and the recovery state machine takes
/// over (its backoff outlasts this replay, so nothing after the failure passes either). As many
/// errors as the limit are tolerated.
#[test]
fn decode_errors_above_the_limit_fail_the_source() {
    let limit = 4;
    let noisy = |errors: usize| {
        let mut b = BoardDouble::new();
        b.status(0).block(1).status(0).block(2);
        for _ in 0..errors {
            let start = b.bytes.len();
            b.block(9);
            b.bytes[start + 10] ^= 0x40; // CRC fails: one bad CRC and one lost frame
        }
        b.status(0).block(3).status(0).block(4).status(0);
        let mut c = cfg(Mode::Conditioned);
        c.recovery.decode_error_limit = limit;
        replay_with(c, b.bytes.clone(), 16)
    };
    // Two errors per corrupt frame (its bad CRC and its missing sequence number).
    let (blocks, rows) = noisy(limit as usize / 2);
    assert_eq!(blocks, vec![[1; 32], [2; 32], [3; 32], [4; 32]], "{rows:?}");
    assert!(rows.iter().all(|r| r.recovery == "healthy"), "{rows:?}");
    let (blocks, rows) = noisy(limit as usize / 2 + 1);
    assert_eq!(blocks, vec![[1; 32]], "the noisy interval's block 2 and all after it are held");
    let failed = rows.iter().find(|r| r.recovery == "failed").expect("a failed row");
    assert!(failed.reason.contains("decode errors since the last STATUS"), "{failed:?}");
    assert!(!failed.healthy);
}

/// Independent restatement of the core's construction: hold back max(2W+16, 1024) samples, von
/// Neumann if the profile has it, XOR-fold by k, pack LSB-first, SHA3-256 of n_in/8 bytes.
fn expected_raw_blocks(frames: &[[u8; 32]], holdback: usize, p: &CoreParams) -> Vec<[u8; 32]> {
    let bits: Vec<bool> =
        frames.iter().flat_map(|f| (0..256).map(move |i| (f[i / 8] >> (i % 8)) & 1 == 1)).collect();
    let released = &bits[..bits.len() - holdback];
    let vn: Vec<bool> = if p.vn_enable {
        released.chunks_exact(2).filter(|p| p[0] != p[1]).map(|p| p[0]).collect()
    } else {
        released.to_vec()
    };
    let k = p.fold_k as usize;
    let folded: Vec<bool> =
        vn.chunks_exact(k).map(|c| c.iter().fold(false, |a, &b| a ^ b)).collect();
    let bytes: Vec<u8> = folded
        .chunks_exact(8)
        .map(|c| c.iter().enumerate().fold(0, |a, (i, &b)| a | (b as u8) << i))
        .collect();
    bytes.chunks_exact(p.n_in as usize / 8).map(|c| sha3::Sha3_256::digest(c).into()).collect()
}

#[test]
fn raw_mode_conditions_on_the_host_exactly_like_the_core() {
    let frames = lcg_samples(200, 7);
    let (blocks, rows) = replay(Mode::Raw, common::raw_capture(&frames, None), 1000);
    let want = expected_raw_blocks(&frames, 2 * 1024 + 16, &CoreParams::ice40());
    assert!(want.len() >= 5, "test data too short: {}", want.len());
    assert_eq!(blocks, want);
    assert_eq!(rows.last().unwrap().host_rct_failures, 0);
}

/// Raw mode's live min-entropy estimate (`raw_min_entropy`) is SP 800-90B's MCV, Markov and
/// collision estimates over the last 2^16 raw samples, computed here with the estimators
/// themselves; beside the board's claim (`raw_entropy_claim`, STATUS h). Fair samples sit above
/// the claim; samples with P(1) = 7/8 (the APT alarms, but the estimate still describes the source)
/// fall below it.
#[test]
fn raw_mode_rows_carry_a_live_min_entropy_estimate_beside_the_claim() {
    use speckle_model::telemetry_row::RAW_ESTIMATE_WINDOW;
    let run = |frames: &[[u8; 32]]| {
        let (_, rows) = replay(Mode::Raw, common::raw_capture(frames, None), 1000);
        let bits: Vec<u8> =
            frames.iter().flat_map(|f| (0..256).map(move |i| (f[i / 8] >> (i % 8)) & 1)).collect();
        let want = bits.len().checked_sub(RAW_ESTIMATE_WINDOW).map(|from| {
            let last = &bits[from..];
            speckle_assess::mcv::estimate(last, 2)
                .min(speckle_assess::markov::estimate(last))
                .min(speckle_assess::collision::estimate(last))
        });
        (rows.last().unwrap().clone(), want)
    };
    let fair = lcg_samples(300, 11);
    let (row, want) = run(&fair);
    let claim = BoardDouble::new().params.h_milli() as f64 / 1000.0;
    assert_eq!(row.raw_entropy_claim, Some(claim));
    let (got, want) =
        (row.raw_min_entropy.expect("an estimate once 2^16 samples arrived"), want.unwrap());
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    assert!(got > claim && got > 0.7, "{got}");
    // AND of three fair bits: P(1) = 1/8, so the MCV estimate is about -log2(7/8) = 0.19.
    let (a, b, c) = (lcg_samples(300, 1), lcg_samples(300, 2), lcg_samples(300, 3));
    let biased: Vec<[u8; 32]> =
        (0..300).map(|k| std::array::from_fn(|i| a[k][i] & b[k][i] & c[k][i])).collect();
    let (row, want) = run(&biased);
    let (got, want) = (row.raw_min_entropy.unwrap(), want.unwrap());
    assert!((got - want).abs() < 1e-12 && got < claim && got < 0.25, "{got} vs {want}");
    // Too few samples for a window: no estimate, rather than a figure from too little data.
    let (row, want) = run(&fair[..200]);
    assert_eq!((row.raw_min_entropy, want), (None, None));
    // Conditioned mode sees no raw sample.
    let mut b = BoardDouble::new();
    b.status(0).block(1).status(0);
    let (_, rows) = replay(Mode::Conditioned, b.bytes.clone(), 64);
    assert_eq!((rows[1].raw_min_entropy, rows[1].raw_entropy_claim), (None, None));
}

/// `--whiten gpu`: the same capture through gpu-offload's batched fold + SHA3 (lavapipe where no
/// GPU is present; the CPU backend if no Vulkan adapter opens at all, which the backend reports)
/// gives exactly the per-block CPU path's blocks, across several STATUS intervals, so batching at
/// STATUS boundaries neither loses, delays past its STATUS, nor reorders a block.
#[test]
#[cfg(feature = "gpu")]
fn raw_mode_through_the_gpu_whitener_equals_the_cpu_path() {
    let capture = common::raw_capture(&lcg_samples(600, 11), Some(97));
    let (cpu, _) = replay(Mode::Raw, capture.clone(), 777);
    let backend = SharedBackend::open(speckle::cli::Whiten::Gpu, Conditioner::Sha3)
        .unwrap()
        .expect("a backend for --whiten gpu");
    let (gpu, rows) = replay_with(cfg_with(Mode::Raw, Some(backend)), capture, 777);
    assert!(cpu.len() >= 20, "test data too short: {} blocks", cpu.len());
    assert_eq!(gpu, cpu);
    assert!(rows
        .iter()
        .all(|r| r.host_rct_failures + r.host_apt_failures + r.host_markov_failures == 0));
}

/// Healthy raw frames, then 20 frames of ones (an RCT failure on the host), then healthy frames
/// again, with STATUS frames around them that the board double reports healthy.
fn stuck_capture() -> Vec<u8> {
    let mut b = BoardDouble::new();
    b.raw_mode = true;
    b.status(0);
    for f in lcg_samples(100, 3) {
        b.raw(f);
    }
    for _ in 0..20 {
        b.raw([0xFF; 32]);
    }
    b.status(0);
    for f in lcg_samples(100, 4) {
        b.raw(f);
    }
    b.status(0).status(0);
    b.bytes
}

/// A host alarm with the batched whitener: nothing of the interval is released, and the partial
/// batch is aborted rather than completed with later samples.
#[test]
#[cfg(feature = "gpu")]
fn raw_mode_alarm_through_the_gpu_whitener_releases_nothing() {
    let backend = SharedBackend::open(speckle::cli::Whiten::Gpu, Conditioner::Sha3).unwrap();
    let (blocks, rows) = replay_with(cfg_with(Mode::Raw, backend), stuck_capture(), 999);
    assert!(blocks.is_empty(), "{} blocks released", blocks.len());
    assert_eq!(rows.last().unwrap().host_rct_failures, 1);
    assert!(rows.iter().any(|r| r.reason.contains("host RCT alarm") && !r.healthy));
}

#[test]
fn raw_mode_host_tests_catch_a_stuck_source_and_release_nothing() {
    let (blocks, rows) = replay(Mode::Raw, stuck_capture(), 999);
    assert!(blocks.is_empty(), "{} blocks released", blocks.len());
    let last = rows.last().unwrap();
    assert_eq!(last.host_rct_failures, 1);
    let alarm_rows: Vec<&Row> =
        rows.iter().filter(|r| r.reason.contains("host RCT alarm")).collect();
    assert_eq!(
        alarm_rows.len(),
        3,
        "every STATUS row after the stuck samples reports the host alarm"
    );
    assert!(alarm_rows.iter().all(|r| !r.healthy));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Arbitrary bytes never panic and never release anything: no STATUS can vouch for them.
    #[test]
    fn arbitrary_bytes_release_nothing(bytes in proptest::collection::vec(any::<u8>(), 0..4000), chunk in 1usize..300) {
        let (blocks, _) = replay(Mode::Conditioned, bytes, chunk);
        prop_assert!(blocks.is_empty());
    }

    /// Flipping arbitrary bytes of a valid stream can lose blocks but never invents one: every
    /// released block is one the board sent, in order, and none from an alarmed interval.
    #[test]
    fn corruption_never_invents_or_reorders_blocks(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..20),
        chunk in 1usize..200,
    ) {
        let mut b = BoardDouble::new();
        b.status(0);
        for t in 1..=20u8 {
            b.block(t);
            if t % 5 == 0 { b.status(0); }
        }
        b.block(99).block(98).status(1);
        let mut bytes = b.bytes.clone();
        for (i, x) in flips {
            let n = bytes.len();
            bytes[i.index(n)] ^= x;
        }
        let (blocks, _) = replay(Mode::Conditioned, bytes, chunk);
        let tags: Vec<u8> = blocks.iter().map(|blk| { prop_assert!(blk.iter().all(|&x| x == blk[0])); Ok(blk[0]) }).collect::<Result<_, _>>()?;
        prop_assert!(tags.windows(2).all(|w| w[0] < w[1]), "{:?}", tags);
        prop_assert!(tags.iter().all(|&t| (1..=20).contains(&t)), "{:?}", tags);
    }
}

/// Attestation on every STATUS, not only the first: a board whose second STATUS reports an APT
/// cutoff off SP 800-90B's formula is failed there. The block that STATUS would have released is
/// discarded, the thread ends with `Failed` naming the field, and nothing after it is read. The
/// first claim is announced before any block could pass.
#[test]
fn a_status_that_fails_attestation_mid_run_releases_nothing_and_ends_the_source() {
    let mut b = BoardDouble::new();
    b.status(0).block(1).status(0).block(2);
    b.edit_status = |s| s.apt_cutoff -= 1;
    b.status(0).block(3).status(0);
    let events = run_to_end(cfg(Mode::Conditioned), Box::new(MemoryLink::new(b.bytes, 5)));
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            Event::Attested { .. } => "attested",
            Event::Blocks { .. } => "blocks",
            Event::Row { .. } => "row",
            Event::Ended { .. } => "ended",
            Event::Failed { .. } => "failed",
        })
        .collect();
    assert_eq!(kinds, ["attested", "row", "blocks", "row", "row", "failed"]);
    let released: Vec<[u8; 32]> = events
        .iter()
        .filter_map(|e| match e {
            Event::Blocks { blocks, .. } => Some(blocks.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(released, vec![[1; 32]], "block 2 waited for the failing STATUS");
    let apt = speckle_model::params::CoreParams::ice40().cutoffs().apt;
    let Some(Event::Failed { reason, .. }) = events.last() else { unreachable!() };
    assert!(
        reason.starts_with("file:capture: board attestation failed: apt_cutoff: expected ")
            && reason.ends_with(&format!("received {}", apt - 1)),
        "{reason}"
    );
    let Some(Event::Row { row, .. }) = events.iter().rev().nth(1) else { unreachable!() };
    assert!(!row.healthy && row.reason == *reason && row.discarded_blocks == 1, "{row:?}");
    assert_eq!(row.provenance, "replay");
}
