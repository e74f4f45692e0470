//! Deterministic inputs shared by the integration tests, the cross-check and the STS fixture
//! script (examples/crosscheck_inputs.rs): the same bytes everywhere, made here, not downloaded.
#![allow(dead_code)]

use num_bigint::BigUint;
use sha3::{Digest, Sha3_256};

/// The first `n` bits of e's binary expansion, "10.1011011111..." read as 1, 0, 1, 0, 1, 1, ...:
/// the sequence of SP 800-22's §2.x.8 examples and appendix B (STS's data/data.e). Computed by
/// Horner's rule in fixed point, e = 1 + (1 + (1 + ...)/3)/2)/1, with 64 guard bits.
pub fn e_bits(n: usize) -> Vec<u8> {
    let frac = n - 2 + 64;
    let one = BigUint::from(1u8) << frac;
    // Terms up to 1/k! with log2(k!) > frac + 64.
    let (mut k, mut log2_fact) = (1u32, 0.0f64);
    while log2_fact < (frac + 64) as f64 {
        k += 1;
        log2_fact += (k as f64).log2();
    }
    let mut t = one.clone();
    for j in (1..=k).rev() {
        t = &one + (t / j);
    }
    // t = e·2^frac; its top n bits are e's first n binary digits.
    let v = t >> 64u32;
    let digits = v.to_str_radix(2);
    assert!(digits.len() >= n);
    digits.bytes().take(n).map(|c| c - b'0').collect()
}

/// `n` bytes of SHA3-256 in counter mode: SHA3-256(label || counter as u64 LE), concatenated.
pub fn sha3_counter(label: &str, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 32);
    let mut ctr = 0u64;
    while out.len() < n {
        let mut h = Sha3_256::new();
        h.update(label.as_bytes());
        h.update(ctr.to_le_bytes());
        out.extend_from_slice(&h.finalize());
        ctr += 1;
    }
    out.truncate(n);
    out
}

/// `n` bytes whose bits are 1 with probability `p1` (from SHA3 counter output, 16 bits a draw):
/// a stream biased enough to move the p-values and not so much that they are all zero.
pub fn biased(label: &str, n: usize, p1: f64) -> Vec<u8> {
    let src = sha3_counter(label, 2 * 8 * n);
    let cut = (p1 * 65536.0) as u32;
    let bits: Vec<u8> = src
        .chunks_exact(2)
        .map(|c| (u32::from(u16::from_le_bytes([c[0], c[1]])) < cut) as u8)
        .collect();
    bits.chunks_exact(8).map(|b| b.iter().fold(0u8, |a, &x| (a << 1) | x)).collect()
}

/// The cross-check inputs: name and bytes, one sequence of 10^6 bits each (125 000 bytes).
pub fn crosscheck_inputs() -> Vec<(&'static str, Vec<u8>)> {
    const BYTES: usize = 125_000;
    vec![
        ("sha3-a", sha3_counter("speckle-audit crosscheck a", BYTES)),
        ("sha3-b", sha3_counter("speckle-audit crosscheck b", BYTES)),
        ("biased-5010", biased("speckle-audit crosscheck biased", BYTES, 0.5010)),
    ]
}
