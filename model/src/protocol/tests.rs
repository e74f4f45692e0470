use super::*;
use proptest::prelude::*;

fn frame(ftype: FrameType, seq: u16, payload: &[u8]) -> Frame {
    Frame::new(ftype, seq, payload.to_vec())
}

#[test]
fn crc_is_iso_hdlc() {
    // The standard check value of CRC-32/ISO-HDLC.
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn encode_layout_matches_the_spec() {
    let bytes = encode(&frame(FrameType::SetMode, 0x1234, &[1]));
    assert_eq!(&bytes[..7], &[0xA5, 0x5A, 0x81, 0x34, 0x12, 1, 1]);
    let crc = crc32(&bytes[2..7]).to_le_bytes();
    assert_eq!(&bytes[7..], &crc);
    assert_eq!(bytes.len(), 1 + OVERHEAD);
    // The worked example of docs/protocol.md; CRC from Python's zlib.crc32.
    assert_eq!(bytes, [0xA5, 0x5A, 0x81, 0x34, 0x12, 0x01, 0x01, 0x00, 0x77, 0x53, 0x44]);
}

#[test]
fn decoder_round_trips_split_anywhere_and_counts_gaps() {
    let frames: Vec<Frame> =
        (0..5u16).map(|i| frame(FrameType::Raw, i * 2, &[i as u8; 32])).collect();
    let stream: Vec<u8> = frames.iter().flat_map(encode).collect();
    for split in [1, 3, 7, 41] {
        let mut d = Decoder::new();
        let got: Vec<Frame> = stream.chunks(split).flat_map(|c| d.feed(c)).collect();
        assert_eq!(got, frames);
        assert_eq!(d.stats().lost, 4, "four gaps of one frame");
        assert_eq!(d.stats().gaps, 4);
        assert_eq!(d.last_gap(), Some(Gap { expected: 7, got: 8, lost: 1 }));
    }
}

#[test]
fn bad_crc_is_counted_and_the_next_frame_still_decodes() {
    let mut s = encode(&frame(FrameType::Ack, 0, &[0x81, 0, 0, 0]));
    s[7] ^= 0x40;
    let good = frame(FrameType::Ack, 1, &[0x82, 1, 0, 0]);
    s.extend(encode(&good));
    let mut d = Decoder::new();
    assert_eq!(d.feed(&s), vec![good]);
    assert_eq!(d.stats().bad_crc, 1);
    assert!(d.stats().resync_bytes > 0);
}

#[test]
fn unknown_type_is_skipped_and_counted() {
    let mut s = vec![0x00, 0x11];
    s.extend(encode(&frame(FrameType::Unknown(0x42), 0, &[9, 9])));
    s.extend(encode(&frame(FrameType::Status, 1, &[0; 48])));
    let mut d = Decoder::new();
    let got = d.feed(&s);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].ftype, FrameType::Status);
    assert_eq!(d.stats().unknown_type, 1);
    assert_eq!(d.stats().resync_bytes, 2);
    assert_eq!(d.stats().lost, 0);
}

#[test]
fn status_and_payloads_round_trip() {
    let st = Status {
        version: 1,
        mode: 1,
        state: StateBits(0b1011),
        alarms: Alarms(Alarms::APT | Alarms::LOS),
        samples: 0xDEAD_BEEF,
        markov_min: 0xFFFF,
        h_milli: 500,
        n_in: 640,
        ..Default::default()
    };
    let bytes = st.serialize();
    assert_eq!(bytes[4..8], 0xDEAD_BEEFu32.to_le_bytes());
    assert_eq!(Status::parse(&bytes).unwrap(), st);
    assert_eq!(st.alarms.names(), vec!["APT", "LOS"]);
    let f = frame(FrameType::Status, 3, &bytes);
    assert_eq!(f.payload().unwrap(), Payload::Status(st));
    assert!(frame(FrameType::Status, 3, &bytes[..47])
        .payload()
        .unwrap_err()
        .to_string()
        .contains("expected 48"));
    let ack = Ack { cmd_type: 0x81, cmd_seq: 513, result: AckResult::BadArgument };
    assert_eq!(Ack::parse(&ack.serialize()).unwrap(), ack);
}

#[test]
fn commands_round_trip_and_bad_arguments_are_reported() {
    for c in [
        Command::SetMode(Mode::Raw),
        Command::SetMode(Mode::Conditioned),
        Command::ClearAlarms,
        Command::RequestStatus,
    ] {
        let mut d = Decoder::new();
        let f = d.feed(&c.encode(77)).pop().unwrap();
        assert_eq!(Command::from_frame(&f).unwrap(), c);
    }
    let bad = frame(FrameType::SetMode, 0, &[2]);
    assert_eq!(
        Command::from_frame(&bad),
        Err(CommandError::BadArgument { cmd_type: 0x81, arg: 2 })
    );
    assert!(matches!(
        Command::from_frame(&frame(FrameType::ClearAlarms, 0, &[0])),
        Err(CommandError::Payload(_))
    ));
}

