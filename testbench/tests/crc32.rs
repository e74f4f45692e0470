//! `speckle_crc32` under Verilator against the clock model (model/src/crc32.rs) for 10^6 random
//! clocks (random `init`, `data_valid`, data), and whole messages against the `crc` crate's
//! CRC-32/ISO-HDLC (via `speckle_model::protocol::crc32`).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rtl_sim::{Model, PortId};
use speckle_model::crc32::Crc32;
use speckle_model::protocol::crc32;

struct Dut {
    m: Model,
    clock: PortId,
    init: PortId,
    data: PortId,
    data_valid: PortId,
    crc: PortId,
}

impl Dut {
    fn new(profile: &str) -> Dut {
        if let Some(why) = rtl_sim::unavailable_reason() {
            panic!("no Verilator model of speckle_crc32: {why}");
        }
        let m = Model::new(profile, "speckle_crc32").unwrap_or_else(|e| panic!("{e}"));
        let p = |n: &str| m.port(n).unwrap_or_else(|e| panic!("{e}"));
        let mut d = Dut {
            clock: p("clock"),
            init: p("init"),
            data: p("data"),
            data_valid: p("data_valid"),
            crc: p("crc"),
            m,
        };
        let reset = d.m.port("reset").unwrap();
        d.m.set(reset, 1);
        d.m.tick(d.clock);
        d.m.set(reset, 0);
        d
    }

    fn clock(&mut self, init: bool, byte: Option<u8>) {
        self.m.set(self.init, init as u64);
        self.m.set(self.data_valid, byte.is_some() as u64);
        self.m.set(self.data, byte.unwrap_or(0) as u64);
        self.m.tick(self.clock);
    }

    fn crc(&self) -> u32 {
        self.m.get(self.crc) as u32
    }
}

#[test]
fn random_clocks_match_the_model() {
    for (profile, seed) in [("ice40", 1u64), ("ecp5", 2)] {
        let mut dut = Dut::new(profile);
        let mut model = Crc32::new();
        assert_eq!(dut.crc(), model.crc(), "{profile}: after reset");
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        for cycle in 0..1_000_000u32 {
            let init = r.random_bool(0.02);
            let byte = r.random_bool(0.7).then(|| r.random::<u8>());
            dut.clock(init, byte);
            model.clock(init, byte);
            assert_eq!(dut.crc(), model.crc(), "{profile}: clock {cycle}");
        }
    }
}

#[test]
fn messages_match_the_crc_crate() {
    let mut dut = Dut::new("ice40");
    let mut r = ChaCha8Rng::seed_from_u64(3);
    dut.clock(true, None);
    assert_eq!(dut.crc(), crc32(b""));
    for len in 1..600usize {
        let msg: Vec<u8> = (0..len).map(|_| r.random()).collect();
        for (i, &b) in msg.iter().enumerate() {
            // Idle clocks inside a message must not disturb it.
            while r.random_bool(0.3) {
                dut.clock(false, None);
            }
            dut.clock(i == 0, Some(b));
        }
        assert_eq!(dut.crc(), crc32(&msg), "length {len}");
    }
    // The catalogue's check value.
    for (i, &b) in b"123456789".iter().enumerate() {
        dut.clock(i == 0, Some(b));
    }
    assert_eq!(dut.crc(), 0xCBF4_3926);
}
