//! Writes the seed inputs of the cargo-fuzz corpus (fuzz/corpus/<target>/seed-*): one well-formed
//! frame of every type, a stream of several, and corrupted variants, so the fuzzer starts from
//! inputs that reach deep into each parser. `make fuzz-seeds`; the fuzzer's own finds are kept
//! beside them (minimised by `make fuzz`).

use speckle_model::protocol::{
    encode, Ack, AckResult, Command, Frame, FrameType, Mode, SfpDiag, Status, SFP_DIAG_LEN,
};
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let status = Status::default().serialize().to_vec();
    let diag = SfpDiag::parse(&[0x11; SFP_DIAG_LEN]).map(|d| d.serialize().to_vec()).unwrap();
    let ack = Ack { cmd_type: 0x81, cmd_seq: 7, result: AckResult::Done }.serialize().to_vec();
    let frames = vec![
        Frame::new(FrameType::Conditioned, 0, (0..32).collect()),
        Frame::new(FrameType::Raw, 1, vec![0x5a; 32]),
        Frame::new(FrameType::Status, 2, status.clone()),
        Frame::new(FrameType::Ack, 3, ack.clone()),
        Frame::new(FrameType::SfpDiag, 4, diag.clone()),
        Command::SetMode(Mode::Raw).to_frame(5),
        Command::ClearAlarms.to_frame(6),
        Command::RequestStatus.to_frame(7),
        Frame::new(FrameType::SetMode, 8, vec![9]),
        Frame::new(FrameType::Unknown(0x42), 9, vec![1, 2, 3]),
    ];
    let stream: Vec<u8> = frames.iter().flat_map(encode).collect();
    let mut corrupt = stream.clone();
    corrupt[20] ^= 0x04;
    let mut gapped = encode(&frames[0]);
    gapped.extend(encode(&Frame::new(FrameType::Raw, 40, vec![0; 32])));

    let mut decoder: Vec<Vec<u8>> = frames.iter().map(encode).collect();
    decoder.extend([stream.clone(), corrupt.clone(), gapped, vec![0xA5, 0xA5, 0x5A], vec![]]);
    write(&root.join("frame_decoder"), &decoder);

    let mut payloads: Vec<Vec<u8>> = Vec::new();
    for (t, p) in [(0x03u8, &status), (0x05, &diag), (0x04, &ack)] {
        payloads.push([&[t][..], p].concat());
        payloads.push([&[t][..], &p[..p.len() / 2]].concat());
    }
    payloads.extend([vec![0x81, 1], vec![0x81, 7], vec![0x82], vec![0x83], vec![0x01; 33]]);
    write(&root.join("payloads"), &payloads);

    let commands: Vec<Vec<u8>> = frames[5..9].iter().map(encode).collect();
    let mut cmd = commands.clone();
    cmd.push(commands.concat());
    cmd.push([vec![0xA5, 0xA5], commands[0].clone()].concat());
    let mut flipped = commands[0].clone();
    flipped[7] ^= 1;
    cmd.extend([flipped, stream, corrupt]);
    write(&root.join("cmd_parser"), &cmd);
}

fn write(dir: &Path, inputs: &[Vec<u8>]) {
    std::fs::create_dir_all(dir).unwrap();
    for (i, data) in inputs.iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:02}")), data).unwrap();
    }
    println!("{}: {} seeds", dir.display(), inputs.len());
}
