//! `sha3_256`: FIPS 202 SHA3-256 over a byte stream, on the Keccak engine the profile asks for.
//!
//! The Verilog is written by Rust (`keccak_common`, `keccak_f1600_full`, `keccak_f1600_compact`) and
//! handed to rust-hdl as a `Wrapper`: rust-hdl's own expression language has no loops, and the
//! permutation is 25 lanes of regular wiring that a loop writes best. `update()` keeps a behavioural
//! model (the reference `speckle_model::sha3_256`, one byte per clock, digest the clock after the
//! last byte) for rust-hdl's simulator; the cycle-exact checks run the generated Verilog under
//! Verilator (testbench/tests/sha3_256.rs).

use super::keccak_common::absorber_module;
use super::{keccak_f1600_compact, keccak_f1600_full};
use rust_hdl::prelude::*;
use speckle_model::params::{CoreParams, KeccakArch};
use speckle_model::sha3_256::Sha3_256 as Sha3Model;

/// Verilog of the SHA3 front end and its engine, modules `<prefix>_absorber` and `<prefix>_keccak`.
pub fn sha3_modules(prefix: &str, arch: KeccakArch) -> String {
    let engine = format!("{prefix}_keccak");
    let mut s = absorber_module(&format!("{prefix}_absorber"), &engine);
    s += "\n";
    s += &match arch {
        KeccakArch::Full => keccak_f1600_full::engine_module(&engine),
        KeccakArch::Compact => keccak_f1600_compact::engine_module(&engine),
    };
    s
}

/// Clocks one permutation keeps the engine busy.
pub fn cycles_per_permutation(arch: KeccakArch) -> usize {
    match arch {
        KeccakArch::Full => keccak_f1600_full::CYCLES_PER_PERMUTATION,
        KeccakArch::Compact => keccak_f1600_compact::CYCLES_PER_PERMUTATION,
    }
}

/// Converts a digest to the `digest` port layout: byte i at bits [8i+7:8i].
pub fn digest_bits(d: &[u8; 32]) -> Bits<256> {
    let mut v = Bits::<256>::default();
    for (i, &b) in d.iter().enumerate() {
        v.set_bits::<8>(8 * i, (b as u64).into());
    }
    v
}

#[derive(Clone, Debug, LogicBlock)]
pub struct Sha3_256 {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_byte: Signal<In, Bits<8>>,
    pub in_last: Signal<In, Bit>,
    /// With `in_last`: the transfer carries no byte (ends the empty message).
    pub in_empty: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub digest: Signal<Out, Bits<256>>,
    pub digest_valid: Signal<Out, Bit>,
    pub digest_ready: Signal<In, Bit>,
    /// Prefix of the helper modules, so that two generated files never define the same module.
    _prefix: String,
    _arch: KeccakArch,
    _hash: Sha3Model,
    _done: Option<[u8; 32]>,
}

impl Sha3_256 {
    pub fn new(prefix: &str, arch: KeccakArch) -> Self {
        Sha3_256 {
            clock: Default::default(),
            reset: Default::default(),
            in_byte: Default::default(),
            in_last: Default::default(),
            in_empty: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            digest: Default::default(),
            digest_valid: Default::default(),
            digest_ready: Default::default(),
            _prefix: prefix.to_string(),
            _arch: arch,
            _hash: Sha3Model::new(),
            _done: None,
        }
    }
}

impl Logic for Sha3_256 {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.reset.val() {
                self._hash = Sha3Model::new();
                self._done = None;
            } else if self._done.is_some() {
                if self.digest_ready.val() {
                    self._done = None;
                }
            } else if self.in_valid.val() {
                if !(self.in_last.val() && self.in_empty.val()) {
                    self._hash.absorb(self.in_byte.val().to_u8());
                }
                if self.in_last.val() {
                    self._done = Some(std::mem::take(&mut self._hash).finalize());
                }
            }
        }
        self.in_ready.next = self._done.is_none();
        self.digest_valid.next = self._done.is_some();
        self.digest.next = self._done.as_ref().map(digest_bits).unwrap_or_default();
    }

    fn connect(&mut self) {
        self.in_ready.connect();
        self.digest.connect();
        self.digest_valid.connect();
    }

    fn hdl(&self) -> Verilog {
        let p = &self._prefix;
        Verilog::Wrapper(Wrapper {
            code: format!(
                "{p}_absorber absorber(.clock(clock), .reset(reset), .in_byte(in_byte), .in_last(in_last),\n\
                 \x20 .in_empty(in_empty), .in_valid(in_valid), .in_ready(in_ready), .abort(1'b0), .digest(digest),\n\
                 \x20 .digest_valid(digest_valid), .digest_ready(digest_ready));"
            ),
            cores: sha3_modules(p, self._arch),
        })
    }
}

/// Verilog of `speckle_sha3_256` for these parameters.
pub fn generate(p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_sha3_256", profile, Sha3_256::new("speckle_sha3_256", p.keccak))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_pick_their_engine_and_generation_is_deterministic() {
        let ice = generate(&CoreParams::ice40(), "ice40");
        let ecp = generate(&CoreParams::ecp5(), "ecp5");
        assert!(ice.contains("reg [63:0] mem [0:63];"), "compact engine keeps the state in RAM");
        assert!(ecp.contains("reg [63:0] s_24;"), "full engine keeps the state in lane registers");
        assert!(ice.contains("module speckle_sha3_256("));
        assert_eq!(ice, generate(&CoreParams::ice40(), "ice40"));
    }

    #[test]
    fn behavioural_update_hashes_abc_in_rust_hdl_simulation() {
        let want = digest_bits(&speckle_model::sha3_256::sha3_256(b"abc"));
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Sha3_256>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Sha3_256>| {
            let mut x = sim.init()?;
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            for (i, b) in b"abc".iter().enumerate() {
                x.in_byte.next = (*b as u64).into();
                x.in_last.next = i == 2;
                x.in_valid.next = true;
                wait_clock_cycle!(sim, clock, x);
            }
            x.in_valid.next = false;
            x = sim.watch(|x| x.digest_valid.val(), x)?;
            sim_assert!(sim, x.digest.val() == want, x);
            sim.done(x)
        });
        let mut uut = Sha3_256::new("t", KeccakArch::Compact);
        uut.connect_all();
        sim.run(Box::new(uut), 1000).unwrap();
    }
}
