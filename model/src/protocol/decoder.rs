//! Streaming frame decoder (docs/protocol.md, "Decoding rules").

use super::frame::{crc32, Frame, FrameType, HEADER_LEN, OVERHEAD, SYNC};

/// What the decoder has seen; the host logs these as link-quality telemetry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecoderStats {
    /// Frames with a good CRC and a known type, handed out by [`Decoder::pop`].
    pub frames_ok: u64,
    /// Candidate frames whose CRC did not match: dropped, and the search restarted one byte later.
    pub bad_crc: u64,
    /// Frames with a good CRC but a type this decoder does not know: skipped whole.
    pub unknown_type: u64,
    /// Frames missing according to the sequence numbers, summed over all gaps.
    pub lost: u64,
    /// Number of sequence gaps (each adds its size to `lost`).
    pub gaps: u64,
    /// Bytes thrown away while searching for a sync.
    pub resync_bytes: u64,
}

/// A break in the sequence numbers: `lost` frames were sent between the previous frame and this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    pub expected: u16,
    pub got: u16,
    pub lost: u16,
}

/// Push bytes in any chunking, pop whole frames out. A frame is handed out only after its CRC
/// checks, so corruption costs frames but never produces a wrong one.
#[derive(Clone, Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    pos: usize,
    expected_seq: Option<u16>,
    stats: DecoderStats,
    last_gap: Option<Gap>,
}

/// Consumed bytes are dropped from the buffer once this many have piled up, so a long-running
/// decoder keeps O(frame) memory without shifting the buffer on every frame.
const COMPACT_AT: usize = 4096;

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos >= COMPACT_AT {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Pushes bytes and returns every frame they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Frame> {
        self.push(bytes);
        std::iter::from_fn(|| self.pop()).collect()
    }

    pub fn stats(&self) -> DecoderStats {
        self.stats
    }

    /// The most recent sequence gap, if any.
    pub fn last_gap(&self) -> Option<Gap> {
        self.last_gap
    }

    /// Bytes held waiting for the rest of a frame.
    pub fn pending(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Next good frame of a known type, or `None` until more bytes arrive.
    pub fn pop(&mut self) -> Option<Frame> {
        loop {
            let avail = &self.buf[self.pos..];
            match avail.windows(2).position(|w| w == SYNC) {
                Some(i) => {
                    self.skip(i);
                }
                None => {
                    // Keep a trailing sync0: its sync1 may be in the next push.
                    let keep = usize::from(avail.last() == Some(&SYNC[0]));
                    self.skip(avail.len() - keep);
                    return None;
                }
            }
            let avail = &self.buf[self.pos..];
            if avail.len() < HEADER_LEN {
                return None;
            }
            let total = avail[5] as usize + OVERHEAD;
            if avail.len() < total {
                return None;
            }
            let body = &avail[2..total - 4];
            let crc = u32::from_le_bytes(avail[total - 4..total].try_into().unwrap());
            if crc32(body) != crc {
                // The sync may have been payload bytes, and a real frame may start inside this
                // candidate: restart the search just past sync0.
                self.stats.bad_crc += 1;
                self.pos += 1;
                continue;
            }
            let ftype = FrameType::from_u8(avail[2]);
            let seq = u16::from_le_bytes([avail[3], avail[4]]);
            let payload = avail[HEADER_LEN..total - 4].to_vec();
            self.pos += total;
            self.track_seq(seq);
            if let FrameType::Unknown(_) = ftype {
                self.stats.unknown_type += 1;
                continue;
            }
            self.stats.frames_ok += 1;
            return Some(Frame { ftype, seq, payload });
        }
    }

    fn skip(&mut self, n: usize) {
        self.pos += n;
        self.stats.resync_bytes += n as u64;
    }

    fn track_seq(&mut self, seq: u16) {
        if let Some(expected) = self.expected_seq {
            if seq != expected {
                let lost = seq.wrapping_sub(expected);
                self.stats.lost += lost as u64;
                self.stats.gaps += 1;
                self.last_gap = Some(Gap { expected, got: seq, lost });
            }
        }
        self.expected_seq = Some(seq.wrapping_add(1));
    }
}
