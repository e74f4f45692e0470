//! The monitor's state: one [`Channel`] per source, the event log, the audit window and the raw tap,
//! updated from [`Update`]s and read by the views. Health is judged here from the STATUS frames
//! (latched alarms, gate, failure counters) and, for simulated sources, by the monitor's own RCT and
//! APT over the raw tap.

use crate::audit::Audit;
use crate::encode::{EmojiTable, Format};
pub use crate::rawcheck::RawCheck;
use crate::row::TelemetryRow;
use crate::source::Update;
use crate::view::View;
use speckle_model::params::{CoreParams, Cutoffs};
use speckle_model::protocol::{Alarms, DecoderStats, SfpDiag, SfpFlags, StateBits, Status};
use speckle_model::telemetry_row::RAW_ESTIMATE_WINDOW;
use std::collections::VecDeque;

/// Points kept per sparkline / chart.
pub const HISTORY: usize = 240;
/// Events kept in the log.
pub const MAX_EVENTS: usize = 500;
/// Raw-tap bytes kept for the Raw view (enough for a full 200×60 screen of binary).
pub const RAW_KEEP: usize = 4096;

fn push_capped<T>(q: &mut VecDeque<T>, v: T, cap: usize) {
    q.push_back(v);
    while q.len() > cap {
        q.pop_front();
    }
}

/// Everything known about one source.
#[derive(Clone, Debug, Default)]
pub struct Channel {
    pub name: String,
    /// RX optical power per SFP_DIAG frame (mW).
    pub intensity: VecDeque<f64>,
    /// Fraction of ones per raw-tap chunk.
    pub bias: VecDeque<f64>,
    pub status: Option<Status>,
    prev_status: Option<(f64, Status)>,
    pub sfp: Option<SfpDiag>,
    pub row: Option<TelemetryRow>,
    /// Cutoffs and window from the latest daemon row that had a STATUS.
    pub row_cutoffs: Option<(Cutoffs, u32)>,
    pub decoder: DecoderStats,
    pub t_s: f64,
    pub bytes_in: u64,
    pub conditioned_bytes: u64,
    /// (raw samples/s, conditioned bytes/s) per STATUS interval.
    pub rates: VecDeque<(f64, f64)>,
    pub raw_check: RawCheck,
    /// Live min-entropy of the raw tap beside the claim, bits per sample: computed here from the
    /// raw-tap board (simulated sources) or the daemon's `raw_min_entropy` column.
    pub min_entropy: Option<MinEntropy>,
}

/// A live min-entropy estimate and the claim it is held against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinEntropy {
    /// The least of the MCV, Markov and collision estimates over the window.
    pub estimate: f64,
    pub claim: f64,
    /// Per estimator, when computed here (a daemon row carries the least only).
    pub parts: Option<(f64, f64, f64)>,
}

impl MinEntropy {
    pub fn below(&self) -> bool {
        self.estimate < self.claim
    }
}

impl Channel {
    /// Cutoffs from the board's STATUS, else from the latest daemon row that carried them, else
    /// (before either) from the ice40 profile.
    pub fn cutoffs(&self) -> (Cutoffs, u32) {
        if let (None, Some(c)) = (&self.status, self.row_cutoffs) {
            return c;
        }
        match &self.status {
            Some(s) => (
                Cutoffs {
                    rct: s.rct_cutoff as u32,
                    apt: s.apt_cutoff as u32,
                    markov_lo: s.markov_lo as u32,
                    markov_hi: s.markov_hi as u32,
                },
                s.window as u32,
            ),
            None => {
                let p = CoreParams::ice40();
                (p.cutoffs(), p.window)
            }
        }
    }

    /// The fraction of ones beyond which the APT fails: a window fails when the first sample's
    /// value fills ≥ cutoff of its W samples. (low, high).
    pub fn bias_limits(&self) -> (f64, f64) {
        let (c, w) = self.cutoffs();
        let hi = c.apt as f64 / w as f64;
        (1.0 - hi, hi)
    }

    /// Alarms latched (board STATUS or, from a socket, the row's copy of them).
    pub fn alarms(&self) -> Alarms {
        self.status
            .map(|s| s.alarms)
            .or(self.row.as_ref().map(|r| Alarms(r.board_alarms)))
            .unwrap_or_default()
    }

