//! The Speckle wire protocol (docs/protocol.md): frames, the streaming decoder and typed payloads.
//!
//! One implementation serves the host daemon, the simulated board and the reference core model, so
//! a disagreement about a byte can only come from the RTL, which is what the testbench checks.

mod command;
mod decoder;
mod frame;
pub mod robustness;
mod sfp;
mod status;

pub use command::{Ack, AckResult, Command, CommandError, Mode};
pub use decoder::{Decoder, DecoderStats, Gap};
pub use frame::{
    crc32, encode, Frame, FrameType, PayloadError, DIGEST_LEN, HEADER_LEN, MAX_PAYLOAD, OVERHEAD,
    SYNC,
};
pub use sfp::{sff8472, Limits, SfpDiag, SfpFlags, SfpThresholds, SFP_DIAG_LEN};
pub use status::{Alarms, StateBits, Status, STATUS_LEN, STATUS_VERSION};

/// A frame's payload, checked against its type's length and decoded.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// The frame's digests, in the order the board made them.
    Conditioned(Vec<[u8; DIGEST_LEN]>),
    Raw([u8; 32]),
    Status(Status),
    Ack(Ack),
    SfpDiag(SfpDiag),
    Command(Command),
}

impl Frame {
    /// Decodes the payload for its type; a wrong length or an unknown type is an error, never a guess.
    pub fn payload(&self) -> Result<Payload, PayloadError> {
        let fixed32 = |p: &[u8]| -> Result<[u8; 32], PayloadError> {
            p.try_into().map_err(|_| PayloadError::length(self.ftype, 32, p.len()))
        };
        match self.ftype {
            FrameType::Conditioned => {
                let n = self.payload.len();
                if !self.ftype.accepts_len(n) {
                    return Err(PayloadError {
                        ftype: self.ftype,
                        message: format!(
                            "CONDITIONED payload of {n} bytes: must be 1..={} whole {DIGEST_LEN}-byte digests",
                            crate::params::MAX_BLOCKS_PER_FRAME
                        ),
                    });
                }
                let blocks = self.payload.chunks_exact(DIGEST_LEN);
                Ok(Payload::Conditioned(blocks.map(|b| b.try_into().unwrap()).collect()))
            }
            FrameType::Raw => Ok(Payload::Raw(fixed32(&self.payload)?)),
            FrameType::Status => Status::parse(&self.payload).map(Payload::Status),
            FrameType::Ack => Ack::parse(&self.payload).map(Payload::Ack),
            FrameType::SfpDiag => SfpDiag::parse(&self.payload).map(Payload::SfpDiag),
            FrameType::SetMode | FrameType::ClearAlarms | FrameType::RequestStatus => {
                Command::from_frame(self).map(Payload::Command).map_err(|e| match e {
                    CommandError::Payload(p) => p,
                    CommandError::BadArgument { arg, .. } => PayloadError {
                        ftype: self.ftype,
                        message: format!(
                            "SET_MODE argument {arg}: valid modes are 0 (conditioned) and 1 (raw)"
                        ),
                    },
                })
            }
            FrameType::Unknown(t) => Err(PayloadError {
                ftype: self.ftype,
                message: format!("unknown frame type 0x{t:02x}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests;
