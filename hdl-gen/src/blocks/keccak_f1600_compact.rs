//! Keccak-f[1600], lane-serial on a 64-bit datapath with the state in block RAM: the iCE40 engine.
//!
//! The state lives in a 64 x 64-bit simple dual-port RAM (four SB_RAM40_4K on an iCE40): bank A
//! (addresses 0..24) holds the state between rounds, bank B (32..56) the lanes after θ, ρ and π.
//! A ring of five 64-bit registers does all the row and column work:
//!
//! 1. parity (25 clocks): read A lane by lane, x fastest; the ring accumulates the column parities
//!    C[x], each new lane XORed onto the lane leaving the ring's head.
//! 2. θ ρ π (25 clocks): read A again; the ring rotates once per lane, so C[x-1] and C[x+1] always
//!    sit at the same two places; write rotl(A ^ D[x], r[x,y]) to B at π's destination.
//! 3. χ ι (5 rows x 10 clocks): load a row of B into the ring, then write the five χ outputs back
//!    to A while the ring rotates, XORing the round constant into lane (0,0).
//!
//! 100 clocks per round, 24 rounds, then four reads shift lanes 0..3 into the ring, which holds the
//! digest until the next permutation (no separate 256-bit digest register). The
//! RAM has one clock of read latency: every read is issued with a tag (`d_op`, `d_k`, `d_x`, `d_y`)
//! that travels alongside it, and the data stage acts on the tag when the lane arrives.

use super::keccak_common::{engine_header, rotl, round_constant_rom};
use speckle_model::keccak_f1600::{lane, pi_destination, rho_offsets, ROUNDS};

/// Clocks from `start` to `idle` again: 24 rounds of 25 + 25 + 50, the digest copy, and the drain.
pub const CYCLES_PER_PERMUTATION: usize = ROUNDS * 100 + 4 + 1;

/// θ ρ π data path: the ρ offset and the π destination of the lane with index `d_k`.
fn lane_tables() -> String {
    let off = rho_offsets();
    let mut s =
        String::from("reg [5:0] rho_r;\nreg [4:0] pi_dst;\nalways @(*) begin\n  case (d_k)\n");
    for x in 0..5 {
        for y in 0..5 {
            let i = lane(x, y);
            s += &format!(
                "    5'd{i}: begin rho_r = 6'd{}; pi_dst = 5'd{}; end\n",
                off[i],
                pi_destination(x, y)
            );
        }
    }
    s += "    default: begin rho_r = 6'd0; pi_dst = 5'd0; end\n  endcase\nend\n";
    // Barrel rotator, one stage per bit of rho_r.
    s += "wire [63:0] rot_0 = theta_out;\n";
    for b in 0..6 {
        s += &format!(
            "wire [63:0] rot_{} = rho_r[{b}] ? {} : rot_{b};\n",
            b + 1,
            rotl(&format!("rot_{b}"), 1 << b)
        );
    }
    s
}