    pub fn state(&self) -> StateBits {
        self.status
            .map(|s| s.state)
            .or(self.row.as_ref().map(|r| StateBits(r.board_state)))
            .unwrap_or_default()
    }

    /// The monitor's verdict and why.
    pub fn verdict(&self) -> (bool, String) {
        if let Some(r) = &self.row {
            return (
                r.healthy,
                if r.healthy { "healthy (daemon)".into() } else { format!("daemon: {}", r.reason) },
            );
        }
        let Some(s) = &self.status else {
            return (false, "waiting for STATUS".into());
        };
        if s.alarms.any() {
            return (false, format!("alarm latched: {}", s.alarms.names().join(" + ")));
        }
        if self.raw_check.rct_failures + self.raw_check.apt_failures > 0 {
            return (false, "monitor's raw-tap check failed".into());
        }
        if !s.state.has(StateBits::STARTUP_DONE) {
            return (false, "startup test running".into());
        }
        if !s.state.has(StateBits::GATE_OPEN) {
            return (false, "output gate closed".into());
        }
        (true, "healthy".into())
    }
}

pub struct App {
    pub view: View,
    pub channels: Vec<Channel>,
    /// (time label, source, text), newest last.
    pub events: VecDeque<(String, String, String)>,
    pub audit: Audit,
    /// The full speckle-audit battery over the same conditioned bytes, sequence by sequence.
    pub battery: crate::battery::Battery,
    pub raw: VecDeque<u8>,
    pub raw_format: Format,
    pub raw_vertical: bool,
    pub emoji: EmojiTable,
    pub no_color: bool,
    /// Shown in the title: e.g. "demo: scenario stuck", "socket /run/speckle/status.sock".
    pub banner: String,
    pub paused: bool,
    /// The daemon's latest completed audit of its output (`speckle run --audit`: rows with
    /// `source` = `audit` on the status socket).
    pub daemon_audit: Option<TelemetryRow>,
    /// Per source, the sliding window behind `Channel::min_entropy` (raw-tap samples).
    live: std::collections::BTreeMap<String, speckle_assess::live::LiveEstimate>,
}

impl App {
    pub fn new(emoji: EmojiTable, no_color: bool, banner: String) -> Self {
        App {
            view: View::Channels,
            channels: Vec::new(),
            events: VecDeque::new(),
            audit: Audit::default(),
            battery: Default::default(),
            raw: VecDeque::new(),
            raw_format: Format::Hex,
            raw_vertical: true,
            emoji,
            no_color,
            banner,
            paused: false,
            live: Default::default(),
            daemon_audit: None,
        }
    }

    fn channel(&mut self, name: &str) -> &mut Channel {
        if let Some(i) = self.channels.iter().position(|c| c.name == name) {
            return &mut self.channels[i];
        }
        self.channels.push(Channel { name: name.to_string(), ..Default::default() });
        self.channels.last_mut().unwrap()
    }

    pub fn event(&mut self, when: String, source: &str, text: String) {
        push_capped(&mut self.events, (when, source.to_string(), text), MAX_EVENTS);
    }

