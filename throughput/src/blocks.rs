//! The four throughput terms of one profile, each measured on its own Verilated block(s) driven at
//! that block's maximum input rate, in events per clock. A board's clock turns them into rates
//! (report.rs); the generated Verilog is per profile, so every board of a profile shares these.
//!
//! Each run also checks what the block produced against the model (bits, digests, frames), so a
//! rate is never measured on a block that computes the wrong thing.

use crate::dut::{settle, Dut, Stream};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use speckle_model::params::CoreParams;
use speckle_model::protocol::{Decoder, FrameType};
use speckle_model::sha3_conditioner::Sha3Conditioner;
use speckle_model::uart_rx::UartRx;
use speckle_model::vn_debias::VnDebias;
use speckle_model::xor_fold::XorFold;

/// Per-clock figures of one profile's blocks.
#[derive(Clone, Debug)]
pub struct Terms {
    /// `sample_valid` strobes of `speckle_sampler` per clock.
    pub samples_per_clock: f64,
    /// Bits out of `vn_debias` → `xor_fold` per bit in, on a fair source.
    pub debias_fold_yield: f64,
    /// Bits out of `vn_debias` → `xor_fold` per clock with one bit offered every clock.
    pub debias_fold_bits_per_clock: f64,
    /// Digests of `speckle_sha3_conditioner` per clock, input and output never stalled.
    pub digests_per_clock: f64,
    /// CONDITIONED payload bits per clock on `uart_tx` behind `speckle_framer`, frames back to back.
    pub link_bits_per_clock: f64,
    /// Clocks per UART byte on the pin (start, 8 data, stop and any idle between bytes).
    pub link_clocks_per_byte: f64,
}

/// Clocks each block runs; long enough for dozens of blocks or frames in both profiles.
const SAMPLER_CLOCKS: u64 = 100_000;
const DEBIAS_FOLD_CLOCKS: u64 = 200_000;
const DIGESTS: usize = 40;
const FRAMES: usize = 12;

pub fn measure(profile: &str, p: &CoreParams, seed: u64) -> Result<Terms, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let samples_per_clock = sampler(profile, &mut rng)?;
    let (debias_fold_yield, debias_fold_bits_per_clock) = debias_fold(profile, p, &mut rng)?;
    let digests_per_clock = conditioner(profile, p, &mut rng)?;
    let (link_bits_per_clock, link_clocks_per_byte) = link(profile, p, &mut rng)?;
    Ok(Terms {
        samples_per_clock,
        debias_fold_yield,
        debias_fold_bits_per_clock,
        digests_per_clock,
        link_bits_per_clock,
        link_clocks_per_byte,
    })
}

/// `speckle_sampler` with a fair random level on RD every clock: strobes per clock.
fn sampler(profile: &str, rng: &mut ChaCha8Rng) -> Result<f64, String> {
    let mut d = Dut::open(profile, "speckle_sampler")?;
    let [rd, valid] = d.ports(["rd", "sample_valid"])?;
    let mut n = 0u64;
    for _ in 0..SAMPLER_CLOCKS {
        d.m.set(rd, rng.random_bool(0.5) as u64);
        d.tick();
        n += d.m.get(valid);
    }
    if n == 0 {
        return Err(format!(
            "{profile}: speckle_sampler gave no sample in {SAMPLER_CLOCKS} clocks"
        ));
    }
    Ok(n as f64 / SAMPLER_CLOCKS as f64)
}