/// Module `name`: the lane-serial engine.
pub fn engine_module(name: &str) -> String {
    let mut s = engine_header(name);
    s += r#"
localparam OP_IDLE = 3'd0;
localparam OP_CLEAR = 3'd1;
localparam OP_PARITY = 3'd2;
localparam OP_THETA = 3'd3;
localparam OP_CHI = 3'd4;
localparam OP_DIGEST = 3'd5;
localparam D_NONE = 3'd0;
localparam D_XOR = 3'd1;
localparam D_PARITY = 3'd2;
localparam D_THETA = 3'd3;
localparam D_LOAD = 3'd4;
localparam D_CHI = 3'd5;
localparam D_DIGEST = 3'd6;

reg [63:0] mem [0:63];
reg [63:0] rdata;
reg [2:0] op;
reg [4:0] k;      // lane index x + 5y while reading A; clear counter
reg [2:0] x;
reg [2:0] y;
reg [3:0] sub;    // χ: 0..4 read the row, 5..9 write it
reg [4:0] rnd;
reg [2:0] d_op;
reg [4:0] d_k;
reg [2:0] d_x;
reg [2:0] d_y;
reg [63:0] c0, c1, c2, c3, c4;

assign idle = op == OP_IDLE && d_op == D_NONE;
// The digest is lanes 0..3, read into the ring after the last round (c1 = lane 0 .. c4 = lane 3).
// The ring is idle from then until the next permutation's parity pass, and the SHA3 front end
// starts none before the digest handshake, so it holds the digest without a 256-bit register.
assign digest = {c4, c3, c2, c1};

wire [2:0] sub_m5 = sub[2:0] + 3'd3; // sub - 5 for sub in 5..9

// Issue stage: what to read, and the tag that goes with it.
reg [5:0] raddr;
reg [2:0] i_op;
always @(*) begin
  raddr = {1'b0, k};
  i_op = D_NONE;
  case (op)
    OP_IDLE: if (lane_xor && !clear && !start) begin
      raddr = {1'b0, lane_idx};
      i_op = D_XOR;
    end
    OP_PARITY: i_op = D_PARITY;
    OP_THETA: i_op = D_THETA;
    OP_CHI: begin
      raddr = 6'd32 + {3'd0, sub[2:0]} + 6'd5 * {3'd0, y};
      i_op = (sub < 4'd5) ? D_LOAD : D_CHI;
    end
    OP_DIGEST: i_op = D_DIGEST;
    default: ;
  endcase
end
"#;
    s += &round_constant_rom("rnd", "rc");
    s += "wire [63:0] theta_out = rdata ^ c4 ^ ";
    s += &rotl("c1", 1);
    s += ";\n";
    s += &lane_tables();
    s += &format!(
        r#"wire [63:0] chi_out = c0 ^ (~c1 & c2) ^ ((d_x == 3'd0 && d_y == 3'd0) ? rc : 64'd0);
wire [5:0] d_lane = {{1'b0, d_k}};
reg we;
reg [5:0] waddr;
reg [63:0] wdata;
always @(*) begin
  we = 1'b1;
  waddr = d_lane;
  wdata = 64'd0;
  case (d_op)
    D_XOR: wdata = rdata ^ lane_in;
    D_THETA: begin
      waddr = 6'd32 + {{1'b0, pi_dst}};
      wdata = rot_6;
    end
    D_CHI: begin
      waddr = {{3'd0, d_x}} + 6'd5 * {{3'd0, d_y}};
      wdata = chi_out;
    end
    default: begin
      we = op == OP_CLEAR;
      waddr = {{1'b0, k}};
    end
  endcase
end

always @(posedge clock) begin
  if (we) mem[waddr] <= wdata;
  rdata <= mem[raddr];
end

// Sequencer.
always @(posedge clock) begin
  if (reset) begin
    op <= OP_IDLE;
    d_op <= D_NONE;
    k <= 5'd0;
    x <= 3'd0;
    y <= 3'd0;
    sub <= 4'd0;
    rnd <= 5'd0;
  end else begin
    d_op <= i_op;
    d_k <= (op == OP_IDLE) ? lane_idx : k;
    d_x <= (op != OP_CHI) ? x : (sub < 4'd5) ? sub[2:0] : sub_m5;
    d_y <= y;
    case (op)
      OP_IDLE: begin
        k <= 5'd0;
        x <= 3'd0;
        y <= 3'd0;
        sub <= 4'd0;
        rnd <= 5'd0;
        if (clear) op <= OP_CLEAR;
        else if (start) op <= OP_PARITY;
      end
      OP_CLEAR: begin
        k <= k + 5'd1;
        if (k == 5'd24) op <= OP_IDLE;
      end
      OP_PARITY, OP_THETA: begin
        k <= (k == 5'd24) ? 5'd0 : k + 5'd1;
        x <= (x == 3'd4) ? 3'd0 : x + 3'd1;
        if (x == 3'd4) y <= (y == 3'd4) ? 3'd0 : y + 3'd1;
        if (k == 5'd24) op <= (op == OP_PARITY) ? OP_THETA : OP_CHI;
      end
      OP_CHI: begin
        sub <= (sub == 4'd9) ? 4'd0 : sub + 4'd1;
        if (sub == 4'd9) begin
          y <= (y == 3'd4) ? 3'd0 : y + 3'd1;
          if (y == 3'd4) begin
            rnd <= rnd + 5'd1;
            op <= (rnd == 5'd{last_round}) ? OP_DIGEST : OP_PARITY;
          end
        end
      end
      OP_DIGEST: begin
        k <= k + 5'd1;
        if (k == 5'd3) op <= OP_IDLE;
      end
      default: op <= OP_IDLE;
    endcase
  end
end

// Data stage: the ring of five lanes (which also holds the digest).
always @(posedge clock) begin
  case (d_op)
    D_PARITY, D_LOAD, D_DIGEST: begin
      c0 <= c1;
      c1 <= c2;
      c2 <= c3;
      c3 <= c4;
      c4 <= ((d_op == D_PARITY && d_y != 3'd0) ? c0 : 64'd0) ^ rdata;
    end
    D_THETA, D_CHI: begin
      c0 <= c1;
      c1 <= c2;
      c2 <= c3;
      c3 <= c4;
      c4 <= c0;
    end
    default: ;
  endcase
end
endmodule
"#,
        last_round = ROUNDS - 1
    );
    s
}
