//! `speckle_framer` under Verilator against the clock model (model/src/framer.rs) for 10^6 clocks:
//! five sources raising `*_valid` at random (the CONDITIONED source as `digest_buffer` would: its
//! `blocks_per_frame` digests streamed through `cond_byte`, one byte per `cond_pop`) (held until `*_ready`, as the handshake requires) with
//! random payloads, random `out_ready` back-pressure and `sfp_en` toggling. Every clock the byte
//! stream, the four `*_ready` strobes and `frame_sent` must equal the model's; at the end the whole
//! stream must decode with `speckle_model::protocol`'s decoder into exactly the frames sent, with
//! consecutive sequence numbers and no CRC error.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rtl_sim::{Model, PortId};
use speckle_model::framer::{Framer, Inputs, Request, Source};
use speckle_model::params::CoreParams;
use speckle_model::protocol::{Decoder, FrameType};

fn words(bytes: &[u8]) -> Vec<u32> {
    bytes.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect()
}

fn random_bytes<const N: usize>(r: &mut ChaCha8Rng) -> [u8; N] {
    std::array::from_fn(|_| r.random())
}

struct Ports {
    clock: PortId,
    cond_byte: PortId,
    cond_valid: PortId,
    cond_pop: PortId,
    cond_sent: PortId,
    raw_block: PortId,
    raw_valid: PortId,
    raw_ready: PortId,
    status_payload: PortId,
    status_valid: PortId,
    status_ready: PortId,
    sfp_payload: PortId,
    sfp_en: PortId,
    ack_type: PortId,
    ack_seq: PortId,
    ack_result: PortId,
    ack_valid: PortId,
    ack_ready: PortId,
    out_byte: PortId,
    out_valid: PortId,
    out_ready: PortId,
    frame_sent: PortId,
}

fn open(profile: &str) -> (Model, Ports) {
    if let Some(why) = rtl_sim::unavailable_reason() {
        panic!("no Verilator model of speckle_framer: {why}");
    }
    let mut m = Model::new(profile, "speckle_framer").unwrap_or_else(|e| panic!("{e}"));
    let p = |n: &str| m.port(n).unwrap_or_else(|e| panic!("{e}"));
    let ports = Ports {
        clock: p("clock"),
        cond_byte: p("cond_byte"),
        cond_valid: p("cond_valid"),
        cond_pop: p("cond_pop"),
        cond_sent: p("cond_sent"),
        raw_block: p("raw_block"),
        raw_valid: p("raw_valid"),
        raw_ready: p("raw_ready"),
        status_payload: p("status_payload"),
        status_valid: p("status_valid"),
        status_ready: p("status_ready"),
        sfp_payload: p("sfp_payload"),
        sfp_en: p("sfp_en"),
        ack_type: p("ack_type"),
        ack_seq: p("ack_seq"),
        ack_result: p("ack_result"),
        ack_valid: p("ack_valid"),
        ack_ready: p("ack_ready"),
        out_byte: p("out_byte"),
        out_valid: p("out_valid"),
        out_ready: p("out_ready"),
        frame_sent: p("frame_sent"),
    };
    let reset = p("reset");
    m.set(reset, 1);
    m.tick(ports.clock);
    m.set(reset, 0);
    (m, ports)
}

/// Drives one request onto the DUT's buses (valid low when None).
fn drive(m: &mut Model, p: &Ports, req: &Option<Request>, slot: Source) {
    let valid = req.is_some() as u64;
    match (slot, req) {
        (Source::Digest, Some(Request::Conditioned(_))) => {} // streamed, see `run`
        (Source::Raw, Some(Request::Raw(b))) => m.set_wide(p.raw_block, &words(b)),
        (Source::Status, Some(Request::Status(b))) => m.set_wide(p.status_payload, &words(b)),
        (Source::Ack, Some(Request::Ack { cmd_type, cmd_seq, result })) => {
            m.set(p.ack_type, *cmd_type as u64);
            m.set(p.ack_seq, *cmd_seq as u64);
            m.set(p.ack_result, *result as u64);
        }
        (_, None) => {}
        (s, Some(r)) => panic!("test bug: {r:?} on the {s:?} bus"),
    }
    let v = match slot {
        Source::Digest => p.cond_valid,
        Source::Raw => p.raw_valid,
        Source::Status => p.status_valid,
        Source::Ack => p.ack_valid,
        Source::SfpDiag => unreachable!("SFP_DIAG has no valid"),
    };
    m.set(v, valid);
}

fn new_request(slot: Source, r: &mut ChaCha8Rng, cond_len: usize) -> Request {
    match slot {
        Source::Digest => Request::Conditioned((0..cond_len).map(|_| r.random()).collect()),
        Source::Raw => Request::Raw(random_bytes(r)),
        Source::Status => Request::Status(random_bytes(r)),
        Source::Ack => {
            Request::Ack { cmd_type: r.random(), cmd_seq: r.random(), result: r.random() }
        }
        Source::SfpDiag => unreachable!(),
    }
}

