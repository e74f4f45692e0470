//! Streaming whitener: tails carried across calls, random split points equal one-shot output, on
//! the CPU and the GPU backends.

mod common;

use common::{gpu, random_bytes, rng};
use gpu_offload::{Backend, CpuBackend, Leftover, Mode, Whitener};
use rand::RngExt;

/// Feeds `data` in pieces cut at random positions (including empty pieces).
fn streamed<B: Backend>(backend: B, mode: Mode, data: &[u8], seed: u64) -> (Vec<u8>, Leftover) {
    let mut w = Whitener::new(backend, mode).unwrap();
    let mut r = rng(seed);
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let len =
            if r.random::<u8>() < 20 { 0 } else { r.random_range(1..=(data.len() - at).min(700)) };
        out.extend(w.push(&data[at..at + len]).unwrap());
        at += len;
    }
    (out, w.finish())
}

/// What a single call over the whole-unit prefix gives, computed directly on the CPU backend.
fn one_shot(mode: Mode, data: &[u8]) -> (Vec<u8>, Leftover) {
    let mut c = CpuBackend::new();
    match mode {
        Mode::Sha3 { n_in_bits } => {
            let bb = n_in_bits / 8;
            let whole = data.len() / bb * bb;
            (
                c.sha3_blocks(&data[..whole], bb).unwrap(),
                Leftover { raw_bits: (data.len() - whole) * 8, folded_bits: 0 },
            )
        }
        Mode::Fold { k } => {
            let whole = data.len() / k as usize * k as usize;
            (
                c.fold(&data[..whole], whole * 8, k).unwrap(),
                Leftover { raw_bits: (data.len() - whole) * 8, folded_bits: 0 },
            )
        }
        Mode::FoldThenSha3 { k, n_in_bits } => {
            let (folded, lo) = one_shot(Mode::Fold { k }, data);
            let (digests, lo2) = one_shot(Mode::Sha3 { n_in_bits }, &folded);
            (digests, Leftover { raw_bits: lo.raw_bits, folded_bits: lo2.raw_bits })
        }
    }
}

const MODES: [Mode; 8] = [
    Mode::Sha3 { n_in_bits: 8 },
    Mode::Sha3 { n_in_bits: 24 },
    Mode::Sha3 { n_in_bits: 640 },
    Mode::Sha3 { n_in_bits: 1096 },
    Mode::Fold { k: 1 },
    Mode::Fold { k: 3 },
    Mode::Fold { k: 8 },
    Mode::FoldThenSha3 { k: 2, n_in_bits: 640 },
];

#[test]
fn cpu_streaming_with_random_splits_equals_one_shot() {
    for (i, mode) in MODES.into_iter().enumerate() {
        for len in [0usize, 1, 79, 80, 81, 5000, 20_003] {
            let data = random_bytes(100 + i as u64, len);
            let want = one_shot(mode, &data);
            for seed in 0..3 {
                assert_eq!(
                    streamed(CpuBackend::new(), mode, &data, seed),
                    want,
                    "{mode:?}, {len} bytes, seed {seed}"
                );
            }
        }
    }
}

#[test]
fn gpu_streaming_with_random_splits_equals_one_shot() {
    let mut g = gpu();
    for (i, mode) in MODES.into_iter().enumerate() {
        let data = random_bytes(200 + i as u64, 9_001);
        let want = one_shot(mode, &data);
        let (out, left) = streamed(&mut g, mode, &data, i as u64);
        assert!(!out.is_empty());
        assert_eq!((out, left), want, "{mode:?}");
        let direct = Whitener::new(&mut g, mode).unwrap().push(&data).unwrap();
        assert_eq!(direct, want.0, "{mode:?} one push");
    }
}

#[test]
fn tail_is_prepended_not_dropped_or_repeated() {
    // 640-bit blocks: 50 + 30 bytes must hash as one 80-byte block.
    let data = random_bytes(9, 80);
    let mut w = Whitener::new(CpuBackend::new(), Mode::Sha3 { n_in_bits: 640 }).unwrap();
    assert!(w.push(&data[..50]).unwrap().is_empty());
    let d = w.push(&data[50..]).unwrap();
    assert_eq!(d, CpuBackend::new().sha3_blocks(&data, 80).unwrap());
    assert_eq!(w.push(&[1, 2, 3]).unwrap(), Vec::<u8>::new());
    assert_eq!(w.finish(), Leftover { raw_bits: 24, folded_bits: 0 });
}

#[test]
fn abort_drops_partial_units_and_streaming_resumes_cleanly() {
    let data = random_bytes(10, 300);
    let mode = Mode::FoldThenSha3 { k: 2, n_in_bits: 640 };
    let mut w = Whitener::new(CpuBackend::new(), mode).unwrap();
    // 101 bytes: 50 folded bytes wait for an 80-byte block, 1 raw byte for its fold partner.
    assert!(w.push(&data[..101]).unwrap().is_empty());
    assert_eq!(w.abort(), Leftover { raw_bits: 8, folded_bits: 400 });
    // After the abort the stream restarts from nothing: same output as a fresh whitener.
    let after = w.push(&data[101..]).unwrap();
    let fresh = Whitener::new(CpuBackend::new(), mode).unwrap().push(&data[101..]).unwrap();
    assert_eq!(after, fresh);
    assert_eq!(after.len(), 32);
}

#[test]
fn bad_modes_are_rejected() {
    for (mode, needle) in [
        (Mode::Sha3 { n_in_bits: 0 }, "positive multiple of 8"),
        (Mode::Sha3 { n_in_bits: 12 }, "n_in = 12 bits"),
        (Mode::Fold { k: 0 }, "k must be >= 1"),
        (Mode::FoldThenSha3 { k: 2, n_in_bits: 7 }, "n_in = 7 bits"),
    ] {
        let e = Whitener::new(CpuBackend::new(), mode).err().expect("must reject").to_string();
        assert!(e.contains(needle), "{mode:?}: {e}");
    }
}
