//! Host → device commands and the device's ACK.

use super::frame::{Frame, FrameType, PayloadError};
use std::fmt;

/// Output mode selected by SET_MODE.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Conditioned,
    Raw,
}

impl Mode {
    pub fn to_u8(self) -> u8 {
        match self {
            Mode::Conditioned => 0,
            Mode::Raw => 1,
        }
    }
    pub fn from_u8(b: u8) -> Option<Self> {
        match b {
            0 => Some(Mode::Conditioned),
            1 => Some(Mode::Raw),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    SetMode(Mode),
    ClearAlarms,
    RequestStatus,
}

/// Why a command frame cannot be executed. A wrong length is dropped silently by the device; a bad
/// argument is answered with ACK result 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandError {
    Payload(PayloadError),
    BadArgument { cmd_type: u8, arg: u8 },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Payload(p) => p.fmt(f),
            CommandError::BadArgument { cmd_type, arg } => {
                write!(f, "command 0x{cmd_type:02x}: bad argument {arg}")
            }
        }
    }
}

impl std::error::Error for CommandError {}

impl Command {
    pub fn frame_type(self) -> FrameType {
        match self {
            Command::SetMode(_) => FrameType::SetMode,
            Command::ClearAlarms => FrameType::ClearAlarms,
            Command::RequestStatus => FrameType::RequestStatus,
        }
    }

    pub fn to_frame(self, seq: u16) -> Frame {
        let payload = match self {
            Command::SetMode(m) => vec![m.to_u8()],
            _ => vec![],
        };
        Frame::new(self.frame_type(), seq, payload)
    }

    /// Host side: the bytes to write for this command.
    pub fn encode(self, seq: u16) -> Vec<u8> {
        super::encode(&self.to_frame(seq))
    }

    pub fn from_frame(f: &Frame) -> Result<Self, CommandError> {
        let expected =
            match f.ftype {
                FrameType::SetMode | FrameType::ClearAlarms | FrameType::RequestStatus => {
                    f.ftype.payload_len().unwrap()
                }
                other => return Err(CommandError::Payload(PayloadError {
                    ftype: other,
                    message:
                        "not a command frame (commands are SET_MODE, CLEAR_ALARMS, REQUEST_STATUS)"
                            .into(),
                })),
            };
        if f.payload.len() != expected {
            return Err(CommandError::Payload(PayloadError::length(
                f.ftype,
                expected,
                f.payload.len(),
            )));
        }
        Ok(match f.ftype {
            FrameType::SetMode => {
                Command::SetMode(Mode::from_u8(f.payload[0]).ok_or(CommandError::BadArgument {
                    cmd_type: f.ftype.to_u8(),
                    arg: f.payload[0],
                })?)
            }
            FrameType::ClearAlarms => Command::ClearAlarms,
            _ => Command::RequestStatus,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckResult {
    Done,
    BadArgument,
    Other(u8),
}

impl AckResult {
    pub fn to_u8(self) -> u8 {
        match self {
            AckResult::Done => 0,
            AckResult::BadArgument => 1,
            AckResult::Other(b) => b,
        }
    }
    pub fn from_u8(b: u8) -> Self {
        match b {
            0 => AckResult::Done,
            1 => AckResult::BadArgument,
            o => AckResult::Other(o),
        }
    }
}

/// ACK payload (type 0x04): which command frame it answers and how it went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    pub cmd_type: u8,
    pub cmd_seq: u16,
    pub result: AckResult,
}

impl Ack {
    pub fn parse(p: &[u8]) -> Result<Self, PayloadError> {
        if p.len() != 4 {
            return Err(PayloadError::length(FrameType::Ack, 4, p.len()));
        }
        Ok(Ack {
            cmd_type: p[0],
            cmd_seq: u16::from_le_bytes([p[1], p[2]]),
            result: AckResult::from_u8(p[3]),
        })
    }
    pub fn serialize(&self) -> [u8; 4] {
        let s = self.cmd_seq.to_le_bytes();
        [self.cmd_type, s[0], s[1], self.result.to_u8()]
    }
}