fn run(profile: &str, seed: u64, clocks: u32) {
    let (mut m, p) = open(profile);
    let cond_len = CoreParams::profile(profile).unwrap().conditioned_payload_len();
    // The digest buffer's head: payload bytes of the waiting CONDITIONED request popped so far.
    let mut cond_pos = 0;
    let mut model = Framer::new();
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let slots = [Source::Ack, Source::Status, Source::Digest, Source::Raw];
    let mut i = Inputs { sfp_payload: Some(random_bytes(&mut r)), ..Default::default() };
    m.set_wide(p.sfp_payload, &words(&i.sfp_payload.unwrap()));
    let mut rates = [0.01; 4];
    let mut p_ready = 0.5;
    let (mut stream, mut frames_sent) = (vec![], 0u64);
    let mut sent_types = vec![];
    for cycle in 0..clocks {
        if cycle % 10_000 == 0 {
            for rate in rates.iter_mut() {
                *rate = [0.0, 0.0005, 0.01, 0.5][r.random_range(0..4)];
            }
            p_ready = [0.05, 0.5, 1.0][r.random_range(0..3)];
        }
        // New requests appear on idle sources; a request stays put until its ready.
        for (k, slot) in slots.iter().enumerate() {
            let req = match slot {
                Source::Ack => &mut i.ack,
                Source::Status => &mut i.status,
                Source::Digest => &mut i.digest,
                _ => &mut i.raw,
            };
            if req.is_none() && r.random_bool(rates[k]) {
                *req = Some(new_request(*slot, &mut r, cond_len));
                drive(&mut m, &p, req, *slot);
            }
        }
        // The SFP bus has no handshake; the test only changes it when no SFP_DIAG is on the wire.
        if model.current() != Some(Source::SfpDiag) && r.random_bool(0.001) {
            i.sfp_payload = Some(random_bytes(&mut r));
            m.set_wide(p.sfp_payload, &words(&i.sfp_payload.unwrap()));
        }
        if r.random_bool(0.0002) {
            i.sfp_en = !i.sfp_en;
            m.set(p.sfp_en, i.sfp_en as u64);
        }
        if let Some(Request::Conditioned(b)) = &i.digest {
            m.set(p.cond_byte, b.get(cond_pos).copied().unwrap_or(0) as u64);
        }
        i.out_ready = r.random_bool(p_ready);
        m.set(p.out_ready, i.out_ready as u64);
        m.eval();
        let want = model.outputs(i.out_ready);
        let valid = m.get(p.out_valid) == 1;
        let got_byte = valid.then(|| m.get(p.out_byte) as u8);
        assert_eq!(got_byte, want.out_byte, "{profile}: out byte at clock {cycle}");
        let readies = [
            (Source::Ack, m.get(p.ack_ready)),
            (Source::Status, m.get(p.status_ready)),
            (Source::Digest, m.get(p.cond_sent)),
            (Source::Raw, m.get(p.raw_ready)),
        ];
        for (s, level) in readies {
            assert_eq!(
                level == 1,
                want.ready == Some(s),
                "{profile}: {s:?} ready at clock {cycle}"
            );
        }
        assert_eq!(
            m.get(p.frame_sent) == 1,
            want.frame_sent,
            "{profile}: frame_sent at clock {cycle}"
        );
        frames_sent += want.frame_sent as u64;
        if m.get(p.cond_pop) == 1 {
            assert!(
                i.digest.is_some(),
                "{profile}: cond_pop without a CONDITIONED frame, clock {cycle}"
            );
            cond_pos += 1;
        }
        if let (Some(b), true) = (got_byte, i.out_ready) {
            stream.push(b);
        }
        if let (None, Some(_)) = (model.current(), model.select(&i)) {
            sent_types.push(model.select(&i).unwrap().1.frame_type());
        }
        model.clock(&i);
        m.tick(p.clock);
        match want.ready {
            Some(Source::Ack) => i.ack = None,
            Some(Source::Status) => i.status = None,
            Some(Source::Digest) => {
                assert_eq!(cond_pos, cond_len, "{profile}: bytes popped for one CONDITIONED frame");
                cond_pos = 0;
                i.digest = None;
            }
            Some(Source::Raw) => i.raw = None,
            _ => {}
        }
        for slot in slots {
            if want.ready == Some(slot) {
                drive(&mut m, &p, &None, slot);
            }
        }
    }
    let mut d = Decoder::new();
    let frames = d.feed(&stream);
    let s = d.stats();
    assert_eq!(
        (s.bad_crc, s.lost, s.resync_bytes, s.unknown_type),
        (0, 0, 0, 0),
        "{profile}: {s:?}"
    );
    assert_eq!(frames.len() as u64, frames_sent, "{profile}: frames decoded vs frame_sent strobes");
    for (k, f) in frames.iter().enumerate() {
        assert_eq!(f.seq, k as u16, "{profile}: sequence number of frame {k}");
        assert_eq!(f.ftype, sent_types[k], "{profile}: type of frame {k}");
        // Payload contents were compared byte for byte with the model; here only the lengths the
        // protocol fixes (STATUS/SFP_DIAG field semantics do not apply to random test payloads).
        assert!(f.ftype.accepts_len(f.payload.len()), "{profile}: length of frame {k}");
    }
    for t in [
        FrameType::Conditioned,
        FrameType::Raw,
        FrameType::Status,
        FrameType::Ack,
        FrameType::SfpDiag,
    ] {
        let n = frames.iter().filter(|f| f.ftype == t).count();
        assert!(n > 20, "{profile}: only {n} {t:?} frames in the run");
    }
    // SFP_DIAG frames come only right after a STATUS frame.
    for w in frames.windows(2) {
        if w[1].ftype == FrameType::SfpDiag {
            assert_eq!(w[0].ftype, FrameType::Status, "{profile}: SFP_DIAG not after STATUS");
        }
    }
}

#[test]
fn random_sources_and_back_pressure_match_the_model() {
    run("ice40", 41, 1_000_000);
}
