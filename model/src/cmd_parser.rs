//! Reference model of `cmd_parser`: from received bytes to command events and ACK requests.
//!
//! Acceptance rules (the contract the RTL must match byte for byte):
//! - a frame starts at `A5 5A` (`A5 A5 5A` also works: a repeated `A5` keeps looking for `5A`);
//! - the attempt is abandoned at the first byte that no command frame can have: a type other than
//!   0x81/0x82/0x83, or a `len` other than 1 (SET_MODE) / 0 (the others), or a CRC mismatch;
//! - the byte that ends an abandoned attempt is itself tried as `sync0`;
//! - a frame with a good CRC is a command; SET_MODE with an argument other than 0/1 is ACKed with
//!   result 1 and not executed;
//! - only one ACK waits at a time: a command completing while one is pending is dropped;
//! - every abandoned or dropped frame counts in `bad_frames` (16 bits, saturating).
//!
//! Clock timing: a frame's last CRC byte is only received ([`CmdParser::receive`]); the verdict
//! (CRC, pending ACK, the command) comes a clock later ([`CmdParser::decide`]), as in the RTL, whose
//! pending-ACK check therefore sees an ACK taken in the verdict clock as still pending.
//! [`CmdParser::byte`] does both at once for transaction-level users.
//!
//! Frames are checked with [`crate::protocol`]'s CRC and command decoding, not a copy of the RTL.

use crate::protocol::{crc32, Command, CommandError, Frame, FrameType, SYNC};

/// ACK request the parser hands to the framer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AckRequest {
    pub cmd_type: u8,
    pub cmd_seq: u16,
    pub result: u8,
}

/// A frame that passed every check: the command (None for a bad argument) and its ACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub command: Option<Command>,
    pub ack: AckRequest,
}

#[derive(Clone, Debug, Default)]
pub struct CmdParser {
    /// Bytes of the current attempt after the sync (type, seq, len, payload, crc).
    body: Vec<u8>,
    /// Sync bytes matched so far (0..=2).
    synced: usize,
    ack_pending: bool,
    bad_frames: u16,
    /// A complete frame awaiting its verdict: its bytes after the sync, CRC included.
    judged_next: Option<Vec<u8>>,
}

impl CmdParser {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn bad_frames(&self) -> u16 {
        self.bad_frames
    }

    pub fn ack_pending(&self) -> bool {
        self.ack_pending
    }

    /// A frame's last byte came in the last clock: the next [`CmdParser::decide`] judges it.
    pub fn awaiting_verdict(&self) -> bool {
        self.judged_next.is_some()
    }

    /// The framer took the pending ACK.
    pub fn ack_taken(&mut self) {
        self.ack_pending = false;
    }

    /// One received byte; returns the command it completes, if any (receive and decide at once).
    pub fn byte(&mut self, b: u8) -> Option<Accepted> {
        self.receive(b);
        self.decide()
    }

    /// One received byte in the clock it arrives. A frame's last byte is judged by the next
    /// [`CmdParser::decide`]; until then no byte may arrive.
    pub fn receive(&mut self, b: u8) {
        assert!(self.judged_next.is_none(), "cmd_parser: a byte arrived in a verdict clock");
        if self.synced < 2 {
            self.synced = match (self.synced, b) {
                (_, 0xA5) => 1,
                (1, 0x5A) => 2,
                _ => 0,
            };
            return;
        }
        self.body.push(b);
        let ftype = FrameType::from_u8(self.body[0]);
        let Some(len) = ftype.payload_len().filter(|_| self.body[0] & 0x80 != 0) else {
            return self.abandon(b);
        };
        if self.body.len() == 4 && b as usize != len {
            return self.abandon(b);
        }
        if self.body.len() == 4 + len + 4 {
            self.judged_next = Some(std::mem::take(&mut self.body));
            self.synced = 0;
        }
    }

    /// The verdict clock after a frame's last byte (a no-op in any other clock): a command if the
    /// CRC is right and no ACK is pending at the start of this clock.
    pub fn decide(&mut self) -> Option<Accepted> {
        let body = self.judged_next.take()?;
        let last = *body.last().unwrap();
        let ftype = FrameType::from_u8(body[0]);
        let len = body[3] as usize;
        let (covered, trailer) = body.split_at(4 + len);
        if crc32(covered) != u32::from_le_bytes(trailer.try_into().unwrap()) || self.ack_pending {
            self.abandon(last);
            return None;
        }
        let seq = u16::from_le_bytes([body[1], body[2]]);
        let frame = Frame::new(ftype, seq, body[4..4 + len].to_vec());
        let (command, result) = match Command::from_frame(&frame) {
            Ok(c) => (Some(c), 0),
            Err(CommandError::BadArgument { .. }) => (None, 1),
            Err(e) => unreachable!("type and length were checked: {e}"),
        };
        self.ack_pending = true;
        Some(Accepted {
            command,
            ack: AckRequest { cmd_type: ftype.to_u8(), cmd_seq: seq, result },
        })
    }

