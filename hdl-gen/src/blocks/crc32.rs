//! `speckle_crc32`: CRC-32/ISO-HDLC, one byte per clock, shared by the framer and the command parser.
//!
//! The byte update is linear over GF(2), so each of the 32 next-state bits is the XOR of a fixed set
//! of state and data bits. That set is derived at generation time from the reference model's
//! bit-serial step ([`speckle_model::crc32::step_byte`]) and written out as a flat XOR network
//! (`Verilog::Custom`): a `for` loop of eight dependent steps inside `hdl_gen` would leave the
//! synthesiser one long chain to flatten and Verilator a combinational loop warning to silence.
//! `update()` keeps rust-hdl's own simulator using the model directly.

use rust_hdl::prelude::*;
use speckle_model::crc32::{step_byte, INIT};
use speckle_model::params::CoreParams;
use std::fmt::Write;

/// Ports: `init` restarts the CRC (a `data_valid` in the same clock is the first byte of the new
/// message); `crc` is the finished (inverted) CRC of the bytes since `init`, valid one clock after
/// the last byte.
#[derive(LogicBlock, Default)]
pub struct Crc32 {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub init: Signal<In, Bit>,
    pub data: Signal<In, Bits<8>>,
    pub data_valid: Signal<In, Bit>,
    pub crc: Signal<Out, Bits<32>>,
    state: DFF<Bits<32>>,
}

impl Logic for Crc32 {
    fn update(&mut self) {
        self.state.clock.next = self.clock.val();
        let base = if self.init.val() { INIT } else { self.state.q.val().to_u32() };
        let next = if self.reset.val() {
            INIT
        } else if self.data_valid.val() {
            step_byte(base, self.data.val().to_u8())
        } else {
            base
        };
        self.state.d.next = (next as u64).into();
        self.crc.next = ((!self.state.q.val().to_u32()) as u64).into();
    }

    fn connect(&mut self) {
        self.state.clock.connect();
        self.state.d.connect();
        self.crc.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(xor_network_verilog())
    }
}

/// Which bits feed next-state bit `j`: (state-bit mask, data-bit mask), found by pushing unit
/// vectors through the linear step (step_byte(0, 0) = 0, so superposition holds).
fn taps() -> Vec<(u32, u8)> {
    (0..32)
        .map(|j| {
            let s = (0..32)
                .filter(|&i| step_byte(1 << i, 0) >> j & 1 != 0)
                .fold(0u32, |m, i| m | 1 << i);
            let d =
                (0..8).filter(|&i| step_byte(0, 1 << i) >> j & 1 != 0).fold(0u8, |m, i| m | 1 << i);
            (s, d)
        })
        .collect()
}

fn xor_network_verilog() -> String {
    let mut v = String::new();
    v.push_str("wire [31:0] base = init ? 32'hffffffff : state$q;\nwire [31:0] step;\n");
    for (j, (s, d)) in taps().into_iter().enumerate() {
        let terms: Vec<String> = (0..32)
            .filter(|i| s >> i & 1 != 0)
            .map(|i| format!("base[{i}]"))
            .chain((0..8).filter(|i| d >> i & 1 != 0).map(|i| format!("data[{i}]")))
            .collect();
        writeln!(v, "assign step[{j}] = {};", terms.join(" ^ ")).unwrap();
    }
    v.push_str(
        "always @(*) begin\n\
         \x20  state$clock = clock;\n\
         \x20  if (reset) state$d = 32'hffffffff;\n\
         \x20  else if (data_valid) state$d = step;\n\
         \x20  else state$d = base;\n\
         \x20  crc = ~state$q;\n\
         end\n",
    );
    v
}

/// Verilog of `speckle_crc32` (the CRC parameters are fixed by the protocol, not the profile).
pub fn generate(_p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_crc32", profile, Crc32::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_reproduce_the_model_step() {
        let t = taps();
        let mut x = 0x1234_5678u32;
        for _ in 0..1000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let (state, byte) = (x ^ x.rotate_left(13), (x >> 24) as u8);
            let net = (0..32).fold(0u32, |acc, j| {
                let (s, d) = t[j];
                let bit = ((state & s).count_ones() + (byte & d).count_ones()) & 1;
                acc | bit << j
            });
            assert_eq!(net, step_byte(state, byte));
        }
    }
}
