//! `speckle_framer`: turns digests, raw blocks, STATUS, SFP_DIAG and ACK requests into protocol
//! frames (docs/protocol.md), one byte at a time, for `uart_tx`.
//!
//! Nothing is copied: a frame is an 8-bit byte index into the source's own payload bus, which the
//! source holds steady while its `*_valid` is high (the usual valid/ready rule). CONDITIONED frames
//! are the exception: their `blocks_per_frame` digests come from `digest_buffer` as a byte stream
//! (`cond_byte`, the buffer's head, advanced by `cond_pop` as each payload byte is fetched), and
//! `cond_valid` says a whole frame's worth is buffered. Copying 416 bits
//! into a shift register would cost more flip-flops than the whole UART path on an iCE40 UP5K; an
//! index mux costs a few hundred LUTs. The source's `*_ready` therefore strobes only when the
//! frame's *last payload byte* goes out, which is the moment the framer stops reading the bus.
//!
//! Timing: the payload mux is the widest logic in the core, so it is a two-stage pipeline that runs
//! two bytes ahead of the wire. `byte_q` holds the byte on `out_byte`; each source's byte mux reads
//! the payload byte of frame byte `index + 2` (payload index `fetch`, a register, so no subtractor
//! precedes it) into that source's `pay_*` register, and `byte_q` loads frame byte `index + 1` from
//! the `pay_*` register of the frame's source (or a header field), both in the clock the current byte
//! moves. So neither the 64-way byte select nor the 5-way source select shares a clock with anything
//! else, and back-to-back moves still work. The CRC folds `byte_q` in the clock after each load
//! (`fresh`), and the four CRC bytes go out straight from the CRC register (`crc_phase`, `crc_sel`).
//! On the ports this is clock-for-clock the same as muxing `out_byte` combinationally: only the moment
//! a payload byte is read moves earlier (two moves before it goes out), still inside its source's
//! valid. The first stage lifted the ice40 core from ~21 to ~28-30 MHz post-route; the second took the
//! mux off the ULX3S's critical path at 100 MHz (docs/blocks/framer.md, docs/fpga-results.md).
//!
//! Priority when idle: a pending SFP_DIAG first (it is pending only right after a STATUS frame with
//! `sfp_en` high, and the protocol wants it "right after every STATUS"), then ACK > STATUS >
//! CONDITIONED > RAW. The SFP_DIAG payload is read live (it has no handshake); a field that changes
//! during the frame may show half old, half new, which the CRC faithfully covers.

use super::crc32::Crc32;
use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

