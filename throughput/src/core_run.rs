//! The whole `speckle_core` of one profile end to end: a fair source (seeded ChaCha8) on RD, the
//! UART pin decoded by the `uart_rx` model and the host's frame decoder, every CONDITIONED digest
//! compared with the model chain (VN → fold → SHA3 of `n_in` bits) over the samples that entered
//! the holdback, every STATUS read. Runs `periods` STATUS periods, so the holdback and the digest
//! buffer reach their steady state and several STATUS frames report on it.
//!
//! The checks are kept as a list of named outcomes, so the report shows each, and a failure names
//! the profile and the check.

use crate::dut::Dut;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use speckle_model::params::CoreParams;
use speckle_model::protocol::{Decoder, FrameType, Payload};
use speckle_model::sampler::Sampler;
use speckle_model::sha3_conditioner::Sha3Conditioner;
use speckle_model::uart_rx::UartRx;
use speckle_model::vn_debias::VnDebias;
use speckle_model::xor_fold::XorFold;
use std::collections::VecDeque;

/// One named check of the run: Ok(what was seen) or Err(what went wrong).
pub type Check = (&'static str, Result<String, String>);

pub struct EndToEnd {
    pub clocks: u64,
    pub checks: Vec<Check>,
    /// CONDITIONED payload bits per clock from the first frame's last byte to the last frame's.
    pub bits_per_clock: f64,
    /// Raw samples per clock from the first STATUS snapshot to the last (their `samples` fields).
    pub status_samples_per_clock: f64,
    pub frames: u64,
    pub status_frames: u64,
}

/// Digests expected from the samples pushed so far, and the model chain making them.
struct Chain {
    vn: VnDebias,
    fold: XorFold,
    cond: Sha3Conditioner,
    want: VecDeque<[u8; 32]>,
}

impl Chain {
    fn push(&mut self, sample: bool) {
        let folded = self.vn.push(sample).and_then(|b| self.fold.push(b));
        if let Some(d) = folded.and_then(|b| self.cond.push(b)) {
            self.want.push_back(d);
        }
    }
}

/// What the run counts while it goes.
#[derive(Default)]
struct Tally {
    alarm_at: Option<u64>,
    /// Sample index at which the gate first let a sample in, and the first one it then refused.
    opened_at: Option<u64>,
    closed_at: Option<u64>,
    samples: u64,
    frames: Vec<u64>,
    digests: u64,
    digest_error: Option<String>,
    /// (clock received, STATUS `samples`) of each STATUS frame.
    status: Vec<(u64, u32)>,
    status_error: Option<String>,
}

pub fn run(profile: &str, p: &CoreParams, seed: u64, periods: u64) -> Result<EndToEnd, String> {
    let mut d = Dut::open(profile, "speckle_core")?;
    let [rd, uart_rx, uart_tx, alarm, gate] =
        d.ports(["rd", "uart_rx", "uart_tx", "alarm", "gate_open"])?;
    d.m.set(uart_rx, 1);
    // The harness's reset clock is the sampler model's reset edge too.
    let mut sampler = Sampler::new(p.oversample);
    sampler.clock(false, true);
    let mut chain = Chain {
        vn: VnDebias::new(!p.vn_enable),
        fold: XorFold::new(p.fold_k),
        cond: Sha3Conditioner::new(p.n_in),
        want: VecDeque::new(),
    };
    let mut rx = UartRx::new(p.baud_divisor());
    let mut dec = Decoder::new();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let period = 1u64 << p.status_period_log2;
    // A little past the last STATUS, so that frame is on the host side when the run stops.
    let clocks = periods * period + 2000 * p.baud_divisor() as u64;
    let mut t = Tally::default();
    let mut level = false;
    for clock in 1..=clocks {
        // The source holds each level for one sample period, as a fair coin sampled at the rate.
        if clock % p.oversample as u64 == 1 || p.oversample == 1 {
            level = rng.random_bool(0.5);
        }
        d.m.set(rd, level as u64);
        d.tick();
        let s = sampler.clock(level, false);
        if s.sample_valid {
            // The holdback takes the sample at the next edge if the gate is open now.
            let pushed = d.m.get(gate) == 1;
            match (pushed, t.opened_at, t.closed_at) {
                (true, None, _) => t.opened_at = Some(t.samples),
                (false, Some(_), None) => t.closed_at = Some(t.samples),
                _ => {}
            }
            if pushed && t.closed_at.is_none() {
                chain.push(s.sample);
            }
            t.samples += 1;
        }
        if t.alarm_at.is_none() && d.m.get(alarm) == 1 {
            t.alarm_at = Some(clock);
        }
        rx.clock(d.m.get(uart_tx) == 1);
        let o = rx.outputs();
        if o.valid {
            for f in dec.feed(&[o.data]) {
                frame(p, &f, clock, &mut chain.want, &mut t);
            }
        }
    }
    Ok(verdict(p, clocks, period, &dec, &chain, t))
}

/// Checks one decoded frame against the model and notes it.
fn frame(
    p: &CoreParams,
    f: &speckle_model::protocol::Frame,
    clock: u64,
    want: &mut VecDeque<[u8; 32]>,
    t: &mut Tally,
) {
    match (f.ftype, f.payload()) {
        (FrameType::Conditioned, Ok(Payload::Conditioned(ds))) => {
            if ds.len() != p.blocks_per_frame as usize && t.digest_error.is_none() {
                t.digest_error =
                    Some(format!("frame {} carries {} digests", t.frames.len(), ds.len()));
            }
            for got in ds {
                if want.pop_front() != Some(got) && t.digest_error.is_none() {
                    t.digest_error = Some(format!("digest {} differs from the model's", t.digests));
                }
                t.digests += 1;
            }
            t.frames.push(clock);
        }
        (FrameType::Status, Ok(Payload::Status(s))) => {
            if (s.alarms.0 != 0 || s.dropped != 0) && t.status_error.is_none() {
                t.status_error = Some(format!(
                    "STATUS {} reports alarms {:#x}, dropped {}",
                    t.status.len(),
                    s.alarms.0,
                    s.dropped
                ));
            }
            t.status.push((clock, s.samples));
        }
        (ty, payload) => {
            if t.status_error.is_none() {
                t.status_error = Some(format!("unexpected {} frame: {payload:?}", ty.name()));
            }
        }
    }
}

fn verdict(
    p: &CoreParams,
    clocks: u64,
    period: u64,
    dec: &Decoder,
    chain: &Chain,
    t: Tally,
) -> EndToEnd {
    let s = dec.stats();
    let ok = |cond: bool, seen: String, wrong: String| if cond { Ok(seen) } else { Err(wrong) };
    let frames = t.frames.len() as u64;
    let statuses = t.status.len() as u64;
    let bits_per_clock = match (t.frames.first(), t.frames.last()) {
        (Some(a), Some(b)) if b > a => {
            (frames - 1) as f64 * p.conditioned_payload_len() as f64 * 8.0 / (b - a) as f64
        }
        _ => 0.0,
    };
    // The core takes its STATUS snapshot every `period` clocks exactly (the frame then waits for
    // the link), so the count between the first and the last spans whole periods.
    let status_samples_per_clock = match (t.status.first(), t.status.last()) {
        (Some(a), Some(b)) if statuses >= 2 => {
            b.1.wrapping_sub(a.1) as f64 / ((statuses - 1) * period) as f64
        }
        _ => 0.0,
    };
    // What may still be on its way when the run stops: the holdback's samples (2W + margin), the
    // block in the conditioner, the digest buffer's two frames and the frame on the wire.
    let in_flight_bits = p.holdback() as u64 / p.fold_k as u64;
    let backlog_max = in_flight_bits.div_ceil(p.n_in as u64) + 1 + 3 * p.blocks_per_frame as u64;
    let backlog = chain.want.len() as u64;
    let checks = vec![
        (
            "no alarm",
            ok(t.alarm_at.is_none(), "alarm pin low throughout".into(), format!(
                "alarm pin high at clock {}",
                t.alarm_at.unwrap_or(0)
            )),
        ),
        (
            "gate opened once, never closed",
            match (t.opened_at, t.closed_at) {
                (Some(o), None) => Ok(format!("opened at sample {o}")),
                (None, _) => Err("the gate never opened".into()),
                (Some(o), Some(c)) => Err(format!("opened at sample {o}, closed at sample {c}")),
            },
        ),
        (
            "decoder: no bad CRC, loss or resync",
            ok(
                (s.bad_crc, s.lost, s.resync_bytes, s.unknown_type) == (0, 0, 0, 0),
                format!("{} frames decoded", s.frames_ok),
                format!("{s:?}"),
            ),
        ),
        (
            "digests bit-exact against the model chain",
            match &t.digest_error {
                None if frames >= 2 && backlog <= backlog_max => Ok(format!(
                    "{} digests in {frames} CONDITIONED frames; {backlog} still in flight at the end",
                    t.digests
                )),
                None => Err(format!(
                    "{frames} CONDITIONED frames, {backlog} model digests not received (at most {backlog_max} may be in flight)"
                )),
                Some(e) => Err(e.clone()),
            },
        ),
        (
            "STATUS every period, dropped = 0, no alarm",
            match &t.status_error {
                None if statuses == clocks / period => Ok(format!("{statuses} STATUS frames")),
                None => Err(format!("{statuses} STATUS frames in {clocks} clocks, period {period}")),
                Some(e) => Err(e.clone()),
            },
        ),
    ];
    EndToEnd {
        clocks,
        checks,
        bits_per_clock,
        status_samples_per_clock,
        frames,
        status_frames: statuses,
    }
}
