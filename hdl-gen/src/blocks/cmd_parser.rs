//! `speckle_cmd_parser`: decodes host command frames (docs/protocol.md) from `uart_rx` bytes.
//!
//! Every valid command is at most 11 bytes, so the parser gives up on a frame at the first byte
//! that cannot belong to one (unknown type, wrong length) instead of swallowing up to 265 bytes of
//! whatever a corrupted `len` promises: that keeps resynchronisation within a few bytes of a line
//! glitch. A byte that ends a frame attempt and is itself `A5` counts as a possible sync, so
//! `A5 5A A5 5A 81 ...` still finds the second frame. Commands take effect only after the CRC
//! checks, so a corrupted frame can never change the mode or clear an alarm.
//!
//! One ACK is held at a time (`ack_valid` until `ack_ready`). A good command that completes while
//! the previous ACK is still waiting is dropped unexecuted and counted in `bad_frames`, so that every
//! executed command gets exactly one ACK.
//!
//! Timing: the frame's verdict takes two clocks. The last CRC byte's clock only compares the CRC and
//! registers the result (`verdict_q`, `crc_ok_q`); the next clock acts on it, checking the pending
//! ACK against `ack_valid` alone. Acting in the byte's clock chained the 32-bit compare, the framer's
//! `ack_ready` (itself from the UART's `ready`) and the enables of some 60 flip-flops into one path:
//! the ULX3S's critical path at 100 MHz (docs/fpga-results.md). The verdict clock needs no byte to
//! arrive in it, which `uart_rx` guarantees (its bytes are at least 10 bit times apart); `in_valid`
//! must therefore not be high in two consecutive clocks.

use super::crc32::Crc32;
use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum ParseState {
    Sync0,
    Sync1,
    Type,
    SeqLo,
    SeqHi,
    Len,
    Payload,
    Crc,
}

/// Ports: in `in_byte`/`in_valid` (no back-pressure); strobes `set_mode` (with `mode`, held),
/// `clear_alarms`, `request_status`; ACK request `ack_type`/`ack_seq`/`ack_result` with
/// `ack_valid`/`ack_ready`; `bad_frames`, a saturating count of dropped frames.
#[derive(LogicBlock, Default)]
pub struct CmdParser {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_byte: Signal<In, Bits<8>>,
    pub in_valid: Signal<In, Bit>,
    pub set_mode: Signal<Out, Bit>,
    pub mode: Signal<Out, Bit>,
    pub clear_alarms: Signal<Out, Bit>,
    pub request_status: Signal<Out, Bit>,
    pub ack_valid: Signal<Out, Bit>,
    pub ack_ready: Signal<In, Bit>,
    pub ack_type: Signal<Out, Bits<8>>,
    pub ack_seq: Signal<Out, Bits<16>>,
    pub ack_result: Signal<Out, Bits<8>>,
    pub bad_frames: Signal<Out, Bits<16>>,
    crc_unit: Crc32,
    state: DFF<ParseState>,
    ftype: DFF<Bits<8>>,
    seq: DFF<Bits<16>>,
    arg: DFF<Bits<8>>,
    crc_rx: DFF<Bits<24>>,
    crc_count: DFF<Bits<2>>,
    set_mode_q: DFF<Bit>,
    mode_q: DFF<Bit>,
    clear_q: DFF<Bit>,
    request_q: DFF<Bit>,
    ack_valid_q: DFF<Bit>,
    ack_type_q: DFF<Bits<8>>,
    ack_seq_q: DFF<Bits<16>>,
    ack_result_q: DFF<Bits<8>>,
    bad_q: DFF<Bits<16>>,
    /// The clock after a frame's last CRC byte: act on `crc_ok_q`.
    verdict_q: DFF<Bit>,
    crc_ok_q: DFF<Bit>,
    /// The last CRC byte was `A5`: a dropped frame's last byte may be the next one's `sync0`.
    last_a5_q: DFF<Bit>,
    drop: Signal<Local, Bit>,
    good: Signal<Local, Bit>,
}

