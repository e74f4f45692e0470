//! `speckle_digest_buffer` under Verilator against `speckle_model::digest_buffer`, per profile:
//! - a random producer (digests held until `digest_ready`, as the conditioner does) and a reader that
//!   starts a frame only on `frame_valid` and then pops its 32·K bytes at random times, as the
//!   framer does: every popped byte equals the model's frame, in order, for 300 000 clocks;
//! - `digest_ready` strobes 32 clocks after a digest can start (one byte per clock);
//! - with no reader the buffer takes exactly CAPACITY_BYTES / 32 digests and then refuses, and
//!   `frame_valid` rises exactly when the K-th digest is complete.

mod datapath;

use datapath::{rng, Dut, PROFILES};
use rand::RngExt;
use speckle_model::digest_buffer::{DigestBuffer, CAPACITY_BYTES};
use speckle_model::params::CoreParams;
use speckle_model::protocol::DIGEST_LEN;

struct Ports {
    digest: rtl_sim::PortId,
    digest_valid: rtl_sim::PortId,
    digest_ready: rtl_sim::PortId,
    out_byte: rtl_sim::PortId,
    frame_valid: rtl_sim::PortId,
    pop: rtl_sim::PortId,
}

fn open(profile: &str) -> (Dut, Ports) {
    let dut = Dut::open(profile, "speckle_digest_buffer");
    let p = Ports {
        digest: dut.port("digest"),
        digest_valid: dut.port("digest_valid"),
        digest_ready: dut.port("digest_ready"),
        out_byte: dut.port("out_byte"),
        frame_valid: dut.port("frame_valid"),
        pop: dut.port("pop"),
    };
    (dut, p)
}

fn words(d: &[u8; DIGEST_LEN]) -> Vec<u32> {
    d.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect()
}

#[test]
fn random_producer_and_framer_reader_match_the_model() {
    for (seed, profile) in PROFILES.iter().enumerate() {
        let k = CoreParams::profile(profile).unwrap().blocks_per_frame;
        let frame_len = k as usize * DIGEST_LEN;
        let (mut dut, p) = open(profile);
        let mut model = DigestBuffer::new(k);
        let mut r = rng(90 + seed as u64);
        let mut pending: Option<[u8; DIGEST_LEN]> = None;
        // The frame being read: the model's payload and how many bytes were popped.
        let mut frame: Option<(Vec<u8>, usize)> = None;
        let (mut p_new, mut p_pop) = (0.05, 0.1);
        let (mut frames, mut refusals) = (0u64, 0u64);
        for t in 0..300_000u64 {
            if t % 20_000 == 0 {
                p_new = [0.001, 0.05, 1.0][r.random_range(0..3)];
                p_pop = [0.0, 0.02, 0.5, 1.0][r.random_range(0..4)];
            }
            if pending.is_none() && r.random_bool(p_new) {
                let d: [u8; DIGEST_LEN] = std::array::from_fn(|_| r.random());
                dut.m.set_wide(p.digest, &words(&d));
                pending = Some(d);
            }
            dut.m.set(p.digest_valid, pending.is_some() as u64);
            if frame.is_none() && dut.bit(p.frame_valid) {
                let payload = model.take_frame();
                assert!(payload.is_some(), "{profile}: frame_valid without K digests, clock {t}");
                frame = payload.map(|f| (f, 0));
            }
            let pop = match &frame {
                Some((f, n)) if *n < f.len() => r.random_bool(p_pop),
                _ => false,
            };
            dut.m.set(p.pop, pop as u64);
            dut.m.eval();
            if pop {
                let (f, n) = frame.as_mut().unwrap();
                assert_eq!(dut.m.get(p.out_byte) as u8, f[*n], "{profile}: byte {n} at clock {t}");
                *n += 1;
            }
            // Bytes the DUT holds: the model's (frames not yet started) and the unpopped rest of
            // the frame being read.
            let held =
                model.digests() * DIGEST_LEN + frame.as_ref().map_or(0, |(f, n)| f.len() - *n);
            let ready = dut.bit(p.digest_ready);
            dut.tick();
            if ready {
                let d = pending.take().expect("digest_ready without a digest");
                assert!(held + DIGEST_LEN <= CAPACITY_BYTES, "{profile}: overfilled at {t}");
                assert!(model.push(&d), "{profile}: DUT took a digest the model has no room for");
            } else if pending.is_some() && held + DIGEST_LEN > CAPACITY_BYTES {
                refusals += 1;
            }
            if matches!(&frame, Some((f, n)) if *n == f.len()) {
                frame = None;
                frames += 1;
            }
        }
        assert_eq!(frame_len, 32 * k as usize);
        assert!(frames > 100 && refusals > 1000, "{profile}: {frames} frames, {refusals} refusals");
    }
}

#[test]
fn fills_to_capacity_then_refuses_and_offers_a_frame_at_k() {
    for profile in PROFILES {
        let k = CoreParams::profile(profile).unwrap().blocks_per_frame as usize;
        let (mut dut, p) = open(profile);
        dut.m.set(p.pop, 0);
        dut.m.set_wide(p.digest, &words(&[0x5A; DIGEST_LEN]));
        dut.m.set(p.digest_valid, 1);
        let mut taken = 0;
        let mut since = 0;
        for t in 0..2000u64 {
            dut.m.eval();
            assert_eq!(dut.bit(p.frame_valid), taken >= k, "{profile}: frame_valid at clock {t}");
            let ready = dut.bit(p.digest_ready);
            dut.tick();
            since += 1;
            if ready {
                // Start decision, then 32 byte writes: the strobe comes with the 32nd byte.
                assert_eq!(since, DIGEST_LEN + 1, "{profile}: digest {taken} took {since} clocks");
                taken += 1;
                since = 0;
            }
        }
        assert_eq!(taken, CAPACITY_BYTES / DIGEST_LEN, "{profile}: digests a full buffer took");
    }
}
