//! `speckle_sha3_conditioner` under Verilator, both profiles, against
//! `speckle_model::sha3_conditioner` (whose digests the model's own tests tie to the `sha3` crate):
//! random bits with random `in_valid`/`digest_ready`, aborts at random points and right after a
//! block's last bit, and the throughput in clocks per block at full input rate.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha3::Digest;
use speckle_model::packing::pack_lsb_first;
use speckle_model::params::CoreParams;
use speckle_model::sha3_conditioner::Sha3Conditioner;
use std::collections::VecDeque;
use testbench::{Model, PortId};

struct Dut {
    m: Model,
    clock: PortId,
    in_bit: PortId,
    in_valid: PortId,
    in_ready: PortId,
    abort: PortId,
    digest: PortId,
    digest_valid: PortId,
    digest_ready: PortId,
}

/// What one clock did.
struct Step {
    took_bit: bool,
    digest: Option<[u8; 32]>,
}

impl Dut {
    fn new(profile: &str) -> Dut {
        let mut m = testbench::open(profile, "speckle_sha3_conditioner");
        let [clock, in_bit, in_valid, in_ready, abort, digest, digest_valid, digest_ready] =
            testbench::ports(
                &m,
                [
                    "clock",
                    "in_bit",
                    "in_valid",
                    "in_ready",
                    "abort",
                    "digest",
                    "digest_valid",
                    "digest_ready",
                ],
            );
        testbench::reset(&mut m, 1);
        Dut { m, clock, in_bit, in_valid, in_ready, abort, digest, digest_valid, digest_ready }
    }

    fn step(&mut self, valid: bool, bit: bool, abort: bool, ready: bool) -> Step {
        self.m.set(self.in_valid, valid as u64);
        self.m.set(self.in_bit, bit as u64);
        self.m.set(self.abort, abort as u64);
        self.m.set(self.digest_ready, ready as u64);
        self.m.eval();
        let took_bit = valid && self.m.get(self.in_ready) == 1;
        assert!(!(abort && took_bit), "a bit was taken in the clock of an abort");
        let digest = (ready && self.m.get(self.digest_valid) == 1).then(|| {
            let mut out = [0u8; 32];
            for (i, w) in self.m.get_wide(self.digest).iter().enumerate() {
                out[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
            }
            out
        });
        self.m.tick(self.clock);
        Step { took_bit, digest }
    }
}

/// Lock-step run: every bit the RTL takes goes into the model, every abort too; the digests must
/// come out of the RTL in the model's order.
struct Run {
    dut: Dut,
    model: Sha3Conditioner,
    want: VecDeque<[u8; 32]>,
    digests: usize,
    aborts_that_dropped_bits: usize,
}

impl Run {
    fn new(profile: &str) -> Run {
        let n_in = CoreParams::profile(profile).unwrap().n_in;
        Run {
            dut: Dut::new(profile),
            model: Sha3Conditioner::new(n_in),
            want: VecDeque::new(),
            digests: 0,
            aborts_that_dropped_bits: 0,
        }
    }

    fn step(&mut self, valid: bool, bit: bool, abort: bool, ready: bool) -> bool {
        let s = self.dut.step(valid, bit, abort, ready);
        if abort {
            if self.model.pending() > 0 {
                self.aborts_that_dropped_bits += 1;
            }
            self.model.abort();
        }
        if s.took_bit {
            if let Some(d) = self.model.push(bit) {
                self.want.push_back(d);
            }
        }
        if let Some(got) = s.digest {
            let want = self.want.pop_front().expect("the RTL produced a digest the model did not");
            assert_eq!(got, want, "digest #{}", self.digests);
            self.digests += 1;
        }
        s.took_bit
    }

    /// Takes every outstanding digest.
    fn drain(&mut self) {
        for _ in 0..20_000 {
            if self.want.is_empty() {
                return;
            }
            self.step(false, false, false, true);
        }
        panic!("{} digests never came out", self.want.len());
    }
}

fn random_traffic(profile: &str, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut run = Run::new(profile);
    let n_in = CoreParams::profile(profile).unwrap().n_in as usize;
    let mut since_block = 0usize;
    for clock in 0..400_000u64 {
        // Phases of different input rates and readiness, aborts now and then (about one per four blocks of input).
        let phase = (clock / 20_000) % 4;
        let p_valid = [1.0, 0.5, 0.1, 0.9][phase as usize];
        let p_ready = [1.0, 0.3, 0.9, 0.05][phase as usize];
        let abort = rng.random_bool(0.25 / n_in as f64);
        let bit = rng.random_bool(0.5);
        let valid = rng.random_bool(p_valid);
        let ready = rng.random_bool(p_ready);
        if run.step(valid, bit, abort, ready) {
            since_block = (since_block + 1) % n_in;
            // Now and then, abort right after a block's last bit: that block must still come out.
            if since_block == 0 && rng.random_bool(0.3) {
                run.step(false, false, true, false);
            }
        }
        if abort {
            since_block = 0;
        }
    }
    run.drain();
    println!(
        "{profile}: {} digests equal to the model, {} aborts dropped a partial block",
        run.digests, run.aborts_that_dropped_bits
    );
    assert!(
        run.digests >= 40,
        "only {} digests: the traffic did not exercise the block",
        run.digests
    );
    assert!(
        run.aborts_that_dropped_bits >= 40,
        "only {} aborts hit a partial block",
        run.aborts_that_dropped_bits
    );
}

/// Bits offered every clock, digest always taken: clocks between digests.
fn throughput(profile: &str) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n_in = CoreParams::profile(profile).unwrap().n_in as usize;
    let mut dut = Dut::new(profile);
    let mut bits = Vec::new();
    let mut at = Vec::new();
    for clock in 0..200_000u64 {
        let bit = rng.random_bool(0.5);
        let s = dut.step(true, bit, false, true);
        if s.took_bit {
            bits.push(bit);
        }
        if let Some(d) = s.digest {
            let block = at.len();
            let want: [u8; 32] =
                sha3::Sha3_256::digest(pack_lsb_first(&bits[block * n_in..(block + 1) * n_in]))
                    .into();
            assert_eq!(d, want, "{profile}: block {block}");
            at.push(clock);
        }
    }
    assert!(at.len() >= 10, "{profile}: only {} digests in 200000 clocks", at.len());
    let mut gaps: Vec<u64> = at.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort();
    println!(
        "{profile}: sha3_conditioner throughput at full input rate: median {} clocks per {n_in}-bit block ({} blocks)",
        gaps[gaps.len() / 2],
        at.len()
    );
}

#[test]
fn compact_random_bits_and_aborts_match_the_model() {
    random_traffic("ice40", 40);
}

#[test]
fn full_random_bits_and_aborts_match_the_model() {
    random_traffic("ecp5", 5);
}

#[test]
fn compact_throughput() {
    throughput("ice40");
}

#[test]
fn full_throughput() {
    throughput("ecp5");
}
