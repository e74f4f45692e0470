//! A source's telemetry rows and its rate-limited link-error log lines (moved out of ingest.rs).

use super::{unix_ms, Event, Worker};
use crate::row::Row;
use speckle_model::protocol::{DecoderStats, Status};
use std::time::{Duration, Instant};

impl Worker {
    /// Link errors go to the log at most once a second per source, with what changed since the
    /// last line, so a noisy line cannot flood the journal; telemetry has the exact counts.
    pub(super) fn log_link_errors(&mut self) {
        let now = add_stats(self.prior, self.decoder.stats());
        let then = self.logged.1;
        let changed = (now.bad_crc, now.lost, now.unknown_type, now.resync_bytes)
            != (then.bad_crc, then.lost, then.unknown_type, then.resync_bytes);
        if changed && self.logged.0.elapsed() >= Duration::from_secs(1) {
            let gap = self
                .decoder
                .last_gap()
                .map(|g| format!(" (last gap: expected seq {} got {})", g.expected, g.got))
                .unwrap_or_default();
            crate::source_log!(
                warn,
                self.name(),
                "link errors: +{} bad CRC, +{} frames lost in +{} gaps{gap}, +{} unknown type, +{} bytes skipped resyncing",
                now.bad_crc - then.bad_crc,
                now.lost - then.lost,
                now.gaps - then.gaps,
                now.unknown_type - then.unknown_type,
                now.resync_bytes - then.resync_bytes
            );
            self.logged = (Instant::now(), now);
        }
    }

    pub(super) fn emit_row(&mut self) {
        self.emit_row_with(None)
    }

    pub(super) fn emit_row_with(&mut self, s: Option<&Status>) {
        let now = Instant::now();
        let dt = now.duration_since(self.last_row.0).as_secs_f64().max(1e-6);
        let st = add_stats(self.prior, self.decoder.stats());
        let cutoff = |f: fn(&Status) -> u16| s.map(f);
        let (rct_cutoff, apt_cutoff) = (cutoff(|s| s.rct_cutoff), cutoff(|s| s.apt_cutoff));
        let (markov_lo_cutoff, markov_hi_cutoff) =
            (cutoff(|s| s.markov_lo), cutoff(|s| s.markov_hi));
        let window = cutoff(|s| s.window);
        let s = s.copied().unwrap_or_default();
        let (host_rct, host_apt, host_markov) =
            self.raw.as_ref().map(|r| r.failures()).unwrap_or_default();
        let live = self.raw.as_mut().and_then(|r| r.live_estimate());
        let claim = self.raw.as_ref().and(self.claim);
        if let (Some(l), Some(c)) = (live, claim) {
            if (l.min < c) != self.below_claim {
                self.below_claim = l.min < c;
                let how = format!(
                    "{:.3} bits/sample (MCV {:.3}, Markov {:.3}, collision {:.3} over the last {} raw samples)",
                    l.min, l.mcv, l.markov, l.collision, l.samples
                );
                if self.below_claim {
                    crate::source_log!(
                        warn,
                        self.name(),
                        "raw min-entropy estimate {how} is below the claim of {c:.3}"
                    );
                } else {
                    crate::source_log!(
                        info,
                        self.name(),
                        "raw min-entropy estimate {how} is back at or above the claim of {c:.3}"
                    );
                }
            }
        }
        let mut row = Row {
            time_ms: unix_ms(),
            source: self.name(),
            provenance: self.cfg.spec.provenance().to_string(),
            mode: format!("{:?}", self.cfg.mode).to_lowercase(),
            healthy: self.gate.verdict().is_healthy(),
            reason: match self.gate.verdict() {
                crate::health::Verdict::Healthy => String::new(),
                crate::health::Verdict::Waiting => "waiting for the first STATUS".into(),
                crate::health::Verdict::Unhealthy(r) => r.clone(),
            },
            recovery: self.recovery.state().name().to_string(),
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            frames_ok: st.frames_ok,
            bad_crc: st.bad_crc,
            lost: st.lost,
            resync_bytes: st.resync_bytes,
            unknown_type: st.unknown_type,
            bad_payload: self.bad_payload,
            discarded_blocks: self.gate.discarded_blocks,
            board_alarms: s.alarms.0,
            board_state: s.state.0,
            board_samples: s.samples,
            board_blocks: s.blocks,
            board_dropped: s.dropped,
            rct_failures: s.rct_failures,
            apt_failures: s.apt_failures,
            markov_failures: s.markov_failures,
            rct_max_run: s.rct_max_run,
            apt_max_count: s.apt_max_count,
            markov_min: s.markov_min,
            markov_max: s.markov_max,
            rct_cutoff,
            apt_cutoff,
            markov_lo_cutoff,
            markov_hi_cutoff,
            window,
            host_rct_failures: host_rct,
            host_apt_failures: host_apt,
            host_markov_failures: host_markov,
            in_bytes_per_s: (self.bytes_in - self.last_row.1) as f64 / dt,
            out_bytes_per_s: (self.bytes_out - self.last_row.2) as f64 / dt,
            raw_min_entropy: live.map(|l| l.min),
            raw_entropy_claim: claim,
            ..Row::default()
        };
        row.set_sfp(self.sfp.as_ref());
        self.last_row = (now, self.bytes_in, self.bytes_out);
        (self.tx)(Event::Row { source: self.cfg.index, row: Box::new(row) });
    }
}

pub(super) fn add_stats(a: DecoderStats, b: DecoderStats) -> DecoderStats {
    DecoderStats {
        frames_ok: a.frames_ok + b.frames_ok,
        bad_crc: a.bad_crc + b.bad_crc,
        unknown_type: a.unknown_type + b.unknown_type,
        lost: a.lost + b.lost,
        gaps: a.gaps + b.gaps,
        resync_bytes: a.resync_bytes + b.resync_bytes,
    }
}
