//! Invariants that must hold for ANY input bytes, shared by the cargo-fuzz targets (fuzz/) and by
//! the test that replays their committed corpus under `cargo test` (model/tests/fuzz_corpus.rs).
//! Each function panics, naming the broken invariant, when the input breaks one; a panic inside
//! the code under test is of course a finding too.

use super::{crc32, encode, Ack, Command, Decoder, Frame, FrameType, SfpDiag, Status, SYNC};
use super::{HEADER_LEN, OVERHEAD};
use crate::cmd_parser::CmdParser;

/// The frame decoder: any chunking of the same bytes gives the same frames and statistics; every
/// frame handed out re-encodes to bytes that decode to itself alone; payload decoding of a handed
/// out frame returns Ok or Err, never panics.
pub fn check_decoder(data: &[u8]) {
    let whole = {
        let mut d = Decoder::new();
        (d.feed(data), d.stats())
    };
    // Chunk sizes taken from the data itself, so the fuzzer explores splits too.
    let mut d = Decoder::new();
    let mut frames = Vec::new();
    let mut rest = data;
    let mut k = 0;
    while !rest.is_empty() {
        let n = (1 + data[k % data.len()] as usize % 17).min(rest.len());
        frames.extend(d.feed(&rest[..n]));
        rest = &rest[n..];
        k += 1;
    }
    assert_eq!(frames, whole.0, "chunking changed the frames");
    assert_eq!(d.stats(), whole.1, "chunking changed the statistics");
    assert_eq!(whole.1.frames_ok, whole.0.len() as u64, "frames_ok counts the frames handed out");
    for f in &whole.0 {
        assert!(
            !matches!(f.ftype, FrameType::Unknown(_)),
            "unknown types are skipped, not handed out"
        );
        let again = Decoder::new().feed(&encode(f));
        assert_eq!(again.as_slice(), std::slice::from_ref(f), "re-encoding changed the frame");
        let _ = f.payload();
    }
}

/// Typed payloads: parsing arbitrary bytes returns Ok or Err, and what parses serialises to bytes
/// that parse to the same value. The first byte picks the frame type, the rest is the payload.
pub fn check_payloads(data: &[u8]) {
    let Some((&t, p)) = data.split_first() else { return };
    if let Ok(s) = Status::parse(p) {
        assert_eq!(Status::parse(&s.serialize()).as_ref(), Ok(&s), "STATUS round trip");
    }
    if let Ok(d) = SfpDiag::parse(p) {
        let again = SfpDiag::parse(&d.serialize()).expect("a serialised SFP_DIAG parses");
        assert_eq!(again.serialize(), d.serialize(), "SFP_DIAG round trip");
    }
    if let Ok(a) = Ack::parse(p) {
        assert_eq!(Ack::parse(&a.serialize()).as_ref(), Ok(&a), "ACK round trip");
    }
    let frame = Frame::new(FrameType::from_u8(t), u16::from(t), p.to_vec());
    if let Ok(c) = Command::from_frame(&frame) {
        let back = c.to_frame(frame.seq);
        assert_eq!(Command::from_frame(&back).ok(), Some(c), "command round trip");
    }
    if p.len() <= super::MAX_PAYLOAD {
        let _ = frame.payload();
    }
}

/// The command parser model: every command it accepts ends a well-formed command frame at exactly
/// the byte that completed it (sync, the ACK's type and seq, a length the type allows, a good
/// CRC), so no corrupted frame ever becomes a command.
pub fn check_cmd_parser(data: &[u8]) {
    let mut parser = CmdParser::new();
    for (i, &b) in data.iter().enumerate() {
        let Some(acc) = parser.byte(b) else { continue };
        parser.ack_taken();
        let len = if acc.ack.cmd_type == FrameType::SetMode.to_u8() { 1 } else { 0 };
        let total = OVERHEAD + len;
        assert!(i + 1 >= total, "accepted after {} bytes, a frame needs {total}", i + 1);
        let frame = &data[i + 1 - total..=i];
        assert_eq!(frame[..2], SYNC, "accepted frame starts with the sync");
        assert_eq!(frame[2], acc.ack.cmd_type, "ACK names the frame's type");
        assert_eq!(u16::from_le_bytes([frame[3], frame[4]]), acc.ack.cmd_seq, "ACK names its seq");
        assert_eq!(frame[5] as usize, len, "length byte fits the type");
        let crc = u32::from_le_bytes(frame[total - 4..].try_into().unwrap());
        assert_eq!(crc32(&frame[2..HEADER_LEN + len]), crc, "accepted frame has a good CRC");
        if let Some(c) = acc.command {
            assert_eq!(c.to_frame(acc.ack.cmd_seq).payload, frame[HEADER_LEN..HEADER_LEN + len]);
        }
    }
}
