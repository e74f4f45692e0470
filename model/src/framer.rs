//! Reference model of `framer`: which frame goes next, its exact bytes, and the clock-by-clock
//! handshakes of the block.
//!
//! Frame bytes come from [`crate::protocol::encode`], so the RTL is checked against the same encoder
//! the host decodes with. The clock model keeps a queue of the frame's bytes rather than the RTL's
//! index and muxes, so a test comparing the two checks the contract, not a transcription.

use crate::protocol::{encode, Frame, FrameType};
use std::collections::VecDeque;

/// One frame's worth of data from one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `blocks_per_frame` digests, 32 bytes each, as `digest_buffer` streams them.
    Conditioned(Vec<u8>),
    Raw([u8; 32]),
    Status([u8; 48]),
    SfpDiag([u8; 52]),
    Ack {
        cmd_type: u8,
        cmd_seq: u16,
        result: u8,
    },
}

impl Request {
    pub fn frame_type(&self) -> FrameType {
        match self {
            Request::Conditioned(_) => FrameType::Conditioned,
            Request::Raw(_) => FrameType::Raw,
            Request::Status(_) => FrameType::Status,
            Request::SfpDiag(_) => FrameType::SfpDiag,
            Request::Ack { .. } => FrameType::Ack,
        }
    }

    pub fn payload(&self) -> Vec<u8> {
        match self {
            Request::Conditioned(p) => p.clone(),
            Request::Raw(p) => p.to_vec(),
            Request::Status(p) => p.to_vec(),
            Request::SfpDiag(p) => p.to_vec(),
            Request::Ack { cmd_type, cmd_seq, result } => {
                let s = cmd_seq.to_le_bytes();
                vec![*cmd_type, s[0], s[1], *result]
            }
        }
    }
}

/// The framer's inputs in one clock: each handshaked source's request while its `*_valid` is high,
/// the live SFP_DIAG bus and `sfp_en`, and the UART's `out_ready`.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub ack: Option<Request>,
    pub status: Option<Request>,
    pub digest: Option<Request>,
    pub raw: Option<Request>,
    pub sfp_payload: Option<[u8; 52]>,
    pub sfp_en: bool,
    pub out_ready: bool,
}

/// Which source a frame came from; also names the `*_ready` that strobes for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    SfpDiag,
    Ack,
    Status,
    Digest,
    Raw,
}

/// The framer's outputs in one clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outputs {
    pub out_byte: Option<u8>,
    /// The source whose `*_ready` is high this clock (SFP_DIAG has no ready).
    pub ready: Option<Source>,
    pub frame_sent: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Framer {
    seq: u16,
    sfp_pending: bool,
    current: Option<Source>,
    bytes: VecDeque<u8>,
    sent: bool,
}

impl Framer {
    pub fn new() -> Self {
        Self::default()
    }

    /// The sequence number the next frame will carry.
    pub fn seq(&self) -> u16 {
        self.seq
    }

    /// The source of the frame being sent, if any.
    pub fn current(&self) -> Option<Source> {
        self.current
    }

    /// Idle priority: the SFP_DIAG owed after a STATUS, then ACK > STATUS > CONDITIONED > RAW.
    pub fn select(&self, i: &Inputs) -> Option<(Source, Request)> {
        if self.sfp_pending {
            return Some((Source::SfpDiag, Request::SfpDiag(i.sfp_payload.unwrap_or([0; 52]))));
        }
        [
            (Source::Ack, &i.ack),
            (Source::Status, &i.status),
            (Source::Digest, &i.digest),
            (Source::Raw, &i.raw),
        ]
        .into_iter()
        .find_map(|(s, r)| r.clone().map(|r| (s, r)))
    }

    /// The bytes of the next frame for `req`, advancing the sequence number.
    pub fn encode(&mut self, req: &Request) -> Vec<u8> {
        let bytes = encode(&Frame::new(req.frame_type(), self.seq, req.payload()));
        self.seq = self.seq.wrapping_add(1);
        bytes
    }

    /// Outputs before the next edge, given this clock's `out_ready`.
    pub fn outputs(&self, out_ready: bool) -> Outputs {
        // Four CRC bytes follow the last payload byte.
        let ready = match self.current {
            Some(s) if out_ready && self.bytes.len() == 5 && s != Source::SfpDiag => Some(s),
            _ => None,
        };
        Outputs { out_byte: self.bytes.front().copied(), ready, frame_sent: self.sent }
    }

    /// One clock edge.
    pub fn clock(&mut self, i: &Inputs) {
        self.sent = false;
        match self.current {
            Some(source) => {
                if i.out_ready {
                    if source == Source::Status && self.bytes.len() == 5 {
                        self.sfp_pending = i.sfp_en;
                    }
                    self.bytes.pop_front();
                    if self.bytes.is_empty() {
                        self.current = None;
                        self.sent = true;
                    }
                }
            }
            None => {
                if let Some((source, req)) = self.select(i) {
                    if source == Source::SfpDiag {
                        self.sfp_pending = false;
                    }
                    self.bytes = self.encode(&req).into();
                    self.current = Some(source);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Decoder, Payload};

    #[test]
    fn frames_decode_with_consecutive_sequence_numbers() {
        let mut f = Framer::new();
        let reqs = [
            Request::Conditioned(vec![7; 224]),
            Request::Ack { cmd_type: 0x81, cmd_seq: 0x1234, result: 0 },
            Request::Raw([0xA5; 32]),
        ];
        let bytes: Vec<u8> = reqs.iter().flat_map(|r| f.encode(r)).collect();
        assert_eq!(bytes.len(), 234 + 14 + 42);
        let mut d = Decoder::new();
        let frames = d.feed(&bytes);
        assert_eq!(frames.len(), 3);
        assert_eq!(d.stats().bad_crc + d.stats().lost + d.stats().resync_bytes, 0);
        assert_eq!(frames[0].payload, vec![7; 224]);
        assert_eq!(frames[1].seq, 1);
        match frames[1].payload().unwrap() {
            Payload::Ack(a) => assert_eq!(a.serialize(), [0x81, 0x34, 0x12, 0]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn clock_model_follows_priority_and_sends_sfp_diag_after_status() {
        let mut f = Framer::new();
        let mut i = Inputs {
            ack: Some(Request::Ack { cmd_type: 0x83, cmd_seq: 9, result: 0 }),
            status: Some(Request::Status([3; 48])),
            digest: Some(Request::Conditioned(vec![1; 64])),
            sfp_payload: Some([5; 52]),
            sfp_en: true,
            out_ready: true,
            ..Default::default()
        };
        let mut order = vec![];
        let mut stream = vec![];
        for _ in 0..400 {
            let o = f.outputs(i.out_ready);
            stream.extend(o.out_byte);
            match o.ready {
                Some(Source::Ack) => i.ack = None,
                Some(Source::Status) => i.status = None,
                Some(Source::Digest) => i.digest = None,
                _ => {}
            }
            f.clock(&i);
            if let Some(s) = f.current {
                if order.last() != Some(&s) {
                    order.push(s);
                }
            }
        }
        assert_eq!(order, [Source::Ack, Source::Status, Source::SfpDiag, Source::Digest]);
        let frames = Decoder::new().feed(&stream);
        let types: Vec<u8> = frames.iter().map(|f| f.ftype.to_u8()).collect();
        assert_eq!(types, [4, 3, 5, 1]);
    }
}
