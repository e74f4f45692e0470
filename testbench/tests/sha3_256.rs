//! `speckle_sha3_256` under Verilator, both Keccak engines (ice40: compact, ecp5: full), against
//! the `sha3` crate: FIPS 202 known answers, then random messages of random lengths (every length
//! around the 136-byte rate boundaries included) with random `in_valid` and `digest_ready`.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha3::Digest;
use testbench::{Model, PortId};

struct Dut {
    m: Model,
    clock: PortId,
    in_byte: PortId,
    in_last: PortId,
    in_empty: PortId,
    in_valid: PortId,
    in_ready: PortId,
    digest: PortId,
    digest_valid: PortId,
    digest_ready: PortId,
}

impl Dut {
    fn new(profile: &str) -> Dut {
        let mut m = testbench::open(profile, "speckle_sha3_256");
        let [clock, in_byte, in_last, in_empty, in_valid, in_ready, digest, digest_valid, digest_ready] =
            testbench::ports(
                &m,
                [
                    "clock",
                    "in_byte",
                    "in_last",
                    "in_empty",
                    "in_valid",
                    "in_ready",
                    "digest",
                    "digest_valid",
                    "digest_ready",
                ],
            );
        testbench::reset(&mut m, 1);
        Dut {
            m,
            clock,
            in_byte,
            in_last,
            in_empty,
            in_valid,
            in_ready,
            digest,
            digest_valid,
            digest_ready,
        }
    }

    fn reset(&mut self) {
        testbench::reset(&mut self.m, 1);
    }

    /// Offers bytes of a message that never ends for `clocks` clocks, taken or not.
    fn abandon(&mut self, rng: &mut ChaCha8Rng, clocks: usize) {
        for _ in 0..clocks {
            self.m.set(self.in_valid, 1);
            self.m.set(self.in_byte, rng.random::<u8>() as u64);
            self.m.set(self.in_last, 0);
            self.m.tick(self.clock);
        }
        self.m.set(self.in_valid, 0);
    }

