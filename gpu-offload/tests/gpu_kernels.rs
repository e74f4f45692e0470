//! The GPU kernels against FIPS 202 known answers and against the CPU backend, bit for bit.

mod common;

use common::{gpu, hex, random_bytes};
use gpu_offload::{Backend, CpuBackend};

const ABC: &str = "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532";
const A3X200: &str = "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787";

#[test]
fn fips202_known_answers_on_both_backends() {
    let mut g = gpu();
    let mut c = CpuBackend::new();
    for b in [&mut g as &mut dyn Backend, &mut c] {
        assert_eq!(hex(&b.sha3_blocks(b"abc", 3).unwrap()), ABC, "{}", b.describe());
        // 1600 bits: absorbs one full 136-byte rate block, then 64 bytes plus padding.
        assert_eq!(hex(&b.sha3_blocks(&[0xa3; 200], 200).unwrap()), A3X200, "{}", b.describe());
        // Two blocks in one buffer: each is hashed on its own.
        let two = [b"abc".as_slice(), b"abc"].concat();
        assert_eq!(
            hex(&b.sha3_blocks(&two, 3).unwrap()),
            format!("{ABC}{ABC}"),
            "{}",
            b.describe()
        );
    }
}

#[test]
fn sha3_matches_cpu_for_many_block_sizes() {
    let mut g = gpu();
    let mut c = CpuBackend::new();
    // Bits: byte-sized, unaligned (not a multiple of 32), around the 1088-bit rate, multi-block.
    for (i, n_in) in
        [8usize, 16, 24, 40, 640, 1080, 1088, 1096, 1600, 2176, 4096, 8200].into_iter().enumerate()
    {
        let bb = n_in / 8;
        for blocks in [1usize, 2, 63, 64, 65, 130] {
            let data = random_bytes((i * 1000 + blocks) as u64, bb * blocks);
            let want = c.sha3_blocks(&data, bb).unwrap();
            let got = g.sha3_blocks(&data, bb).unwrap();
            assert_eq!(got.len(), blocks * 32);
            assert_eq!(got, want, "n_in = {n_in} bits, {blocks} blocks");
        }
    }
}

#[test]
fn sha3_across_many_small_chunks_keeps_block_order() {
    let mut g = gpu();
    // 1 KiB chunks: a 100-block buffer of 640-bit blocks spans 9 chunks of 12 blocks, so every slot is reused
    // and results must come back in chunk order, whatever the number of buffer sets in flight.
    g.set_chunk_bytes(1024, 1024);
    let data = random_bytes(7, 80 * 100);
    let want = CpuBackend::new().sha3_blocks(&data, 80).unwrap();
    for in_flight in [1, 2, 3, 5] {
        g.set_in_flight(in_flight);
        let before = g.chunks_submitted();
        let got = g.sha3_blocks(&data, 80).unwrap();
        assert_eq!(g.chunks_submitted() - before, 9, "100 blocks in chunks of 12");
        assert_eq!(got, want, "{in_flight} buffer sets in flight");
        // The pipeline really kept that many chunks outstanding (peaks only grow: 1, 2, 3, 5).
        assert_eq!(g.peak_in_flight(), in_flight);
    }
    // Blocks larger than a chunk's budget: one block per chunk, buffers grown to fit.
    g.set_in_flight(3);
    g.set_chunk_bytes(64, 64);
    let big = random_bytes(8, 200 * 5);
    assert_eq!(
        g.sha3_blocks(&big, 200).unwrap(),
        CpuBackend::new().sha3_blocks(&big, 200).unwrap()
    );
}

#[test]
fn fold_matches_cpu_for_k_1_to_8_and_beyond_with_tails() {
    let mut g = gpu();
    let mut c = CpuBackend::new();
    let data = random_bytes(42, 4099);
    for k in (1u32..=8).chain([9, 13, 16, 31, 32, 33, 64, 100]) {
        for nbits in [0usize, 1, 7, 8, 9, 31, 32, 33, 255, 1000, 4096 * 8 - 3, 4099 * 8] {
            let want = c.fold(&data, nbits, k).unwrap();
            let got = g.fold(&data, nbits, k).unwrap();
            assert_eq!(want.len(), (nbits / k as usize).div_ceil(8));
            assert_eq!(got, want, "k = {k}, nbits = {nbits}");
        }
    }
}

#[test]
fn fold_reference_is_the_xor_of_each_group() {
    // Independent bit-by-bit check of the CPU reference itself (the GPU is compared against it).
    let data = random_bytes(3, 97);
    let mut c = CpuBackend::new();
    // 1..=8 take the CPU's word-per-output-byte path, the rest its general path.
    for k in (1u32..=8).chain([9, 13, 33, 64, 70]) {
        let nbits = 97 * 8 - 5;
        let out = c.fold(&data, nbits, k).unwrap();
        for j in 0..nbits / k as usize {
            let want = (0..k as usize)
                .fold(0u8, |a, t| a ^ gpu_offload::backend::bit(&data, j * k as usize + t));
            assert_eq!(gpu_offload::backend::bit(&out, j), want, "k = {k}, bit {j}");
        }
        // Padding bits above the last output bit are zero.
        let used = nbits / k as usize;
        for j in used..out.len() * 8 {
            assert_eq!(gpu_offload::backend::bit(&out, j), 0);
        }
    }
}

#[test]
fn fold_across_many_small_chunks() {
    let mut g = gpu();
    g.set_chunk_bytes(64, 64);
    let data = random_bytes(11, 3001);
    let mut c = CpuBackend::new();
    for k in [1u32, 2, 3, 5, 8, 16] {
        let nbits = data.len() * 8 - 11;
        assert_eq!(g.fold(&data, nbits, k).unwrap(), c.fold(&data, nbits, k).unwrap(), "k = {k}");
    }
}

#[test]
fn bad_parameters_are_rejected_with_a_reason() {
    let mut g = gpu();
    let mut c = CpuBackend::new();
    for b in [&mut g as &mut dyn Backend, &mut c] {
        let e = b.sha3_blocks(&[0; 10], 0).unwrap_err().to_string();
        assert!(e.contains("multiple of 8"), "{e}");
        let e = b.sha3_blocks(&[0; 10], 3).unwrap_err().to_string();
        assert!(e.contains("not a whole number of 3-byte blocks"), "{e}");
        let e = b.fold(&[0; 2], 8, 0).unwrap_err().to_string();
        assert!(e.contains("k must be >= 1"), "{e}");
        let e = b.fold(&[0; 2], 17, 1).unwrap_err().to_string();
        assert!(e.contains("only 16 bits"), "{e}");
    }
}
