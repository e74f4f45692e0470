use super::*;
use crate::packing::{pack_lsb_first, unpack_lsb_first};
use crate::protocol::{Decoder, Payload};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha3::Digest;

/// ice40 with a STATUS every 2^16 clocks (16384 samples) so tests see several.
fn params() -> CoreParams {
    CoreParams { status_period_log2: 16, ..CoreParams::ice40() }
}

fn random_bits(seed: u64, n: usize) -> Vec<bool> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.random()).collect()
}

/// Runs samples through a core and decodes everything it sent.
fn run(core: &mut CoreModel, bits: &[bool], dec: &mut Decoder) -> Vec<Frame> {
    let mut frames = Vec::new();
    for chunk in bits.chunks(4096) {
        for &b in chunk {
            core.push_sample(b);
        }
        frames.extend(dec.feed(&core.take_tx()));
    }
    frames
}

fn of_type(frames: &[Frame], t: FrameType) -> Vec<&Frame> {
    frames.iter().filter(|f| f.ftype == t).collect()
}

#[test]
fn first_digest_is_sha3_of_the_debiased_folded_samples() {
    let p = params();
    let bits = random_bits(1, 60_000);
    let mut core = CoreModel::new(&p);
    let mut dec = Decoder::new();
    // The data path is held empty until the gate opens: the first sample it takes is the one
    // whose verdict opened the gate.
    let mut first = None;
    for (i, &b) in bits[..2000].iter().enumerate() {
        core.push_sample(b);
        first = first.or(core.gate_open().then_some(i));
    }
    let first = first.expect("gate open after the 1024-sample startup test");
    assert!((1024..1100).contains(&first), "gate opened at sample {first}");
    let mut frames = dec.feed(&core.take_tx());
    frames.extend(run(&mut core, &bits[2000..], &mut dec));
    let cond = of_type(&frames, FrameType::Conditioned);
    assert!(cond.len() > 3, "a healthy source must produce output, got {} frames", cond.len());
    let folded = crate::xor_fold::XorFold::run(
        p.fold_k,
        VnDebias::run(!p.vn_enable, bits[first..].iter().copied()),
    );
    let want: [u8; 32] = sha3::Sha3_256::digest(pack_lsb_first(&folded[..p.n_in as usize])).into();
    assert_eq!(cond[0].payload.len(), p.conditioned_payload_len());
    assert_eq!(cond[0].payload[..32], want);
    let st = of_type(&frames, FrameType::Status);
    let clocks = 60_000 * p.oversample as usize;
    assert_eq!(st.len(), clocks / 65_536);
    let Payload::Status(s) = st.last().unwrap().payload().unwrap() else { panic!() };
    assert_eq!(s.alarms, Alarms(0));
    assert!(s.state.has(StateBits::GATE_OPEN | StateBits::STARTUP_DONE));
    // The last STATUS is queued by the first sample at or after its multiple of 2^16 clocks.
    let at = (st.len() as u32 * 65_536).div_ceil(p.oversample);
    assert_eq!(s.samples, at, "STATUS {} at {} × 2^16 clocks", st.len(), st.len());
    assert_eq!((s.rct_cutoff, s.window, s.h_milli), (61, 1024, 500));
    assert_eq!(u32::from(s.n_in), p.n_in);
    assert!(s.markov_min >= s.markov_lo && s.markov_max <= s.markov_hi, "{s:?}");
    assert_eq!(dec.stats().lost, 0);
    assert_eq!(dec.stats().bad_crc, 0);
}

#[test]
fn uart_rate_bounds_the_byte_stream() {
    let p = params();
    let mut core = CoreModel::new(&p);
    let mut sent = 0usize;
    for b in random_bits(2, 200_000) {
        core.push_sample(b);
        sent += core.take_tx().len();
    }
    let max = core.clocks() / (10 * p.baud_divisor() as u64) + 1;
    assert!(sent as u64 <= max, "{sent} bytes in {} clocks exceeds the line rate", core.clocks());
    assert!(sent as u64 > max / 4, "the framer should keep the line busy, sent {sent} of {max}");
}

#[test]
fn stuck_source_latches_rct_and_stops_conditioned_output() {
    let p = params();
    let mut core = CoreModel::new(&p);
    let mut dec = Decoder::new();
    let mut bits = random_bits(3, 30_000);
    bits.extend(std::iter::repeat_n(true, 40_000));
    let frames = run(&mut core, &bits, &mut dec);
    assert!(core.alarms().has(Alarms::RCT));
    assert!(!core.gate_open());
    // After the alarm no CONDITIONED frame may follow the first STATUS that shows it.
    let first_alarm = frames
        .iter()
        .position(|f| matches!(f.payload(), Ok(Payload::Status(s)) if s.alarms.has(Alarms::RCT)))
        .expect("a STATUS with the RCT alarm");
    assert!(frames[first_alarm..].iter().all(|f| f.ftype != FrameType::Conditioned));
    let Ok(Payload::Status(s)) = frames[first_alarm].payload() else { panic!() };
    assert_eq!(s.rct_failures, 1);
    assert!(s.rct_max_run >= s.rct_cutoff);
}

