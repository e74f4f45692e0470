//! Verilog text shared by both Keccak-f[1600] engines and the SHA3 blocks built on them.
//!
//! The permutation is written out by Rust loops rather than by hand so that the round constants,
//! ρ offsets and π moves come from one place, `speckle_model::keccak_f1600`, which is itself checked
//! against the `keccak` crate.
//!
//! Both engines offer the same lane interface, so the byte front end (`absorber_module`) and the
//! conditioner do not care which one they sit on:
//!
//! | port | dir | width | meaning |
//! |---|---|---|---|
//! | `lane_in`, `lane_idx`, `lane_xor` | in | 64, 5, 1 | state[lane_idx] ^= lane_in (lane_in held until `idle` again) |
//! | `start` | in | 1 | run Keccak-f[1600] on the state |
//! | `clear` | in | 1 | zero the state |
//! | `idle` | out | 1 | commands are taken only in a clock where `idle` is high |
//! | `digest` | out | 256 | lanes 0..3 of the state after the last permutation, stable while idle |

use speckle_model::keccak_f1600::{round_constant, ROUNDS};
use speckle_model::sha3_256::{DOMAIN_PAD, PAD_END, RATE_BYTES};

/// Port list and declarations every engine module starts with.
pub fn engine_header(name: &str) -> String {
    format!(
        "module {name}(clock, reset, lane_in, lane_idx, lane_xor, start, clear, idle, digest);\n\
         input wire clock;\ninput wire reset;\ninput wire [63:0] lane_in;\ninput wire [4:0] lane_idx;\n\
         input wire lane_xor;\ninput wire start;\ninput wire clear;\noutput wire idle;\n\
         output wire [255:0] digest;\n"
    )
}

/// `v` rotated left by `r` as a Verilog expression on a 64-bit vector name.
pub fn rotl(v: &str, r: u32) -> String {
    let r = r % 64;
    if r == 0 {
        v.to_string()
    } else {
        format!("{{{v}[{}:0], {v}[63:{}]}}", 63 - r, 64 - r)
    }
}

/// A combinational `rc` (64 bits) of the round number `sel` (5 bits), as a case statement.
pub fn round_constant_rom(sel: &str, rc: &str) -> String {
    let mut s = format!("reg [63:0] {rc};\nalways @(*) begin\n  case ({sel})\n");
    for ir in 0..ROUNDS {
        s += &format!("    5'd{ir}: {rc} = 64'h{:016x};\n", round_constant(ir));
    }
    s += &format!("    default: {rc} = 64'h0;\n  endcase\nend\n");
    s
}

/// Module `name`: SHA3-256 byte front end on engine module `engine`.
///
/// `in_empty` with `in_last` ends a message without adding a byte, so that the empty message can
/// be hashed. Bytes are shifted into a 64-bit lane buffer (byte 0 ends at bits [7:0], FIPS 202's little-endian
/// lanes); each full lane is XORed into the state, each full block of 136 bytes starts the
/// permutation. After `in_last` the front end makes the pad10*1 bytes itself (0x06, zeros, 0x80,
/// merged into 0x86 when only one byte is left), so the last block is handled like any other.
/// `abort` throws away a message whose last byte has not been taken yet; a finished message still
/// delivers its digest. A new message is taken only after the digest handshake.
pub fn absorber_module(name: &str, engine: &str) -> String {
    let last_pos = RATE_BYTES - 1;
    let last_lane = RATE_BYTES / 8 - 1;
    format!(
        r#"module {name}(clock, reset, in_byte, in_last, in_empty, in_valid, in_ready, abort, digest, digest_valid, digest_ready);
input wire clock;
input wire reset;
input wire [7:0] in_byte;
input wire in_last;
input wire in_empty;
input wire in_valid;
output wire in_ready;
input wire abort;
output wire [255:0] digest;
output wire digest_valid;
input wire digest_ready;

localparam ST_CLEAR = 2'd0;
localparam ST_ABSORB = 2'd1;
localparam ST_PERM = 2'd2;
localparam ST_DONE = 2'd3;

reg [1:0] st;
reg [63:0] lanebuf;
reg [7:0] pos;          // byte position in the block, 0..{last_pos}
reg [4:0] lidx;         // lane the lane buffer goes to next, 0..{last_lane}
reg lane_full;          // lanebuf holds 8 bytes not yet XORed into the state
reg start_req;          // a block is complete once its last lane is in
reg padding;            // in_last was taken: making pad bytes
reg pad_first;          // the next pad byte is the first one (carries 0x06)
reg final_blk;          // the padded block is complete: its permutation ends the message
wire eng_idle;

// A message may be aborted until its last byte is in.
wire abort_now = abort && !padding && !final_blk && st != ST_DONE;
wire open_for_bytes = st == ST_ABSORB && !lane_full && !start_req && eng_idle && !abort_now;
assign in_ready = open_for_bytes && !padding;
wire take_msg = in_ready && in_valid;
wire pad_step = open_for_bytes && padding;
// in_empty with in_last ends the message without a byte: the empty message.
wire shift = (take_msg && !(in_last && in_empty)) || pad_step;
wire [7:0] pad_byte = (pad_first ? 8'h{DOMAIN_PAD:02x} : 8'h00) | (pos == 8'd{last_pos} ? 8'h{PAD_END:02x} : 8'h00);
wire [7:0] next_byte = padding ? pad_byte : in_byte;

wire eng_clear = st == ST_CLEAR && eng_idle;
wire eng_xor = st == ST_ABSORB && lane_full && eng_idle && !abort_now;
wire eng_start = st == ST_ABSORB && start_req && !lane_full && eng_idle && !abort_now;

assign digest_valid = st == ST_DONE;

{engine} engine(.clock(clock), .reset(reset), .lane_in(lanebuf), .lane_idx(lidx), .lane_xor(eng_xor),
  .start(eng_start), .clear(eng_clear), .idle(eng_idle), .digest(digest));

always @(posedge clock) begin
  if (reset || abort_now) begin
    st <= ST_CLEAR;
    pos <= 8'd0;
    lidx <= 5'd0;
    lane_full <= 1'b0;
    start_req <= 1'b0;
    padding <= 1'b0;
    pad_first <= 1'b0;
    final_blk <= 1'b0;
  end else begin
    case (st)
      ST_CLEAR: if (eng_idle) st <= ST_ABSORB;
      ST_ABSORB: begin
        if (shift) begin
          pos <= (pos == 8'd{last_pos}) ? 8'd0 : pos + 8'd1;
          if (pos[2:0] == 3'd7) lane_full <= 1'b1;
          if (pos == 8'd{last_pos}) start_req <= 1'b1;
          if (pad_step) begin
            pad_first <= 1'b0;
            if (pos == 8'd{last_pos}) begin
              padding <= 1'b0;
              final_blk <= 1'b1;
            end
          end
        end
        if (take_msg && in_last) begin
          padding <= 1'b1;
          pad_first <= 1'b1;
        end
        if (eng_xor) begin
          lane_full <= 1'b0;
          lidx <= (lidx == 5'd{last_lane}) ? 5'd0 : lidx + 5'd1;
        end
        if (eng_start) begin
          start_req <= 1'b0;
          st <= ST_PERM;
        end
      end
      ST_PERM: if (eng_idle) st <= final_blk ? ST_DONE : ST_ABSORB;
      default: if (digest_ready) begin
        st <= ST_CLEAR;
        final_blk <= 1'b0;
      end
    endcase
  end
end

always @(posedge clock) begin
  if (shift) lanebuf <= {{next_byte, lanebuf[63:8]}};
end
endmodule
"#
    )
}
