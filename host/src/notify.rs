//! What the daemon tells systemd (`Type=notify`, sd_notify(3) through the `sd-notify` crate), and
//! when it gives up on sources that stay unhealthy.
//!
//! * `READY=1` once a source is healthy: "started" means bytes can flow, so a unit ordered after
//!   speckle (or `systemctl start`) waits for a board that passed its health checks.
//! * `WATCHDOG=1` from the main loop, every half `WATCHDOG_USEC` (`WatchdogSec=` in the unit). The
//!   main loop never waits on a sink or a source (fanout.rs), so a missed ping means the daemon is
//!   wedged and systemd restarts it.
//! * `STATUS=` once a second: healthy sources and the output rate, for `systemctl status`.
//! * `STOPPING=1` when the run ends.
//!
//! Without `NOTIFY_SOCKET` (not under systemd) nothing is sent. A failed send is logged once and
//! otherwise ignored: telling systemd is never a reason to stop feeding the sinks.

use sd_notify::NotifyState;
use std::time::{Duration, Instant};

/// Default `--unhealthy-exit-after`: ten minutes without any healthy source ends the run.
pub const DEFAULT_UNHEALTHY_EXIT_S: f64 = 600.0;

pub struct Notifier {
    on: bool,
    watchdog: Option<Duration>,
    last_ping: Option<Instant>,
    ready: bool,
    last_status: Option<Instant>,
    rate: (Instant, u64, f64),
    warned: bool,
}

/// What STATUS= says, and what decides READY=1.
pub struct Health<'a> {
    pub healthy: usize,
    pub sources: usize,
    pub written: u64,
    /// When no source is healthy: for how long, and each source with why not.
    pub unhealthy_for: Option<(Duration, &'a str)>,
}

impl Notifier {
    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` as systemd sets them.
    pub fn from_env() -> Self {
        Notifier {
            on: std::env::var_os("NOTIFY_SOCKET").is_some(),
            watchdog: sd_notify::watchdog_enabled().filter(|d| !d.is_zero()),
            last_ping: None,
            ready: false,
            last_status: None,
            rate: (Instant::now(), 0, 0.0),
            warned: false,
        }
    }

    /// How long the main loop may wait for an event: short enough for the watchdog's pings.
    pub fn max_wait(&self, default: Duration) -> Duration {
        self.watchdog.map_or(default, |w| default.min(w / 4))
    }

    fn send(&mut self, states: &[NotifyState]) {
        if !self.on {
            return;
        }
        if let Err(e) = sd_notify::notify(states) {
            if !self.warned {
                tracing::warn!("cannot notify systemd (NOTIFY_SOCKET): {e}; going on without");
                self.warned = true;
            }
        }
    }

    /// Called on every pass of the main loop.
    pub fn tick(&mut self, h: &Health) {
        let now = Instant::now();
        if let Some(w) = self.watchdog {
            if self.last_ping.is_none_or(|t| now - t >= w / 2) {
                self.last_ping = Some(now);
                self.send(&[NotifyState::Watchdog]);
            }
        }
        let dt = now - self.rate.0;
        if dt >= Duration::from_secs(1) {
            self.rate = (now, h.written, (h.written - self.rate.1) as f64 / dt.as_secs_f64());
        }
        let become_ready = !self.ready && h.healthy > 0;
        if become_ready || self.last_status.is_none_or(|t| now - t >= Duration::from_secs(1)) {
            self.last_status = Some(now);
            let status = self.status_line(h);
            if become_ready {
                self.ready = true;
                self.send(&[NotifyState::Ready, NotifyState::Status(&status)]);
            } else {
                self.send(&[NotifyState::Status(&status)]);
            }
        }
    }

    /// `2/2 sources healthy, 4096 B/s out, 1048576 B in total`, and when none is healthy, for how
    /// long and why.
    pub fn status_line(&self, h: &Health) -> String {
        let mut s = format!(
            "{}/{} sources healthy, {:.0} B/s out, {} B in total",
            h.healthy, h.sources, self.rate.2, h.written
        );
        if let Some((t, why)) = h.unhealthy_for {
            s += &format!("; none healthy for {:.0} s: {why}", t.as_secs_f64());
        }
        s
    }

    /// The run is ending: `STOPPING=1` with the reason as STATUS.
    pub fn stopping(&mut self, why: &str) {
        self.send(&[NotifyState::Stopping, NotifyState::Status(why)]);
    }
}

/// `--unhealthy-exit-after`: how long the run tolerates having no healthy source, counted from
/// the start and from the last moment any source was healthy.
pub struct Liveness {
    limit: Duration,
    healthy_at: Instant,
}

impl Liveness {
    pub fn new(limit: Duration, now: Instant) -> Self {
        Liveness { limit, healthy_at: now }
    }

    /// Takes whether any source is healthy now; returns how long none has been (zero while one
    /// is), and whether that is past the limit.
    pub fn update(&mut self, any_healthy: bool, now: Instant) -> (Duration, bool) {
        if any_healthy {
            self.healthy_at = now;
        }
        let t = now.saturating_duration_since(self.healthy_at);
        (t, t >= self.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liveness_counts_from_the_start_and_from_the_last_healthy_moment() {
        let t0 = Instant::now();
        let s = |x: u64| t0 + Duration::from_secs(x);
        let mut l = Liveness::new(Duration::from_secs(10), t0);
        assert_eq!(l.update(false, s(9)), (Duration::from_secs(9), false));
        assert_eq!(l.update(true, s(9)), (Duration::ZERO, false));
        assert_eq!(l.update(false, s(18)), (Duration::from_secs(9), false));
        assert_eq!(l.update(false, s(19)), (Duration::from_secs(10), true));
    }

    #[test]
    fn the_status_line_names_rate_health_and_why_none_is_healthy() {
        let mut n = Notifier::from_env();
        n.rate.2 = 612.4;
        let h = Health { healthy: 1, sources: 2, written: 4096, unhealthy_for: None };
        assert_eq!(n.status_line(&h), "1/2 sources healthy, 612 B/s out, 4096 B in total");
        let why = "sim:stuck: board alarm RCT";
        let h = Health { healthy: 0, unhealthy_for: Some((Duration::from_secs(42), why)), ..h };
        assert_eq!(
            n.status_line(&h),
            "0/2 sources healthy, 612 B/s out, 4096 B in total; none healthy for 42 s: sim:stuck: board alarm RCT"
        );
    }
}