    fn abandon(&mut self, b: u8) {
        self.body.clear();
        self.synced = (b == SYNC[0]) as usize;
        self.bad_frames = self.bad_frames.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Mode;

    fn feed(p: &mut CmdParser, bytes: &[u8]) -> Vec<Accepted> {
        bytes
            .iter()
            .filter_map(|&b| {
                let r = p.byte(b);
                p.ack_taken();
                r
            })
            .collect()
    }

    #[test]
    fn good_commands_are_accepted_with_their_ack() {
        let mut p = CmdParser::new();
        let mut bytes = vec![0x00, 0xA5, 0x13];
        bytes.extend(Command::SetMode(Mode::Raw).encode(7));
        bytes.extend(Command::ClearAlarms.encode(8));
        bytes.extend(Command::RequestStatus.encode(0xBEEF));
        let got = feed(&mut p, &bytes);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].command, Some(Command::SetMode(Mode::Raw)));
        assert_eq!(got[0].ack, AckRequest { cmd_type: 0x81, cmd_seq: 7, result: 0 });
        assert_eq!(got[2].ack.cmd_seq, 0xBEEF);
        assert_eq!(p.bad_frames(), 0);
    }

    #[test]
    fn bad_argument_is_acked_with_result_1_and_not_executed() {
        let mut p = CmdParser::new();
        let bytes = crate::protocol::encode(&Frame::new(FrameType::SetMode, 3, vec![2]));
        let got = feed(&mut p, &bytes);
        assert_eq!(
            got,
            [Accepted { command: None, ack: AckRequest { cmd_type: 0x81, cmd_seq: 3, result: 1 } }]
        );
    }

    #[test]
    fn corrupt_frames_are_dropped_and_the_next_good_one_found() {
        let good = Command::ClearAlarms.encode(1);
        for i in 2..good.len() {
            for bit in 0..8 {
                let mut p = CmdParser::new();
                let mut bad = good.clone();
                bad[i] ^= 1 << bit;
                assert!(feed(&mut p, &bad).is_empty(), "flip byte {i} bit {bit}");
                assert!(p.bad_frames() >= 1);
                let got = feed(&mut p, &Command::RequestStatus.encode(2));
                assert_eq!(got.len(), 1, "resync after flip byte {i} bit {bit}");
            }
        }
    }

    #[test]
    fn sync_inside_an_abandoned_attempt_is_found() {
        let mut p = CmdParser::new();
        let mut bytes = vec![0xA5, 0x5A];
        bytes.extend(Command::RequestStatus.encode(5));
        assert_eq!(feed(&mut p, &bytes).len(), 1);
        assert_eq!(p.bad_frames(), 1);
    }

    #[test]
    fn command_while_ack_pending_is_dropped() {
        let mut p = CmdParser::new();
        let mut bytes = Command::ClearAlarms.encode(1);
        bytes.extend(Command::ClearAlarms.encode(2));
        let got: Vec<_> = bytes.iter().filter_map(|&b| p.byte(b)).collect();
        assert_eq!(got.len(), 1);
        assert_eq!(p.bad_frames(), 1);
    }

    #[test]
    fn verdict_comes_a_clock_after_the_last_byte() {
        let mut p = CmdParser::new();
        let bytes = Command::RequestStatus.encode(9);
        let (last, head) = bytes.split_last().unwrap();
        for &b in head {
            p.receive(b);
            assert_eq!(p.decide(), None);
        }
        p.receive(*last);
        assert!(!p.ack_pending(), "acted in the byte's clock");
        let got = p.decide().expect("command in the verdict clock");
        assert_eq!(got.command, Some(Command::RequestStatus));
        assert!(p.ack_pending());
        assert_eq!(p.decide(), None, "one verdict per frame");
    }

    #[test]
    fn dropped_frame_ending_in_a5_resyncs_on_it() {
        // A good frame refused for a pending ACK whose last CRC byte is A5: that byte may be sync0.
        let seq = (0..=u16::MAX)
            .find(|&s| *Command::ClearAlarms.encode(s).last().unwrap() == 0xA5)
            .unwrap();
        let mut p = CmdParser::new();
        let mut bytes = Command::RequestStatus.encode(1);
        bytes.extend(Command::ClearAlarms.encode(seq));
        bytes.extend(&Command::RequestStatus.encode(3)[1..]);
        let got: Vec<_> = bytes.iter().filter_map(|&b| p.byte(b)).collect();
        assert_eq!(got.len(), 1, "the ACK of the first command was never taken");
        assert_eq!(p.bad_frames(), 2);
        p.ack_taken();
        let got = feed(&mut p, &Command::RequestStatus.encode(4));
        assert_eq!(got.len(), 1);
    }
}