#[derive(LogicBlock)]
pub struct Framer {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cond_byte: Signal<In, Bits<8>>,
    pub cond_valid: Signal<In, Bit>,
    pub cond_pop: Signal<Out, Bit>,
    /// Strobes when a CONDITIONED frame's last payload byte leaves (the STATUS `blocks` counter).
    pub cond_sent: Signal<Out, Bit>,
    pub raw_block: Signal<In, Bits<256>>,
    pub raw_valid: Signal<In, Bit>,
    pub raw_ready: Signal<Out, Bit>,
    pub status_payload: Signal<In, Bits<384>>,
    pub status_valid: Signal<In, Bit>,
    pub status_ready: Signal<Out, Bit>,
    pub sfp_payload: Signal<In, Bits<416>>,
    pub sfp_en: Signal<In, Bit>,
    pub ack_type: Signal<In, Bits<8>>,
    pub ack_seq: Signal<In, Bits<16>>,
    pub ack_result: Signal<In, Bits<8>>,
    pub ack_valid: Signal<In, Bit>,
    pub ack_ready: Signal<Out, Bit>,
    pub out_byte: Signal<Out, Bits<8>>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub frame_sent: Signal<Out, Bit>,
    crc_unit: Crc32,
    active: DFF<Bit>,
    kind: DFF<Bits<3>>,
    index: DFF<Bits<8>>,
    fetch: DFF<Bits<8>>,
    byte_q: DFF<Bits<8>>,
    /// Each source's payload byte at `fetch` as it was at the last move: the pipeline's first stage.
    pay_digest: DFF<Bits<8>>,
    pay_raw: DFF<Bits<8>>,
    pay_status: DFF<Bits<8>>,
    pay_ack: DFF<Bits<8>>,
    pay_sfp: DFF<Bits<8>>,
    /// `in_payload` of the `pay_*` registers (frame byte `index + 1` is a payload byte).
    pay_in: DFF<Bit>,
    fresh: DFF<Bit>,
    crc_phase: DFF<Bit>,
    crc_sel: DFF<Bits<2>>,
    seq: DFF<Bits<16>>,
    sfp_pending: DFF<Bit>,
    sent: DFF<Bit>,
    /// `fetch < payload_len`, kept as a register next to `fetch` so no comparator sits in front of
    /// the payload mux.
    in_payload: DFF<Bit>,
    /// `index == last_index` as a register updated with `index`: the `*_ready` strobes then come from
    /// flip-flops and the UART's `ready` only.
    last_q: DFF<Bit>,
    payload_len: Signal<Local, Bits<8>>,
    payload_byte: Signal<Local, Bits<8>>,
    next_byte: Signal<Local, Bits<8>>,
    ack_word: Signal<Local, Bits<32>>,
    take: Signal<Local, Bit>,
    last_payload: Signal<Local, Bit>,
    /// Frame index of the last payload byte (`payload_len + 5`) and of the last CRC byte
    /// (`payload_len + 9`), chosen by `kind` like `payload_len` itself: a sum of the muxed length
    /// would synthesise to a carry chain on the framer's control path (the ECP5 critical path).
    last_index: Signal<Local, Bits<8>>,
    end_index: Signal<Local, Bits<8>>,
    /// `fetch + 1` in 8 bits (wrapping from 255 to payload byte 0, as `fetch` itself does).
    fetch_next: Signal<Local, Bits<8>>,
    index_next: Signal<Local, Bits<8>>,
    cond_len: Constant<Bits<8>>,
    cond_last: Constant<Bits<8>>,
    cond_end: Constant<Bits<8>>,
    t_conditioned: Constant<Bits<3>>,
    t_raw: Constant<Bits<3>>,
    t_status: Constant<Bits<3>>,
    t_ack: Constant<Bits<3>>,
    t_sfp_diag: Constant<Bits<3>>,
}

impl Framer {
    pub fn new(p: &CoreParams) -> Self {
        let len = p.conditioned_payload_len() as u64;
        Framer {
            clock: Default::default(),
            reset: Default::default(),
            cond_byte: Default::default(),
            cond_valid: Default::default(),
            cond_pop: Default::default(),
            cond_sent: Default::default(),
            raw_block: Default::default(),
            raw_valid: Default::default(),
            raw_ready: Default::default(),
            status_payload: Default::default(),
            status_valid: Default::default(),
            status_ready: Default::default(),
            sfp_payload: Default::default(),
            sfp_en: Default::default(),
            ack_type: Default::default(),
            ack_seq: Default::default(),
            ack_result: Default::default(),
            ack_valid: Default::default(),
            ack_ready: Default::default(),
            out_byte: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            frame_sent: Default::default(),
            crc_unit: Default::default(),
            active: Default::default(),
            kind: Default::default(),
            index: Default::default(),
            fetch: Default::default(),
            byte_q: Default::default(),
            pay_digest: Default::default(),
            pay_raw: Default::default(),
            pay_status: Default::default(),
            pay_ack: Default::default(),
            pay_sfp: Default::default(),
            pay_in: Default::default(),
            fresh: Default::default(),
            crc_phase: Default::default(),
            crc_sel: Default::default(),
            seq: Default::default(),
            sfp_pending: Default::default(),
            sent: Default::default(),
            in_payload: Default::default(),
            last_q: Default::default(),
            payload_len: Default::default(),
            payload_byte: Default::default(),
            next_byte: Default::default(),
            ack_word: Default::default(),
            take: Default::default(),
            last_payload: Default::default(),
            last_index: Default::default(),
            end_index: Default::default(),
            fetch_next: Default::default(),
            index_next: Default::default(),
            cond_len: Constant::new(len.to_bits()),
            cond_last: Constant::new((len + 5).to_bits()),
            cond_end: Constant::new((len + 9).to_bits()),
            t_sfp_diag: Constant::new(5.into()),
            t_ack: Constant::new(4.into()),
            t_status: Constant::new(3.into()),
            t_raw: Constant::new(2.into()),
            t_conditioned: Constant::new(1.into()),
        }
    }
}