    pub fn apply(&mut self, u: Update) {
        match u {
            Update::Status { source, t_s, status } => self.on_status(&source, t_s, status),
            Update::Sfp { source, diag } => {
                let ch = self.channel(&source);
                let before = ch.sfp.map(|d| d.flags.has(SfpFlags::INTERLOCK)).unwrap_or(false);
                push_capped(&mut ch.intensity, diag.rx_power_mw(), HISTORY);
                ch.sfp = Some(diag);
                let t = format!("{:8.3}s", ch.t_s);
                if !before && diag.flags.has(SfpFlags::INTERLOCK) {
                    let limit = diag.thresholds().rx_power_mw.high_alarm;
                    self.event(t, &source, format!("SFP interlock tripped: laser disabled (RX power high alarm {limit:.3} mW)"));
                }
            }
            Update::Conditioned { source, bytes } => {
                self.channel(&source).conditioned_bytes += bytes.len() as u64;
                self.audit.push(&bytes);
                self.battery.push(&bytes);
            }
            Update::RawTap { source, bytes } => {
                let ch = self.channel(&source);
                let ones: u32 = bytes.iter().map(|b| b.count_ones()).sum();
                push_capped(&mut ch.bias, ones as f64 / (bytes.len() * 8) as f64, HISTORY);
                let (c, w) = ch.cutoffs();
                let before = ch.raw_check.rct_failures + ch.raw_check.apt_failures;
                ch.raw_check.push(&bytes, &c, w);
                let after = ch.raw_check.rct_failures + ch.raw_check.apt_failures;
                let t = format!("{:8.3}s", ch.t_s);
                if before == 0 && after > 0 {
                    self.event(t, &source, format!("raw tap: monitor's own health check failed (RCT cutoff {}, APT cutoff {})", c.rct, c.apt));
                }
                let live = self.live.entry(source.clone()).or_insert_with(|| {
                    speckle_assess::live::LiveEstimate::new(RAW_ESTIMATE_WINDOW)
                });
                for i in 0..bytes.len() * 8 {
                    live.push(bytes[i / 8] >> (i % 8) & 1); // RAW frames are LSB-first
                }
                self.raw.extend(bytes);
                while self.raw.len() > RAW_KEEP {
                    self.raw.pop_front();
                }
            }
            Update::Link { source, t_s, bytes_in, stats } => {
                let ch = self.channel(&source);
                let old = ch.decoder;
                ch.t_s = t_s;
                ch.bytes_in = bytes_in;
                ch.decoder = stats;
                if stats.bad_crc > old.bad_crc || stats.lost > old.lost {
                    let text = format!(
                        "link: {} bad CRC, {} frames lost so far",
                        stats.bad_crc, stats.lost
                    );
                    self.event(format!("{t_s:8.3}s"), &source, text);
                }
            }
            Update::Row(r) => self.on_row(*r),
            Update::Restarted { old, new } => {
                // The old board's state is gone with it; the log keeps its history.
                let t = self
                    .channels
                    .iter()
                    .find(|c| c.name == old)
                    .map(|c| format!("{:8.3}s", c.t_s))
                    .unwrap_or_default();
                self.channels.retain(|c| c.name != old);
                self.event(
                    t,
                    &new,
                    format!(
                        "board restarted with scenario {} (was {old})",
                        new.trim_start_matches("sim:")
                    ),
                );
            }
            Update::Event { source, text } => {
                let t = self
                    .channels
                    .iter()
                    .find(|c| c.name == source)
                    .map(|c| format!("{:8.3}s", c.t_s))
                    .unwrap_or_default();
                self.event(t, &source, text)
            }
        }
    }

    fn on_status(&mut self, source: &str, t_s: f64, s: Status) {
        let ch = self.channel(source);
        let old = ch.status;
        if let Some((t0, p)) = ch.prev_status {
            let dt = t_s - t0;
            if dt > 0.0 {
                let samples = s.samples.wrapping_sub(p.samples) as f64 / dt;
                let blocks = s.blocks.wrapping_sub(p.blocks) as f64 * 32.0 / dt;
                push_capped(&mut ch.rates, (samples, blocks), HISTORY);
            }
        }
        ch.prev_status = Some((t_s, s));
        ch.status = Some(s);
        ch.t_s = t_s;
        let t = format!("{t_s:8.3}s");
        // Estimated once per STATUS, not per raw chunk: the collision estimate walks the window.
        if let Some(f) = self.live.get_mut(source).and_then(|l| l.estimate()) {
            let m = MinEntropy {
                estimate: f.min,
                claim: f64::from(s.h_milli) / 1000.0,
                parts: Some((f.mcv, f.markov, f.collision)),
            };
            self.set_min_entropy(source, m, t.clone());
        }
        let old_alarms = old.map(|o| o.alarms.0).unwrap_or(0);
        let new_bits = Alarms(s.alarms.0 & !old_alarms);
        if new_bits.any() {
            let mut detail = Vec::new();
            if new_bits.has(Alarms::RCT) {
                detail.push(format!("RCT run {} ≥ cutoff {}", s.rct_max_run, s.rct_cutoff));
            }
            if new_bits.has(Alarms::APT) {
                detail.push(format!("APT count ≥ cutoff {}", s.apt_cutoff));
            }
            if new_bits.has(Alarms::MARKOV) {
                detail.push(format!("Markov outside {}..{}", s.markov_lo, s.markov_hi));
            }
            let text =
                format!("ALARM latched: {} ({})", new_bits.names().join(" + "), detail.join("; "));
            self.event(t.clone(), source, text);
        }
        let was = old.map(|o| o.state).unwrap_or_default();
        for (bit, on, off) in [
            (StateBits::STARTUP_DONE, "startup test passed", "startup test restarted"),
            (StateBits::GATE_OPEN, "output gate open", "output gate closed"),
        ] {
            if s.state.has(bit) != was.has(bit) && (old.is_some() || s.state.has(bit)) {
                self.event(
                    t.clone(),
                    source,
                    (if s.state.has(bit) { on } else { off }).to_string(),
                );
            }
        }
    }