impl Logic for CmdParser {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            ftype,
            seq,
            arg,
            crc_rx,
            crc_count,
            set_mode_q,
            mode_q,
            clear_q,
            request_q,
            ack_valid_q,
            ack_type_q,
            ack_seq_q,
            ack_result_q,
            bad_q,
            verdict_q,
            crc_ok_q,
            last_a5_q
        );
        clock!(self, clock, crc_unit);
        self.crc_unit.reset.next = self.reset.val();
        self.set_mode.next = self.set_mode_q.q.val();
        self.mode.next = self.mode_q.q.val();
        self.clear_alarms.next = self.clear_q.q.val();
        self.request_status.next = self.request_q.q.val();
        self.ack_valid.next = self.ack_valid_q.q.val();
        self.ack_type.next = self.ack_type_q.q.val();
        self.ack_seq.next = self.ack_seq_q.q.val();
        self.ack_result.next = self.ack_result_q.q.val();
        self.bad_frames.next = self.bad_q.q.val();
        self.set_mode_q.d.next = false;
        self.clear_q.d.next = false;
        self.request_q.d.next = false;
        self.verdict_q.d.next = false;
        if self.ack_valid_q.q.val() & self.ack_ready.val() {
            self.ack_valid_q.d.next = false;
        }
        // The CRC covers type .. payload; it restarts on the type byte.
        self.crc_unit.init.next = self.state.q.val() == ParseState::Type;
        self.crc_unit.data.next = self.in_byte.val();
        self.crc_unit.data_valid.next = self.in_valid.val()
            & (self.state.q.val() != ParseState::Sync0)
            & (self.state.q.val() != ParseState::Sync1)
            & (self.state.q.val() != ParseState::Crc);
        self.drop.next = false;
        self.good.next = false;
        if self.in_valid.val() {
            match self.state.q.val() {
                ParseState::Sync0 => {
                    if self.in_byte.val() == 0xA5 {
                        self.state.d.next = ParseState::Sync1;
                    }
                }
                ParseState::Sync1 => {
                    if self.in_byte.val() == 0x5A {
                        self.state.d.next = ParseState::Type;
                    } else if self.in_byte.val() != 0xA5 {
                        self.state.d.next = ParseState::Sync0;
                    }
                }
                ParseState::Type => {
                    self.ftype.d.next = self.in_byte.val();
                    if (self.in_byte.val() == 0x81)
                        | (self.in_byte.val() == 0x82)
                        | (self.in_byte.val() == 0x83)
                    {
                        self.state.d.next = ParseState::SeqLo;
                    } else {
                        self.drop.next = true;
                    }
                }
                ParseState::SeqLo => {
                    self.seq.d.next = bit_cast::<16, 8>(self.in_byte.val());
                    self.state.d.next = ParseState::SeqHi;
                }
                ParseState::SeqHi => {
                    self.seq.d.next =
                        self.seq.q.val() | (bit_cast::<16, 8>(self.in_byte.val()) << 8);
                    self.state.d.next = ParseState::Len;
                }
                ParseState::Len => {
                    self.crc_count.d.next = 0.into();
                    if self.ftype.q.val() == 0x81 {
                        if self.in_byte.val() == 1 {
                            self.state.d.next = ParseState::Payload;
                        } else {
                            self.drop.next = true;
                        }
                    } else if self.in_byte.val() == 0 {
                        self.state.d.next = ParseState::Crc;
                    } else {
                        self.drop.next = true;
                    }
                }
                ParseState::Payload => {
                    self.arg.d.next = self.in_byte.val();
                    self.state.d.next = ParseState::Crc;
                }
                ParseState::Crc => {
                    self.crc_rx.d.next =
                        (self.crc_rx.q.val() >> 8) | (bit_cast::<24, 8>(self.in_byte.val()) << 16);
                    self.crc_count.d.next = self.crc_count.q.val() + 1;
                    if self.crc_count.q.val() == 3 {
                        // Judged in the next clock (`verdict_q`); no byte can arrive in it.
                        self.verdict_q.d.next = true;
                        self.crc_ok_q.d.next = (bit_cast::<32, 24>(self.crc_rx.q.val())
                            | (bit_cast::<32, 8>(self.in_byte.val()) << 24))
                            == self.crc_unit.crc.val();
                        self.last_a5_q.d.next = self.in_byte.val() == 0xA5;
                        self.state.d.next = ParseState::Sync0;
                    }
                }
                _ => {
                    self.state.d.next = ParseState::Sync0;
                }
            }
        }
        if self.verdict_q.q.val() {
            // A good CRC is a command unless the previous ACK is still pending (taken or not in this
            // very clock: `ack_ready` stays off this path); then it is not executed.
            if self.crc_ok_q.q.val() & !self.ack_valid_q.q.val() {
                self.good.next = true;
            } else {
                self.drop.next = true;
                if self.last_a5_q.q.val() {
                    self.state.d.next = ParseState::Sync1;
                }
            }
        }
        if self.drop.val() {
            if !self.verdict_q.q.val() {
                if self.in_byte.val() == 0xA5 {
                    self.state.d.next = ParseState::Sync1;
                } else {
                    self.state.d.next = ParseState::Sync0;
                }
            }
            if self.bad_q.q.val() != 0xFFFF {
                self.bad_q.d.next = self.bad_q.q.val() + 1;
            }
        }
        if self.good.val() {
            self.ack_valid_q.d.next = true;
            self.ack_type_q.d.next = self.ftype.q.val();
            self.ack_seq_q.d.next = self.seq.q.val();
            self.ack_result_q.d.next = 0.into();
            if self.ftype.q.val() == 0x81 {
                if self.arg.q.val() < 2 {
                    self.set_mode_q.d.next = true;
                    self.mode_q.d.next = self.arg.q.val().get_bit(0);
                } else {
                    self.ack_result_q.d.next = 1.into();
                }
            } else if self.ftype.q.val() == 0x82 {
                self.clear_q.d.next = true;
            } else {
                self.request_q.d.next = true;
            }
        }
        if self.reset.val() {
            self.state.d.next = ParseState::Sync0;
            self.crc_count.d.next = 0.into();
            self.set_mode_q.d.next = false;
            self.mode_q.d.next = false;
            self.clear_q.d.next = false;
            self.request_q.d.next = false;
            self.ack_valid_q.d.next = false;
            self.bad_q.d.next = 0.into();
            self.verdict_q.d.next = false;
        }
    }
}

/// Verilog of `speckle_cmd_parser` (the command set does not depend on the profile).
pub fn generate(_p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_cmd_parser", profile, CmdParser::default())
}