    fn digest(&self) -> [u8; 32] {
        let words = self.m.get_wide(self.digest);
        let mut out = [0u8; 32];
        for (i, w) in words.iter().enumerate() {
            out[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Hashes `msg`, offering a byte with probability `p_valid` per clock and taking the digest
    /// with probability `p_ready`; returns the digest, the clocks from the first offer to it, and
    /// the longest run of clocks in which a byte was offered but not taken (a permutation stall).
    fn hash(
        &mut self,
        msg: &[u8],
        rng: &mut ChaCha8Rng,
        p_valid: f64,
        p_ready: f64,
    ) -> ([u8; 32], u64, u64) {
        let mut sent = 0usize;
        // The empty message is one transfer that carries no byte.
        let transfers = msg.len().max(1);
        let mut clocks = 0u64;
        let (mut stall, mut longest_stall) = (0u64, 0u64);
        loop {
            let offer = sent < transfers && rng.random_bool(p_valid);
            self.m.set(self.in_valid, offer as u64);
            if sent < transfers {
                self.m.set(self.in_byte, msg.get(sent).copied().unwrap_or(rng.random()) as u64);
                self.m.set(self.in_last, (sent + 1 == transfers) as u64);
                self.m.set(self.in_empty, msg.is_empty() as u64);
            }
            let ready = rng.random_bool(p_ready);
            self.m.set(self.digest_ready, ready as u64);
            self.m.eval();
            let moved = offer && self.m.get(self.in_ready) == 1;
            let done = self.m.get(self.digest_valid) == 1;
            assert!(!done || sent == transfers, "digest_valid before the message was complete");
            let digest = self.digest();
            self.m.tick(self.clock);
            clocks += 1;
            assert!(clocks < 1_000_000, "no digest after {clocks} clocks");
            if moved {
                sent += 1;
            }
            stall = if offer && !moved { stall + 1 } else { 0 };
            longest_stall = longest_stall.max(stall);
            if done && ready {
                self.m.set(self.in_valid, 0);
                self.m.set(self.digest_ready, 0);
                return (digest, clocks, longest_stall);
            }
        }
    }
}

fn expected(msg: &[u8]) -> [u8; 32] {
    sha3::Sha3_256::digest(msg).into()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn known_answers(profile: &str) {
    let mut d = Dut::new(profile);
    let mut rng = ChaCha8Rng::seed_from_u64(202);
    let cases: [(&[u8], &str); 3] = [
        (b"", "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"),
        (b"abc", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"),
        (&[0xa3; 200], "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787"),
    ];
    for (msg, want) in cases {
        let (got, _, _) = d.hash(msg, &mut rng, 1.0, 1.0);
        assert_eq!(got.to_vec(), hex(want), "{profile}: SHA3-256 of {} bytes", msg.len());
    }
}

fn random_messages(profile: &str, seed: u64, count: usize) {
    let mut d = Dut::new(profile);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Every length near the first block boundaries, then random lengths up to four blocks.
    let mut lens: Vec<usize> =
        [0, 1, 7, 8, 9, 134, 135, 136, 137, 143, 144, 270, 271, 272, 273, 407, 408, 409].to_vec();
    while lens.len() < count {
        lens.push(rng.random_range(0..=4 * 136 + 8));
    }
    let (mut one_block_clocks, mut permutation_stall) = (Vec::new(), Vec::new());
    for (n, &len) in lens.iter().enumerate() {
        let msg: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        // A third of the messages at full rate, the rest with random stalls on both sides.
        let (p_valid, p_ready) = if n % 3 == 0 {
            (1.0, 1.0)
        } else {
            (rng.random_range(0.2..1.0), rng.random_range(0.1..1.0))
        };
        let (got, clocks, stall) = d.hash(&msg, &mut rng, p_valid, p_ready);
        assert_eq!(
            got,
            expected(&msg),
            "{profile}: message #{n} of {len} bytes (p_valid {p_valid:.2}, p_ready {p_ready:.2})"
        );
        if p_valid == 1.0 && len == 135 {
            one_block_clocks.push(clocks);
        }
        if p_valid == 1.0 && len > 136 {
            permutation_stall.push(stall);
        }
    }
    permutation_stall.sort();
    println!(
        "{profile}: {} messages bit-exact; 135-byte message at full rate: {:?} clocks to the digest; \
         median longest in-message stall (one permutation plus the block's last lane XOR): {} clocks",
        lens.len(),
        one_block_clocks,
        permutation_stall[permutation_stall.len() / 2]
    );
}

/// A reset at any point (mid-lane, mid-permutation, while a digest waits) leaves no trace.
fn reset_anywhere(profile: &str) {
    let mut d = Dut::new(profile);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for n in 0..60 {
        let clocks = rng.random_range(0..3000);
        d.abandon(&mut rng, clocks);
        d.reset();
        let msg: Vec<u8> = (0..rng.random_range(0..300)).map(|_| rng.random()).collect();
        let (got, _, _) = d.hash(&msg, &mut rng, 1.0, 1.0);
        assert_eq!(
            got,
            expected(&msg),
            "{profile}: message after a reset {clocks} clocks into another (#{n})"
        );
    }
}

#[test]
fn compact_engine_reset_anywhere() {
    reset_anywhere("ice40");
}

#[test]
fn full_engine_reset_anywhere() {
    reset_anywhere("ecp5");
}

#[test]
fn compact_engine_known_answers() {
    known_answers("ice40");
}

#[test]
fn full_engine_known_answers() {
    known_answers("ecp5");
}

#[test]
fn compact_engine_random_messages() {
    random_messages("ice40", 0x1ce40, 1000);
}

#[test]
fn full_engine_random_messages() {
    random_messages("ecp5", 0xec95, 1000);
}