    /// Records a source's estimate; crossing the claim either way is an event.
    fn set_min_entropy(&mut self, source: &str, m: MinEntropy, t: String) {
        let ch = self.channel(source);
        let was_below = ch.min_entropy.is_some_and(|o| o.below());
        ch.min_entropy = Some(m);
        if m.below() != was_below {
            let text = if m.below() {
                format!(
                    "raw min-entropy {:.3} bits/sample is BELOW the claim of {:.3}",
                    m.estimate, m.claim
                )
            } else {
                format!(
                    "raw min-entropy {:.3} bits/sample is back at or above the claim of {:.3}",
                    m.estimate, m.claim
                )
            };
            self.event(t, source, text);
        }
    }

    fn on_row(&mut self, r: TelemetryRow) {
        // An audit row describes the daemon's output, not a source: no channel for it.
        if r.mode == "audit" {
            let t = format!("{:8.3}s", r.time_ms as f64 / 1000.0);
            let text = if r.healthy {
                "daemon's audit of its output: pass".to_string()
            } else {
                format!("daemon's audit of its output: FAIL ({})", r.reason)
            };
            self.event(t, "audit", text);
            self.daemon_audit = Some(r);
            return;
        }
        if let (Some(estimate), Some(claim)) = (r.raw_min_entropy, r.raw_entropy_claim) {
            let t = format!("{:8.3}s", r.time_ms as f64 / 1000.0);
            self.set_min_entropy(&r.source, MinEntropy { estimate, claim, parts: None }, t);
        }
        let name = r.source.clone();
        let ch = self.channel(&name);
        let old = ch.row.take();
        if let Some(p) = r.sfp_rx_power_mw {
            push_capped(&mut ch.intensity, p, HISTORY);
        }
        push_capped(&mut ch.rates, (r.in_bytes_per_s, r.out_bytes_per_s), HISTORY);
        ch.t_s = r.time_ms as f64 / 1000.0;
        if let (Some(rct), Some(apt), Some(lo), Some(hi), Some(w)) =
            (r.rct_cutoff, r.apt_cutoff, r.markov_lo_cutoff, r.markov_hi_cutoff, r.window)
        {
            let c = Cutoffs {
                rct: rct as u32,
                apt: apt as u32,
                markov_lo: lo as u32,
                markov_hi: hi as u32,
            };
            ch.row_cutoffs = Some((c, w as u32));
        }
        if let Some(d) = r.sfp_diag() {
            ch.sfp = Some(d);
        }
        ch.bytes_in = r.bytes_in;
        ch.conditioned_bytes = r.bytes_out;
        let t = format!("{:8.3}s", ch.t_s);
        let (was_alarms, was_healthy) =
            old.as_ref().map(|o| (o.board_alarms, o.healthy)).unwrap_or((0, true));
        let new_bits = Alarms(r.board_alarms & !was_alarms);
        let (healthy, reason) = (r.healthy, r.reason.clone());
        ch.row = Some(r);
        if new_bits.any() {
            self.event(
                t.clone(),
                &name,
                format!("ALARM latched: {}", new_bits.names().join(" + ")),
            );
        }
        if healthy != was_healthy {
            self.event(
                t,
                &name,
                if healthy {
                    "daemon: output released".into()
                } else {
                    format!("daemon: output stopped: {reason}")
                },
            );
        }
    }
}
