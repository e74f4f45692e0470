//! `speckle run`'s main loop, once sources, sinks and telemetry are open (daemon.rs opens them):
//! events from the sources' bounded queue → mixer → every sink's backlog (fanout.rs), telemetry
//! rows → files and socket, systemd notifications, the run's limits, and the shutdown.
//!
//! Nothing in the loop waits on a sink or a source beyond one short `recv_timeout`, so it notices
//! SIGTERM/SIGINT within [`WAIT`], keeps the watchdog fed, and ends the run within a second even
//! with a reader that stopped reading.

use crate::credit::Credit;
use crate::fanout::Fanout;
use crate::ingest::Event;
use crate::mix::Mixer;
use crate::notify::{Health, Liveness, Notifier};
use crate::source::SourceSpec;
use crate::status_socket::StatusSocket;
use crate::summary::Summary;
use crate::telemetry::Telemetry;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest the loop waits for an event before it looks at signals, limits and the watchdog.
pub const WAIT: Duration = Duration::from_millis(50);
/// How long the sources get to stop at the end of a run; one that takes longer is left behind
/// (its thread ends when it next looks at the stop flag, or with the process).
pub const SOURCE_STOP_WAIT: Duration = Duration::from_millis(300);
/// How long after the end of a run the sinks get to write what they hold, counted from the same
/// moment as [`SOURCE_STOP_WAIT`]; what a stalled reader has not taken by then is reported as
/// unwritten. Together with [`WAIT`] and the telemetry's last write this keeps SIGTERM → exit
/// under a second.
pub const SINK_DRAIN_WAIT: Duration = Duration::from_millis(400);

pub struct Limits {
    pub duration: Option<Duration>,
    pub bytes: Option<u64>,
    /// `--unhealthy-exit-after`.
    pub unhealthy_exit: Duration,
}

pub struct MainLoop {
    pub specs: Vec<SourceSpec>,
    pub rx: Receiver<Event>,
    pub threads: Vec<JoinHandle<()>>,
    pub stop: Arc<AtomicBool>,
    pub mixer: Mixer,
    pub fanout: Fanout,
    pub telemetry: Option<Telemetry>,
    pub socket: Option<StatusSocket>,
    /// `--metrics`: takes a copy of each row (metrics.rs); never waits on a scraper.
    pub metrics: Option<crate::metrics::Metrics>,
    /// `--audit`: the SP 800-22 battery on a sampled copy of the output (audit_tap.rs).
    pub audit: Option<crate::audit_tap::AuditTap>,
    pub summary: Summary,
    pub credit: Credit,
    pub limits: Limits,
}

/// Per source: healthy now, and why not.
struct SourceHealth {
    healthy: bool,
    reason: String,
}

impl MainLoop {
    /// Runs until a limit, a signal (`interrupted`), the end of every source, a failed sink or too
    /// long without a healthy source; then shuts down and reports.
    pub fn run(mut self, interrupted: &AtomicBool) -> Result<(), String> {
        let start = Instant::now();
        let n = self.specs.len();
        let mut notifier = Notifier::from_env();
        let mut liveness = Liveness::new(self.limits.unhealthy_exit, start);
        let wait = notifier.max_wait(WAIT);
        let mut health: Vec<SourceHealth> = (0..n)
            .map(|_| SourceHealth { healthy: false, reason: "waiting for the first STATUS".into() })
            .collect();
        let (mut written, mut failed) = (0u64, Vec::new());
        let mut result = Ok(());
        let end = loop {
            if interrupted.load(Ordering::SeqCst) {
                break "stopped by a signal".to_string();
            }
            if self.limits.duration.is_some_and(|d| start.elapsed() >= d) {
                break "--duration reached".into();
            }
            match self.rx.recv_timeout(wait) {
                Ok(e) => self.event(e, &mut health, &mut failed),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break "every source ended".into(),
            }
            let mut out = self.mixer.take();
            if let Some(limit) = self.limits.bytes {
                out.truncate(limit.saturating_sub(written) as usize);
            }
            if !out.is_empty() {
                self.fanout.push(&out);
                written += out.len() as u64;
                self.summary.out(&out);
                if let Some(a) = self.audit.as_mut() {
                    a.offer(&out);
                }
            }
            self.audit_results();
            self.fanout.log_overflow();
            if let Some(e) = self.fanout.error() {
                result = Err(format!("output failed: {e}"));
                break format!("output failed: {e}");
            }
            self.summary.tick(written);
            let healthy = health.iter().filter(|h| h.healthy).count();
            let (none_for, expired) = liveness.update(healthy > 0, Instant::now());
            let why = (healthy == 0).then(|| self.unhealthy_reasons(&health));
            notifier.tick(&Health {
                healthy,
                sources: n,
                written,
                unhealthy_for: why.as_deref().map(|w| (none_for, w)),
            });
            if let (true, Some(why)) = (expired, why) {
                let e = format!(
                    "no source has been healthy for {:.0} s (--unhealthy-exit-after {}): {why}",
                    none_for.as_secs_f64(),
                    self.limits.unhealthy_exit.as_secs_f64()
                );
                result = Err(e.clone());
                break e;
            }
            if self.limits.bytes.is_some_and(|b| written >= b) {
                break "--bytes reached".into();
            }
        };
        notifier.stopping(&format!("stopping: {end}"));
        self.shutdown(start, written)?;
        if result.is_ok() && !failed.is_empty() {
            result = Err(failed.join("; "));
        }
        result
    }