#[test]
fn sfp_units_follow_sff8472() {
    let live = SfpDiag::live_from_units(-12.5, 3.3, 6.0, 0.5, 0.0123);
    // -12.5 °C = 0xF380 in 1/256 °C; 3.3 V = 33000 × 100 µV; 6 mA = 3000 × 2 µA.
    assert_eq!(&live[0..6], &[0xF3, 0x80, 0x80, 0xE8, 0x0B, 0xB8]);
    let thr = SfpThresholds {
        temp_c: Limits {
            high_alarm: 85.0,
            low_alarm: -40.0,
            high_warning: 75.0,
            low_warning: -30.0,
        },
        vcc_v: Limits { high_alarm: 3.6, low_alarm: 3.0, high_warning: 3.5, low_warning: 3.1 },
        bias_ma: Limits { high_alarm: 15.0, low_alarm: 1.0, high_warning: 12.0, low_warning: 2.0 },
        tx_power_mw: Limits {
            high_alarm: 1.0,
            low_alarm: 0.1,
            high_warning: 0.8,
            low_warning: 0.15,
        },
        rx_power_mw: Limits {
            high_alarm: 1.2589,
            low_alarm: 0.001,
            high_warning: 1.0,
            low_warning: 0.002,
        },
    };
    let diag = SfpDiag {
        thresholds_raw: thr.encode(),
        live_raw: live,
        flags: SfpFlags(0b11),
        poll_counter: 9,
    };
    let back = SfpDiag::parse(&diag.serialize()).unwrap();
    assert_eq!(back, diag);
    assert!((back.temperature_c() + 12.5).abs() < 1e-9);
    assert!((back.vcc_v() - 3.3).abs() < 1e-9);
    assert!((back.tx_bias_ma() - 6.0).abs() < 1e-9);
    assert!((back.rx_power_mw() - 0.0123).abs() < 1e-9);
    assert!((back.thresholds().rx_power_mw.high_alarm - 1.2589).abs() < 1e-9);
    assert!((back.thresholds().temp_c.low_alarm + 40.0).abs() < 1e-9);
}

/// Valid frames of random types, sequence numbers and payload lengths.
fn arb_frames() -> impl Strategy<Value = Vec<Frame>> {
    prop::collection::vec(
        (any::<u8>(), any::<u16>(), prop::collection::vec(any::<u8>(), 0..64)),
        1..12,
    )
    .prop_map(|v| v.into_iter().map(|(t, s, p)| Frame::new(FrameType::from_u8(t), s, p)).collect())
}

/// Every frame handed out must re-encode to bytes whose CRC checks and must appear verbatim in the
/// input: a decoder that invented or mangled a frame fails here.
fn check_decoded(input: &[u8], chunk: usize) -> Result<(), TestCaseError> {
    let mut d = Decoder::new();
    for c in input.chunks(chunk.max(1)) {
        for f in d.feed(c) {
            prop_assert!(!matches!(f.ftype, FrameType::Unknown(_)));
            let bytes = encode(&f);
            prop_assert!(
                input.windows(bytes.len()).any(|w| w == bytes.as_slice()),
                "decoded a frame not in the input"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_or_yield_bad_frames(input in prop::collection::vec(any::<u8>(), 0..600), chunk in 1usize..50) {
        check_decoded(&input, chunk)?;
    }

    #[test]
    fn corrupted_streams_never_yield_bad_frames(
        frames in arb_frames(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..6),
        cut in any::<prop::sample::Index>(),
        chunk in 1usize..40,
    ) {
        let mut stream: Vec<u8> = frames.iter().flat_map(encode).collect();
        for (i, x) in &flips {
            let i = i.index(stream.len());
            stream[i] ^= x;
        }
        let cut = cut.index(stream.len());
        stream.remove(cut);
        check_decoded(&stream, chunk)?;
    }

    #[test]
    fn clean_streams_decode_exactly(frames in arb_frames(), chunk in 1usize..40) {
        let stream: Vec<u8> = frames.iter().flat_map(encode).collect();
        let mut d = Decoder::new();
        let got: Vec<Frame> = stream.chunks(chunk).flat_map(|c| d.feed(c)).collect();
        let known: Vec<Frame> = frames.into_iter().filter(|f| !matches!(f.ftype, FrameType::Unknown(_))).collect();
        prop_assert_eq!(got, known);
        prop_assert_eq!(d.stats().bad_crc, 0);
    }
}

#[test]
fn conditioned_payloads_are_whole_digests() {
    for (len, ok) in [(0, false), (31, false), (32, true), (224, true), (256, false)] {
        let f = frame(FrameType::Conditioned, 0, &vec![7; len]);
        match f.payload() {
            Ok(Payload::Conditioned(d)) => {
                assert!(ok, "{len} bytes accepted");
                assert_eq!(d.len(), len / 32);
                assert!(d.iter().all(|b| b == &[7; 32]));
            }
            Err(e) => {
                assert!(!ok, "{len} bytes refused: {e}");
                assert!(e.to_string().contains(&format!("{len} bytes")), "{e}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(FrameType::Conditioned.accepts_len(len), ok);
    }
}