impl Logic for Framer {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            active,
            kind,
            index,
            fetch,
            byte_q,
            pay_digest,
            pay_raw,
            pay_status,
            pay_ack,
            pay_sfp,
            pay_in,
            fresh,
            crc_phase,
            crc_sel,
            seq,
            sfp_pending,
            sent,
            in_payload,
            last_q
        );
        clock!(self, clock, crc_unit);
        self.crc_unit.reset.next = self.reset.val();
        // Payload length of the frame in progress.
        self.fetch_next.next = self.fetch.q.val() + 1;
        self.index_next.next = self.index.q.val() + 1;
        self.payload_len.next = 32.into();
        self.last_index.next = 37.into();
        self.end_index.next = 41.into();
        if self.kind.q.val() == self.t_conditioned.val() {
            self.payload_len.next = self.cond_len.val();
            self.last_index.next = self.cond_last.val();
            self.end_index.next = self.cond_end.val();
        } else if self.kind.q.val() == self.t_status.val() {
            self.payload_len.next = 48.into();
            self.last_index.next = 53.into();
            self.end_index.next = 57.into();
        } else if self.kind.q.val() == self.t_ack.val() {
            self.payload_len.next = 4.into();
            self.last_index.next = 9.into();
            self.end_index.next = 13.into();
        } else if self.kind.q.val() == self.t_sfp_diag.val() {
            self.payload_len.next = 52.into();
            self.last_index.next = 57.into();
            self.end_index.next = 61.into();
        }
        self.ack_word.next = bit_cast::<32, 8>(self.ack_type.val())
            | (bit_cast::<32, 16>(self.ack_seq.val()) << 8)
            | (bit_cast::<32, 8>(self.ack_result.val()) << 24);
        // Payload byte of frame byte `index + 1`, from the frame's source's first-stage register.
        self.payload_byte.next = 0.into();
        if self.pay_in.q.val() {
            if self.kind.q.val() == self.t_conditioned.val() {
                self.payload_byte.next = self.pay_digest.q.val();
            } else if self.kind.q.val() == self.t_raw.val() {
                self.payload_byte.next = self.pay_raw.q.val();
            } else if self.kind.q.val() == self.t_status.val() {
                self.payload_byte.next = self.pay_status.q.val();
            } else if self.kind.q.val() == self.t_ack.val() {
                self.payload_byte.next = self.pay_ack.q.val();
            } else {
                self.payload_byte.next = self.pay_sfp.q.val();
            }
        }
        // The frame byte at `index + 1` (sync, type, seq LE, len, payload); the CRC bytes bypass it.
        if self.index.q.val() == 0 {
            self.next_byte.next = 0x5A.into();
        } else if self.index.q.val() == 1 {
            self.next_byte.next = bit_cast::<8, 3>(self.kind.q.val());
        } else if self.index.q.val() == 2 {
            self.next_byte.next = self.seq.q.val().get_bits::<8>(0);
        } else if self.index.q.val() == 3 {
            self.next_byte.next = self.seq.q.val().get_bits::<8>(8);
        } else if self.index.q.val() == 4 {
            self.next_byte.next = self.payload_len.val();
        } else {
            self.next_byte.next = self.payload_byte.val();
        }
        // The CRC is final one clock after the last payload byte was loaded, before it can move.
        self.out_byte.next = self.byte_q.q.val();
        if self.crc_phase.q.val() {
            self.out_byte.next =
                self.crc_unit.crc.val().get_bits::<8>(self.crc_sel.q.val().index() * 8);
        }
        self.out_valid.next = self.active.q.val();
        self.frame_sent.next = self.sent.q.val();
        self.take.next = self.active.q.val() & self.out_ready.val();
        self.last_payload.next = self.last_q.q.val();
        // CRC over type .. payload, each byte folded in the clock after it was loaded into `byte_q`
        // (`fresh`), so the payload mux and the CRC network never share a clock.
        self.crc_unit.init.next = self.fresh.q.val() & (self.index.q.val() == 2);
        self.crc_unit.data.next = self.byte_q.q.val();
        // `index < payload_len + 6` is `!crc_phase` while a frame is active (crc_phase rises after
        // the last payload byte); `index >= 2` is any of its bits above bit 0.
        self.crc_unit.data_valid.next = self.fresh.q.val()
            & (self.index.q.val().get_bits::<7>(1).any())
            & !self.crc_phase.q.val();
        // A source is released when its last payload byte leaves; the digest buffer gives up a byte
        // each time one is fetched.
        self.cond_sent.next = self.take.val()
            & self.last_payload.val()
            & (self.kind.q.val() == self.t_conditioned.val());
        self.cond_pop.next = self.take.val()
            & (self.index.q.val() != self.end_index.val())
            & self.in_payload.q.val()
            & (self.kind.q.val() == self.t_conditioned.val());
        self.raw_ready.next =
            self.take.val() & self.last_payload.val() & (self.kind.q.val() == self.t_raw.val());
        self.status_ready.next =
            self.take.val() & self.last_payload.val() & (self.kind.q.val() == self.t_status.val());
        self.ack_ready.next =
            self.take.val() & self.last_payload.val() & (self.kind.q.val() == self.t_ack.val());
        if self.take.val() & self.last_payload.val() & (self.kind.q.val() == self.t_status.val()) {
            self.sfp_pending.d.next = self.sfp_en.val();
        }
        self.sent.d.next = false;
        self.fresh.d.next = false;
        if self.take.val() {
            if self.index.q.val() == self.end_index.val() {
                self.active.d.next = false;
                self.index.d.next = 0.into();
                self.seq.d.next = self.seq.q.val() + 1;
                self.sent.d.next = true;
                self.last_q.d.next = false;
            } else {
                self.index.d.next = self.index_next.val();
                self.last_q.d.next = self.index_next.val() == self.last_index.val();
                self.fetch.d.next = self.fetch_next.val();
                self.in_payload.d.next = self.fetch_next.val() < self.payload_len.val();
                self.byte_q.d.next = self.next_byte.val();
                // First stage: every source's byte at `fetch` (frame byte `index + 2`).
                self.pay_digest.d.next = self.cond_byte.val();
                self.pay_raw.d.next =
                    self.raw_block.val().get_bits::<8>(self.fetch.q.val().index() * 8);
                self.pay_status.d.next =
                    self.status_payload.val().get_bits::<8>(self.fetch.q.val().index() * 8);
                self.pay_ack.d.next =
                    self.ack_word.val().get_bits::<8>(self.fetch.q.val().index() * 8);
                self.pay_sfp.d.next =
                    self.sfp_payload.val().get_bits::<8>(self.fetch.q.val().index() * 8);
                self.pay_in.d.next = self.in_payload.q.val();
                self.fresh.d.next = true;
            }
            if self.last_payload.val() {
                self.crc_phase.d.next = true;
            }
            if self.crc_phase.q.val() {
                self.crc_sel.d.next = self.crc_sel.q.val() + 1;
            }
        }
        if !self.active.q.val() {
            // Ready for a frame: `A5` waits in `byte_q`, two bytes after it is payload byte -4.
            self.index.d.next = 0.into();
            self.fetch.d.next = 252.into();
            self.in_payload.d.next = false;
            self.pay_in.d.next = false;
            self.last_q.d.next = false;
            self.byte_q.d.next = 0xA5.into();
            self.fresh.d.next = true;
            self.crc_phase.d.next = false;
            self.crc_sel.d.next = 0.into();
            if self.sfp_pending.q.val() {
                self.active.d.next = true;
                self.kind.d.next = self.t_sfp_diag.val();
                self.sfp_pending.d.next = false;
            } else if self.ack_valid.val() {
                self.active.d.next = true;
                self.kind.d.next = self.t_ack.val();
            } else if self.status_valid.val() {
                self.active.d.next = true;
                self.kind.d.next = self.t_status.val();
            } else if self.cond_valid.val() {
                self.active.d.next = true;
                self.kind.d.next = self.t_conditioned.val();
            } else if self.raw_valid.val() {
                self.active.d.next = true;
                self.kind.d.next = self.t_raw.val();
            }
        }
        if self.reset.val() {
            self.active.d.next = false;
            self.kind.d.next = 0.into();
            self.index.d.next = 0.into();
            self.fetch.d.next = 252.into();
            self.in_payload.d.next = false;
            self.pay_in.d.next = false;
            self.last_q.d.next = false;
            self.byte_q.d.next = 0xA5.into();
            self.fresh.d.next = false;
            self.crc_phase.d.next = false;
            self.crc_sel.d.next = 0.into();
            self.seq.d.next = 0.into();
            self.sfp_pending.d.next = false;
            self.sent.d.next = false;
        }
    }
}

/// Verilog of `speckle_framer` (only the CONDITIONED length depends on the parameters).
pub fn generate(p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_framer", profile, Framer::new(p))
}
