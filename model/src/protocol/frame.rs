//! Frame layout and encoding.

use std::fmt;

/// Start-of-frame marker `A5 5A`.
pub const SYNC: [u8; 2] = [0xA5, 0x5A];
/// sync0, sync1, type, seq (2), len.
pub const HEADER_LEN: usize = 6;
/// Header plus CRC: a frame is `payload.len() + OVERHEAD` bytes.
pub const OVERHEAD: usize = HEADER_LEN + 4;
/// `len` is one byte.
pub const MAX_PAYLOAD: usize = 255;

const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// CRC-32/ISO-HDLC (zlib/Ethernet), as the frame trailer and the RTL `crc32` block compute it.
pub fn crc32(bytes: &[u8]) -> u32 {
    CRC.checksum(bytes)
}

/// Frame type byte. Unknown values are kept, not rejected, so that a decoder can count them and a
/// newer device's frames can be skipped rather than misread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameType {
    Conditioned,
    Raw,
    Status,
    Ack,
    SfpDiag,
    SetMode,
    ClearAlarms,
    RequestStatus,
    Unknown(u8),
}

impl FrameType {
    pub fn from_u8(b: u8) -> Self {
        match b {
            0x01 => Self::Conditioned,
            0x02 => Self::Raw,
            0x03 => Self::Status,
            0x04 => Self::Ack,
            0x05 => Self::SfpDiag,
            0x81 => Self::SetMode,
            0x82 => Self::ClearAlarms,
            0x83 => Self::RequestStatus,
            other => Self::Unknown(other),
        }
    }

    pub fn to_u8(self) -> u8 {
        match self {
            Self::Conditioned => 0x01,
            Self::Raw => 0x02,
            Self::Status => 0x03,
            Self::Ack => 0x04,
            Self::SfpDiag => 0x05,
            Self::SetMode => 0x81,
            Self::ClearAlarms => 0x82,
            Self::RequestStatus => 0x83,
            Self::Unknown(b) => b,
        }
    }

    /// Payload length the protocol fixes for this type; `None` for unknown types and for
    /// CONDITIONED, whose length is any whole number of digests (see [`Self::accepts_len`]).
    pub fn payload_len(self) -> Option<usize> {
        match self {
            Self::Conditioned | Self::Unknown(_) => None,
            Self::Raw => Some(32),
            Self::Status => Some(super::STATUS_LEN),
            Self::Ack => Some(4),
            Self::SfpDiag => Some(super::SFP_DIAG_LEN),
            Self::SetMode => Some(1),
            Self::ClearAlarms | Self::RequestStatus => Some(0),
        }
    }

    /// Whether a payload of `len` bytes is well formed for this type: CONDITIONED carries
    /// 1..=`MAX_BLOCKS_PER_FRAME` digests of [`DIGEST_LEN`] bytes (the board's `blocks_per_frame`),
    /// every other known type its fixed length.
    pub fn accepts_len(self, len: usize) -> bool {
        match self {
            Self::Conditioned => {
                len.is_multiple_of(DIGEST_LEN)
                    && (1..=crate::params::MAX_BLOCKS_PER_FRAME as usize)
                        .contains(&(len / DIGEST_LEN))
            }
            other => other.payload_len() == Some(len),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Conditioned => "CONDITIONED",
            Self::Raw => "RAW",
            Self::Status => "STATUS",
            Self::Ack => "ACK",
            Self::SfpDiag => "SFP_DIAG",
            Self::SetMode => "SET_MODE",
            Self::ClearAlarms => "CLEAR_ALARMS",
            Self::RequestStatus => "REQUEST_STATUS",
            Self::Unknown(_) => "UNKNOWN",
        }
    }
}

impl fmt::Display for FrameType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (0x{:02x})", self.name(), self.to_u8())
    }
}

/// Bytes of one conditioned block (a SHA3-256 digest).
pub const DIGEST_LEN: usize = (crate::params::OUTPUT_BLOCK_BITS / u8::BITS) as usize;

/// One frame, as sent; the CRC is computed by [`encode`] and checked by the decoder, never stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub ftype: FrameType,
    pub seq: u16,
    pub payload: Vec<u8>,
}

impl Frame {
    pub fn new(ftype: FrameType, seq: u16, payload: Vec<u8>) -> Self {
        Frame { ftype, seq, payload }
    }
}

/// Serialises a frame: sync, header, payload, CRC-32 LE over type..payload.
///
/// # Panics
/// If the payload is longer than 255 bytes: `len` is one byte, so such a frame cannot exist, and
/// truncating silently would send a different frame than the caller built.
pub fn encode(frame: &Frame) -> Vec<u8> {
    assert!(
        frame.payload.len() <= MAX_PAYLOAD,
        "frame payload of {} bytes: the protocol allows at most {MAX_PAYLOAD}",
        frame.payload.len()
    );
    let mut out = Vec::with_capacity(frame.payload.len() + OVERHEAD);
    out.extend_from_slice(&SYNC);
    out.push(frame.ftype.to_u8());
    out.extend_from_slice(&frame.seq.to_le_bytes());
    out.push(frame.payload.len() as u8);
    out.extend_from_slice(&frame.payload);
    let crc = crc32(&out[2..]);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// A payload that does not fit its frame type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadError {
    pub ftype: FrameType,
    pub message: String,
}

impl PayloadError {
    pub(crate) fn length(ftype: FrameType, expected: usize, got: usize) -> Self {
        PayloadError { ftype, message: format!("payload of {got} bytes, expected {expected}") }
    }
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} frame: {}", self.ftype, self.message)
    }
}

impl std::error::Error for PayloadError {}