#[test]
fn commands_are_acked_and_raw_mode_sends_consecutive_samples() {
    let p = params();
    let mut core = CoreModel::new(&p);
    let mut dec = Decoder::new();
    let mut bad = Command::RequestStatus.encode(8);
    bad[6] ^= 1; // corrupt the CRC: must be dropped without an answer
    let commands = [
        Command::SetMode(Mode::Raw).encode(7),
        bad,
        encode(&Frame::new(FrameType::SetMode, 9, vec![5])),
        Command::RequestStatus.encode(10),
    ];
    // One command per 10 000 samples: the core holds one pending ACK, as a host waits for it.
    let bits = random_bits(4, 100_000);
    let mut frames = Vec::new();
    for (i, chunk) in bits.chunks(10_000).enumerate() {
        if let Some(c) = commands.get(i) {
            core.push_host_bytes(c);
        }
        frames.extend(run(&mut core, chunk, &mut dec));
    }
    let acks: Vec<Ack> = frames
        .iter()
        .filter_map(|f| match f.payload() {
            Ok(Payload::Ack(a)) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(
        acks,
        vec![
            Ack { cmd_type: 0x81, cmd_seq: 7, result: AckResult::Done },
            Ack { cmd_type: 0x81, cmd_seq: 9, result: AckResult::BadArgument },
            Ack { cmd_type: 0x83, cmd_seq: 10, result: AckResult::Done },
        ]
    );
    assert_eq!(core.mode(), Mode::Raw);
    let raw = of_type(&frames, FrameType::Raw);
    assert!(raw.len() > 10);
    let stream: Vec<u8> = pack_lsb_first(&bits);
    for f in &raw {
        // Each frame is 256 consecutive samples: find it at some bit offset of the input.
        let fbits = unpack_lsb_first(&f.payload);
        assert!(
            bits.windows(256).any(|w| w == fbits.as_slice()),
            "RAW frame not a run of input samples"
        );
    }
    assert!(!stream.is_empty());
    assert!(of_type(&frames, FrameType::Conditioned).len() <= 1, "raw mode sends no digests");
    assert_eq!(of_type(&frames, FrameType::Status)[0].payload[1], 1, "STATUS reports raw mode");
}

#[test]
fn los_latches_until_cleared_and_sfp_diag_follows_status() {
    let p = params();
    let mut core = CoreModel::new(&p);
    core.set_sfp_diag(Some([0x11; SFP_DIAG_LEN]));
    let mut dec = Decoder::new();
    let bits = random_bits(5, 20_000);
    run(&mut core, &bits[..5_000], &mut dec);
    core.set_los(true);
    run(&mut core, &bits[5_000..6_000], &mut dec);
    assert!(core.alarms().has(Alarms::LOS));
    core.set_los(false);
    let mut frames = run(&mut core, &bits[6_000..], &mut dec);
    assert!(core.alarms().has(Alarms::LOS), "latched after the level drops");
    core.push_host_bytes(&Command::ClearAlarms.encode(1));
    frames.extend(run(&mut core, &random_bits(6, 5_000), &mut dec));
    let st = frames.iter().position(|f| f.ftype == FrameType::Status).unwrap();
    assert_eq!(frames[st + 1].ftype, FrameType::SfpDiag);
    assert_eq!(frames[st + 1].payload, vec![0x11; SFP_DIAG_LEN]);
    assert_eq!(core.alarms(), Alarms(0));
    assert!(core.gate_open(), "startup test passes again after the clear");
}

/// The pair form: two samples a clock through the same tests; the first digest is SHA3 of the
/// fold of the samples from the pair that opened the gate, STATUS counts both samples of each
/// pair and says DDR, and a stuck pin latches the RCT alarm with no digest after it.
#[test]
fn ddr_pairs_fold_into_the_same_digests() {
    let p = CoreParams { status_period_log2: 14, ..CoreParams::ecp5_ddr() };
    let bits = random_bits(5, 120_000);
    let mut core = CoreModel::new(&p);
    let mut dec = Decoder::new();
    let mut first = None;
    let mut frames = Vec::new();
    for (i, pair) in bits.chunks(2).enumerate() {
        core.push_pair(pair[0], pair[1]);
        first = first.or(core.gate_open().then_some(2 * i));
        frames.extend(dec.feed(&core.take_tx()));
    }
    let first = first.expect("gate open after the startup test");
    // The startup test counts pairs: 1024 of them.
    assert!((2048..2200).contains(&first), "gate opened at sample {first}");
    let cond = of_type(&frames, FrameType::Conditioned);
    assert!(!cond.is_empty(), "a healthy source must produce output");
    let folded = crate::xor_fold::XorFold::run(p.fold_k, bits[first..].iter().copied());
    let want: [u8; 32] = sha3::Sha3_256::digest(pack_lsb_first(&folded[..p.n_in as usize])).into();
    assert_eq!(cond[0].payload[..32], want);
    let st = of_type(&frames, FrameType::Status);
    assert_eq!(st.len(), 60_000 / 16_384, "one STATUS per 2^14 clocks, a pair a clock");
    let last = core.status();
    assert!(last.state.has(StateBits::DDR) && !last.state.has(StateBits::VN_ENABLED));
    assert_eq!(last.samples, 120_000);

    // A stuck pin: the RCT trips within C samples (C / 2 pairs) and nothing is hashed after.
    let sent = cond.len();
    let c = p.cutoffs().rct as usize;
    for _ in 0..c.div_ceil(2) + 2 {
        core.push_pair(true, true);
    }
    assert!(core.alarms().0 != 0 && !core.gate_open(), "{:?}", core.alarms());
    for _ in 0..200_000 {
        core.push_pair(true, true);
    }
    let later = dec.feed(&core.take_tx());
    let more = of_type(&later, FrameType::Conditioned).len();
    assert!(more <= 2, "{more} frames after the alarm (at most the buffered ones)");
    assert!(sent > 0);
}

#[test]
#[should_panic(expected = "push_pair")]
fn pairs_into_a_single_lane_core_are_refused() {
    CoreModel::new(&params()).push_pair(false, true);
}
