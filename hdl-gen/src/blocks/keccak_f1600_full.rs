//! Keccak-f[1600], one round per clock: the whole round is combinational on a 1600-bit state register.
//!
//! 24 clocks per permutation. This is the ECP5 engine (profile `ecp5`): about 7k LUT4, far too big for
//! an iCE40 UP5K, which uses `keccak_f1600_compact` instead. The lane interface is described in
//! `keccak_common`.

use super::keccak_common::{engine_header, rotl, round_constant_rom};
use speckle_model::keccak_f1600::{lane, pi_destination, rho_offsets, ROUNDS};
use speckle_model::sha3_256::RATE_BYTES;

/// Clocks from `start` to `idle` again.
pub const CYCLES_PER_PERMUTATION: usize = ROUNDS;

/// Verilog of the combinational round: wires `a_<i>` (state lanes) in, `r_<i>` out, `rc` (64) in.
fn round_network() -> String {
    let off = rho_offsets();
    let mut s = String::new();
    for i in 0..25 {
        s += &format!("wire [63:0] a_{i} = s[{}:{}];\n", 64 * i + 63, 64 * i);
    }
    for x in 0..5 {
        let terms: Vec<String> = (0..5).map(|y| format!("a_{}", lane(x, y))).collect();
        s += &format!("wire [63:0] c_{x} = {};\n", terms.join(" ^ "));
    }
    for x in 0..5 {
        s += &format!(
            "wire [63:0] d_{x} = c_{} ^ {};\n",
            (x + 4) % 5,
            rotl(&format!("c_{}", (x + 1) % 5), 1)
        );
    }
    // θ, then ρ and π as pure wiring.
    for x in 0..5 {
        for y in 0..5 {
            let i = lane(x, y);
            s += &format!("wire [63:0] t_{i} = a_{i} ^ d_{x};\n");
            s += &format!("wire [63:0] b_{} = {};\n", pi_destination(x, y), rotl(&format!("t_{i}"), off[i]));
        }
    }
    // χ, and ι on lane 0.
    for y in 0..5 {
        for x in 0..5 {
            let (i, i1, i2) = (lane(x, y), lane(x + 1, y), lane(x + 2, y));
            let iota = if i == 0 { " ^ rc" } else { "" };
            s += &format!("wire [63:0] r_{i} = b_{i} ^ (~b_{i1} & b_{i2}){iota};\n");
        }
    }
    s
}

/// Module `name`: the one-round-per-clock engine.
pub fn engine_module(name: &str) -> String {
    let mut s = engine_header(name);
    s += "reg [1599:0] s;\nreg [4:0] rnd;\nreg busy;\n";
    s += &round_constant_rom("rnd", "rc");
    s += &round_network();
    let next: Vec<String> = (0..25).rev().map(|i| format!("r_{i}")).collect();
    s += &format!("wire [1599:0] s_next = {{{}}};\n", next.join(", "));
    s += "assign idle = !busy;\nassign digest = s[255:0];\n";
    s += "always @(posedge clock) begin\n  if (reset) begin\n    busy <= 1'b0;\n    rnd <= 5'd0;\n  end else if (busy) begin\n";
    s += &format!(
        "    s <= s_next;\n    rnd <= rnd + 5'd1;\n    if (rnd == 5'd{}) busy <= 1'b0;\n",
        ROUNDS - 1
    );
    s += "  end else if (clear) begin\n    s <= 1600'd0;\n  end else if (start) begin\n    busy <= 1'b1;\n    rnd <= 5'd0;\n  end else if (lane_xor) begin\n    case (lane_idx)\n";
    for i in 0..RATE_BYTES / 8 {
        s += &format!("      5'd{i}: s[{}:{}] <= s[{}:{}] ^ lane_in;\n", 64 * i + 63, 64 * i, 64 * i + 63, 64 * i);
    }
    s += "      default: ;\n    endcase\n  end\nend\nendmodule\n";
    s
}