    // `Telemetry::push` takes the row mutably where the telemetry numbers its rows, and shared
    // where it does not; the call is written for the former.
    #[allow(clippy::unnecessary_mut_passed)]
    fn event(&mut self, event: Event, health: &mut [SourceHealth], failed: &mut Vec<String>) {
        match event {
            Event::Blocks { source, blocks } => {
                self.mixer.add(source, blocks);
                health[source] = SourceHealth { healthy: true, reason: String::new() };
            }
            Event::Row { source, mut row } => {
                self.mixer.set_health(source, row.healthy);
                health[source] = SourceHealth { healthy: row.healthy, reason: row.reason.clone() };
                self.summary.row(&row);
                row.sink_dropped_bytes = self.fanout.dropped_json();
                row.kernel_credited_bits = self.fanout.credited_bits();
                if let Some(t) = self.telemetry.as_mut() {
                    if let Err(e) = t.push(&mut row) {
                        tracing::error!("telemetry: {e}");
                    }
                }
                if let Some(s) = self.socket.as_mut() {
                    s.send(&row);
                }
                if let Some(m) = &self.metrics {
                    m.row(source, &row);
                }
            }
            Event::Attested { source, claim } => {
                crate::source_log!(
                    info,
                    self.specs[source],
                    "board attests {claim}: supports {} bits of entropy per output byte",
                    claim.creditable_bits_per_byte()
                );
                if let Some(lowered) = self.credit.attested(&self.specs[source], &claim) {
                    self.fanout.cap_credit(lowered.bits);
                    if let Some(notice) = lowered.notice {
                        tracing::warn!(source = %self.specs[source], "{notice}");
                    }
                }
            }
            Event::Ended { source, reason } => {
                tracing::warn!(source = %self.specs[source], "source ended: {reason}");
                self.mixer.end(source);
                health[source] = SourceHealth { healthy: false, reason: "ended".into() };
            }
            Event::Failed { source, reason } => {
                tracing::error!(
                    source = %self.specs[source],
                    state = "failed-held",
                    "{reason}: source stopped, its held blocks discarded"
                );
                self.mixer.end(source);
                let own = format!("{}: ", self.specs[source]);
                let why = reason.strip_prefix(&own).unwrap_or(&reason).to_string();
                health[source] = SourceHealth { healthy: false, reason: why };
                failed.push(reason);
            }
        }
    }