/// `speckle_vn_debias` feeding `speckle_xor_fold`, a fair bit offered every clock and the fold's
/// output always taken: (output bits per input bit, output bits per clock). The output stream must
/// be the model chain's.
fn debias_fold(profile: &str, p: &CoreParams, rng: &mut ChaCha8Rng) -> Result<(f64, f64), String> {
    let mut vn = Dut::open(profile, "speckle_vn_debias")?;
    let mut fold = Dut::open(profile, "speckle_xor_fold")?;
    let [vn_in_bit, vn_in_valid, vn_in_ready, vn_out_bit, vn_out_valid, vn_out_ready] =
        vn.ports(["in_bit", "in_valid", "in_ready", "out_bit", "out_valid", "out_ready"])?;
    let [f_in_bit, f_in_valid, f_in_ready, f_out_bit, f_out_valid, f_out_ready] =
        fold.ports(["in_bit", "in_valid", "in_ready", "out_bit", "out_valid", "out_ready"])?;
    let chain = Stream {
        up: [vn_out_valid, vn_out_bit, vn_out_ready],
        down: [f_in_valid, f_in_bit, f_in_ready],
    };
    let (mut ins, mut outs) = (Vec::new(), Vec::new());
    vn.m.set(vn_in_valid, 1);
    fold.m.set(f_out_ready, 1);
    for _ in 0..DEBIAS_FOLD_CLOCKS {
        let bit = rng.random_bool(0.5);
        vn.m.set(vn_in_bit, bit as u64);
        settle(&mut vn, &mut fold, &chain);
        if vn.m.get(vn_in_ready) == 1 {
            ins.push(bit);
        }
        if fold.m.get(f_out_valid) == 1 {
            outs.push(fold.m.get(f_out_bit) == 1);
        }
        vn.tick();
        fold.tick();
    }
    let want = XorFold::run(p.fold_k, VnDebias::run(!p.vn_enable, ins.iter().copied()));
    // Up to two bits may still sit in the two blocks' output registers when the run stops.
    if outs.is_empty() || want.len() < outs.len() || want.len() - outs.len() > 2 {
        return Err(format!(
            "{profile}: vn_debias → xor_fold gave {} bits for {} in, the model {}",
            outs.len(),
            ins.len(),
            want.len()
        ));
    }
    if outs[..] != want[..outs.len()] {
        return Err(format!("{profile}: vn_debias → xor_fold output differs from the model"));
    }
    Ok((outs.len() as f64 / ins.len() as f64, outs.len() as f64 / DEBIAS_FOLD_CLOCKS as f64))
}

