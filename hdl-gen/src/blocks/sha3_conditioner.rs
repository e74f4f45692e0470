//! `sha3_conditioner`: packs `n_in` raw bits LSB-first into bytes and hashes them with SHA3-256.
//!
//! A one-byte packer in front of the SHA3 front end of `sha3_256` (same Verilog, own module names).
//! `abort` drops the bits of the block being collected, including bytes the SHA3 front end already
//! absorbed; once the n_in-th bit is taken the block is complete and its digest always comes out,
//! exactly as `speckle_model::sha3_conditioner` behaves. While a digest waits for `digest_ready` the
//! packer holds at most one byte of the next block, so `in_ready` drops.

use super::sha3_256::{digest_bits, sha3_modules};
use rust_hdl::prelude::*;
use speckle_model::params::{CoreParams, KeccakArch};
use speckle_model::sha3_conditioner::Sha3Conditioner as Model;

#[derive(Clone, Debug, LogicBlock)]
pub struct Sha3Conditioner {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_bit: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub abort: Signal<In, Bit>,
    pub digest: Signal<Out, Bits<256>>,
    pub digest_valid: Signal<Out, Bit>,
    pub digest_ready: Signal<In, Bit>,
    _prefix: String,
    _arch: KeccakArch,
    _n_in: u32,
    _model: Model,
    _done: Option<[u8; 32]>,
}

impl Sha3Conditioner {
    /// `n_in`: bits per digest, a multiple of 8 and at most one SHA3-256 block (CoreParams::validate).
    pub fn new(prefix: &str, arch: KeccakArch, n_in: u32) -> Self {
        Sha3Conditioner {
            clock: Default::default(),
            reset: Default::default(),
            in_bit: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            abort: Default::default(),
            digest: Default::default(),
            digest_valid: Default::default(),
            digest_ready: Default::default(),
            _prefix: prefix.to_string(),
            _arch: arch,
            _n_in: n_in,
            _model: Model::new(n_in),
            _done: None,
        }
    }
}

impl Logic for Sha3Conditioner {
    /// Behavioural: one bit per clock, digest the clock after the n_in-th bit.
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.reset.val() {
                self._model = Model::new(self._n_in);
                self._done = None;
            } else {
                if self._done.is_some() && self.digest_ready.val() {
                    self._done = None;
                }
                if self.abort.val() {
                    self._model.abort();
                } else if self._done.is_none() && self.in_valid.val() {
                    self._done = self._model.push(self.in_bit.val());
                }
            }
        }
        self.in_ready.next = self._done.is_none() && !self.abort.val();
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
        let nbytes = self._n_in / 8;
        let code = format!(
            r#"reg [7:0] bytebuf;
reg [2:0] nbits;
reg byte_full;
reg [7:0] nbyte;        // index of the byte being packed, 0..{last}
wire last_byte = nbyte == 8'd{last};
wire s_in_ready;
// The n_in-th bit completes the block: from then on an abort no longer touches it.
wire abort_eff = abort && !(byte_full && last_byte);
// Equal to !byte_full && !abort_eff (abort_eff differs from abort only while byte_full), but
// without the last_byte decode between abort and the ready chain back to the holdback.
assign in_ready = !byte_full && !abort;
wire take = in_ready && in_valid;
wire hand = byte_full && s_in_ready;
always @(posedge clock) begin
  if (reset || abort_eff) begin
    nbits <= 3'd0;
    byte_full <= 1'b0;
    nbyte <= 8'd0;
  end else begin
    if (take) begin
      nbits <= nbits + 3'd1;
      if (nbits == 3'd7) byte_full <= 1'b1;
    end
    if (hand) begin
      byte_full <= 1'b0;
      nbyte <= last_byte ? 8'd0 : nbyte + 8'd1;
    end
  end
end
always @(posedge clock) begin
  if (take) bytebuf <= {{in_bit, bytebuf[7:1]}};
end
{p}_absorber absorber(.clock(clock), .reset(reset), .in_byte(bytebuf), .in_last(last_byte),
  .in_empty(1'b0), .in_valid(byte_full), .in_ready(s_in_ready), .abort(abort_eff), .digest(digest),
  .digest_valid(digest_valid), .digest_ready(digest_ready));"#,
            last = nbytes - 1
        );
        Verilog::Wrapper(Wrapper { code, cores: sha3_modules(p, self._arch) })
    }
}

/// Verilog of `speckle_sha3_conditioner` for these parameters.
pub fn generate(p: &CoreParams, profile: &str) -> String {
    if let Err(e) = p.validate() {
        panic!("speckle_sha3_conditioner: {e}");
    }
    let block = Sha3Conditioner::new("speckle_sha3_conditioner", p.keccak, p.n_in);
    crate::emit::emit("speckle_sha3_conditioner", profile, block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_length_follows_n_in() {
        let mut p = CoreParams::ice40();
        p.n_in = 640;
        assert!(generate(&p, "ice40").contains("wire last_byte = nbyte == 8'd79;"));
        p.n_in = 1088;
        assert!(generate(&p, "ice40").contains("wire last_byte = nbyte == 8'd135;"));
    }

    #[test]
    #[should_panic(expected = "n_in = 100")]
    fn refuses_an_n_in_that_is_not_whole_bytes() {
        let mut p = CoreParams::ice40();
        p.n_in = 100;
        generate(&p, "ice40");
    }
}
