//! Keccak-f[1600], one round per clock: the whole round is combinational on 25 lane registers.
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
            s += &format!(
                "wire [63:0] b_{} = {};\n",
                pi_destination(x, y),
                rotl(&format!("t_{i}"), off[i])
            );
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
///
/// The state is 25 lane registers. `clear` and `lane_xor` are registered (`clr_q`, the one-hot
/// `we`, `lane_q`) and carried out one clock later, so every state flip-flop's enable and data
/// select come straight from flip-flops (`busy`, `clr_q`, its lane's `we` bit) instead of from the
/// absorber's command decode: on the ECP5 that decode fanning out to all 1600 enables was the
/// critical path (docs/fpga-results.md). The delay is invisible at the lane interface: `idle`
/// stays `!busy`, a `start` in the clock after a `lane_xor` begins its first round on the updated
/// state, and a `clear` or `lane_xor` is never taken while busy, so `busy`, `clr_q` and `we` are
/// never high together.
pub fn engine_module(name: &str) -> String {
    let rate_lanes = RATE_BYTES / 8;
    let mut s = engine_header(name);
    for i in 0..25 {
        s += &format!("reg [63:0] s_{i};\n");
    }
    let lanes: Vec<String> = (0..25).rev().map(|i| format!("s_{i}")).collect();
    s += &format!("wire [1599:0] s = {{{}}};\n", lanes.join(", "));
    s += "reg [4:0] rnd;\nreg busy;\nreg clr_q;\n";
    s += &format!("reg [{}:0] we;\nreg [63:0] lane_q;\n", rate_lanes - 1);
    s += &round_constant_rom("rnd", "rc");
    s += &round_network();
    s += "assign idle = !busy;\nassign digest = s[255:0];\n";
    s += "wire take_xor = !busy && !clear && !start && lane_xor;\n";
    s += "always @(posedge clock) begin\n  lane_q <= lane_in;\n  if (reset) begin\n    busy <= 1'b0;\n    rnd <= 5'd0;\n    clr_q <= 1'b0;\n";
    s += "    we <= 0;\n  end else begin\n    clr_q <= !busy && clear;\n";
    for i in 0..rate_lanes {
        s += &format!("    we[{i}] <= take_xor && lane_idx == 5'd{i};\n");
    }
    s += "    if (busy) begin\n";
    s += &format!("      rnd <= rnd + 5'd1;\n      if (rnd == 5'd{}) busy <= 1'b0;\n", ROUNDS - 1);
    s += "    end else if (!clear && start) begin\n      busy <= 1'b1;\n      rnd <= 5'd0;\n    end\n  end\nend\n";
    for i in 0..25 {
        s += &format!("always @(posedge clock) begin\n  if (clr_q) s_{i} <= 64'd0;\n  else if (busy) s_{i} <= r_{i};\n");
        if i < rate_lanes {
            s += &format!("  else if (we[{i}]) s_{i} <= s_{i} ^ lane_q;\n");
        }
        s += "end\n";
    }
    s += "endmodule\n";
    s
}