/// `speckle_sha3_conditioner` with `in_valid` and `digest_ready` always high: digests per clock
/// from the first digest to the last, each digest checked against the model.
fn conditioner(profile: &str, p: &CoreParams, rng: &mut ChaCha8Rng) -> Result<f64, String> {
    let mut d = Dut::open(profile, "speckle_sha3_conditioner")?;
    let [in_bit, in_valid, in_ready, abort, digest, digest_valid, digest_ready] = d.ports([
        "in_bit",
        "in_valid",
        "in_ready",
        "abort",
        "digest",
        "digest_valid",
        "digest_ready",
    ])?;
    let mut model = Sha3Conditioner::new(p.n_in);
    let mut want = std::collections::VecDeque::new();
    let mut at = Vec::new();
    d.m.set(in_valid, 1);
    d.m.set(abort, 0);
    d.m.set(digest_ready, 1);
    let limit = 20_000 * DIGESTS as u64;
    for clock in 0..limit {
        let bit = rng.random_bool(0.5);
        d.m.set(in_bit, bit as u64);
        d.m.eval();
        if d.m.get(in_ready) == 1 {
            want.extend(model.push(bit));
        }
        if d.m.get(digest_valid) == 1 {
            let mut got = [0u8; 32];
            for (i, w) in d.m.get_wide(digest).iter().enumerate() {
                got[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
            }
            if want.pop_front() != Some(got) {
                return Err(format!(
                    "{profile}: sha3_conditioner digest {} differs from the model",
                    at.len()
                ));
            }
            at.push(clock);
            if at.len() == DIGESTS {
                break;
            }
        }
        d.tick();
    }
    per_clock(&at, 1.0).ok_or_else(|| {
        format!("{profile}: sha3_conditioner gave {} digests in {limit} clocks", at.len())
    })
}

/// `speckle_framer` with a CONDITIONED frame always waiting (as a never-empty `digest_buffer`
/// presents it: one payload byte on `cond_byte`, the next after each `cond_pop`, a new frame after
/// `cond_sent`) and the other sources idle, into `speckle_uart_tx`; the pin is decoded with the
/// `uart_rx` model and the host decoder. Returns (payload bits per clock, clocks per byte).
fn link(profile: &str, p: &CoreParams, rng: &mut ChaCha8Rng) -> Result<(f64, f64), String> {
    let mut fr = Dut::open(profile, "speckle_framer")?;
    let mut tx = Dut::open(profile, "speckle_uart_tx")?;
    let [cond_byte, cond_valid, cond_pop, cond_sent, out_byte, out_valid, out_ready] =
        fr.ports([
            "cond_byte",
            "cond_valid",
            "cond_pop",
            "cond_sent",
            "out_byte",
            "out_valid",
            "out_ready",
        ])?;
    let idle = fr.ports(["raw_valid", "status_valid", "ack_valid", "sfp_en"])?;
    let [data, valid, ready, pin] = tx.ports(["data", "valid", "ready", "tx"])?;
    for port in idle {
        fr.m.set(port, 0);
    }
    let len = p.conditioned_payload_len();
    let mut payload: Vec<u8> = (0..len).map(|_| rng.random()).collect();
    let mut sent = std::collections::VecDeque::from([payload.clone()]);
    let mut pos = 0;
    let mut rx = UartRx::new(p.baud_divisor());
    let mut dec = Decoder::new();
    let (mut at, mut bytes_at) = (Vec::new(), Vec::new());
    let wire = Stream { up: [out_valid, out_byte, out_ready], down: [valid, data, ready] };
    fr.m.set(cond_valid, 1);
    // Four times the wire time of FRAMES frames.
    let limit = 4 * (len as u64 + 10) * 10 * p.baud_divisor() as u64 * FRAMES as u64;
    for clock in 0..limit {
        fr.m.set(cond_byte, payload.get(pos).copied().unwrap_or(0) as u64);
        settle(&mut fr, &mut tx, &wire);
        pos += fr.m.get(cond_pop) as usize;
        if fr.m.get(cond_sent) == 1 {
            if pos != len {
                return Err(format!("{profile}: framer popped {pos} of {len} payload bytes"));
            }
            payload = (0..len).map(|_| rng.random()).collect();
            sent.push_back(payload.clone());
            pos = 0;
        }
        fr.tick();
        tx.tick();
        rx.clock(tx.m.get(pin) == 1);
        let o = rx.outputs();
        if !o.valid {
            continue;
        }
        bytes_at.push(clock);
        for f in dec.feed(&[o.data]) {
            if f.ftype != FrameType::Conditioned || Some(&f.payload) != sent.front() {
                return Err(format!(
                    "{profile}: frame {} on uart_tx is not the CONDITIONED frame fed in",
                    at.len()
                ));
            }
            sent.pop_front();
            at.push(clock);
        }
        if at.len() == FRAMES {
            break;
        }
    }
    let s = dec.stats();
    if (s.bad_crc, s.lost, s.resync_bytes, s.unknown_type) != (0, 0, 0, 0) {
        return Err(format!("{profile}: framer → uart_tx decode: {s:?}"));
    }
    let bits = per_clock(&at, (len * 8) as f64).ok_or_else(|| {
        format!("{profile}: only {} frames on uart_tx in {limit} clocks", at.len())
    })?;
    let byte_rate = per_clock(&bytes_at, 1.0).expect("frames were decoded, so bytes were");
    Ok((bits, 1.0 / byte_rate))
}

/// Events per clock between the first and the last of `at` (clock numbers), `weight` each;
/// None with fewer than two events.
fn per_clock(at: &[u64], weight: f64) -> Option<f64> {
    match (at.first(), at.last()) {
        (Some(a), Some(b)) if b > a => Some((at.len() - 1) as f64 * weight / (b - a) as f64),
        _ => None,
    }
}