    /// `sim:stuck: board alarm RCT; serial:/dev/ttyUSB0@1000000: link lost: …`
    /// A finished audit: one log line, and a telemetry row of its own (`source` = `audit`) through
    /// the same crash-safe writer and the status socket.
    // As in `event`: `Telemetry::push` may number the row.
    #[allow(clippy::unnecessary_mut_passed)]
    fn audit_results(&mut self) {
        let Some(c) = self.audit.as_mut().and_then(|a| a.completed()) else { return };
        let line = crate::audit_tap::summary_line(&c);
        for e in &c.log_errors {
            tracing::error!(source = "audit", "audit log: {e}");
        }
        if c.report.passed {
            tracing::info!(source = "audit", "{line}");
        } else {
            tracing::warn!(source = "audit", "{line}");
        }
        let mut provenance: Vec<String> =
            self.specs.iter().map(|s| s.provenance().to_string()).collect();
        provenance.sort();
        provenance.dedup();
        let mut row = crate::audit_tap::row(&c, &provenance.join("+"));
        if let Some(t) = self.telemetry.as_mut() {
            if let Err(e) = t.push(&mut row) {
                tracing::error!("telemetry: {e}");
            }
        }
        if let Some(s) = self.socket.as_mut() {
            s.send(&row);
        }
    }

    fn unhealthy_reasons(&self, health: &[SourceHealth]) -> String {
        let each = self.specs.iter().zip(health).filter(|(_, h)| !h.healthy);
        each.map(|(s, h)| format!("{s}: {}", h.reason)).collect::<Vec<_>>().join("; ")
    }

    /// Stops the sources, taking what they send meanwhile (so none waits on a full queue): their
    /// released blocks still go to the sinks (within `--bytes`) and their rows to telemetry, so a
    /// row never counts blocks the sinks were not given. Then gives the sinks until
    /// [`SINK_DRAIN_WAIT`] to write what they hold, closes the telemetry and logs what each sink
    /// did.
    #[allow(clippy::unnecessary_mut_passed)]
    fn shutdown(mut self, start: Instant, mut written: u64) -> Result<(), String> {
        let t0 = Instant::now();
        self.stop.store(true, Ordering::SeqCst);
        loop {
            while let Ok(e) = self.rx.try_recv() {
                match e {
                    Event::Blocks { source, blocks } => {
                        self.mixer.add(source, blocks);
                        let mut out = self.mixer.take();
                        if let Some(limit) = self.limits.bytes {
                            out.truncate(limit.saturating_sub(written) as usize);
                        }
                        self.fanout.push(&out);
                        written += out.len() as u64;
                    }
                    Event::Row { mut row, .. } => {
                        row.sink_dropped_bytes = self.fanout.dropped_json();
                        if let Some(t) = self.telemetry.as_mut() {
                            let _ = t.push(&mut row);
                        }
                    }
                    _ => {}
                }
            }
            if self.threads.iter().all(|t| t.is_finished()) || t0.elapsed() >= SOURCE_STOP_WAIT {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        for t in self.threads.drain(..).filter(|t| t.is_finished()) {
            let _ = t.join();
        }
        let outcomes = self.fanout.finish(t0 + SINK_DRAIN_WAIT);
        if let Some(t) = self.telemetry.as_mut() {
            t.finish()?;
        }
        let not_entropy: Vec<String> = self
            .specs
            .iter()
            .filter(|s| !s.provenance().is_entropy())
            .map(|s| format!("{s} is {}", s.provenance()))
            .collect();
        let mark = if not_entropy.is_empty() {
            String::new()
        } else {
            format!(" (not entropy: {})", not_entropy.join(", "))
        };
        tracing::info!("wrote {written} bytes in {:.1} s{mark}", start.elapsed().as_secs_f64());
        for o in outcomes.iter().filter(|o| o.dropped > 0 || o.unwritten > 0) {
            tracing::info!(
                "output {}: {} bytes written, {} dropped while its backlog was full, {} still unwritten when the run ended",
                o.name, o.written, o.dropped, o.unwritten
            );
        }
        for c in outcomes.iter().filter_map(|o| o.credited) {
            tracing::info!(
                "kernel: {} bits of entropy credited for {} bytes in {} RNDADDENTROPY calls, every one accepted",
                c.bits, c.bytes, c.calls
            );
        }
        if self.mixer.dropped_blocks > 0 {
            tracing::info!(
                "--mix xor: {} blocks dropped while their source waited for slower partners",
                self.mixer.dropped_blocks
            );
        }
        Ok(())
    }
}
