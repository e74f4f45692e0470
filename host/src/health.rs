//! The release rule: which received blocks may reach a sink.
//!
//! A CONDITIONED frame says nothing about the board's health when it was made; STATUS frames do,
//! but only every ~0.7 s. So blocks are *held* until a STATUS frame vouches for the whole interval
//! they arrived in:
//!
//! * blocks received after a healthy STATUS S₁ are released only when the next STATUS S₂ is also
//!   healthy: no alarm bit latched, the output gate open (conditioned mode), the board's failure
//!   counters unchanged since S₁ (an alarm raised and cleared in between still shows there), and no
//!   link loss in between;
//! * anything else (an alarm, a closed gate, a missing STATUS for longer than the timeout, a link
//!   reconnect, a host-side raw-mode alarm) discards every held block and stops the source until a
//!   healthy STATUS starts a new interval;
//! * blocks before the first STATUS are discarded: nothing vouches for what preceded them.
//!
//! Alarms latch on the board, so a healthy S₂ proves no alarm fired since S₁. The cost is latency
//! (one STATUS period) and a bounded buffer, never an unhealthy byte.

use speckle_model::protocol::{Alarms, StateBits, Status};
use std::time::{Duration, Instant};

/// Held blocks beyond this are discarded (and counted): a board that streams but stops sending
/// STATUS must not grow the host's memory. 32768 blocks = 1 MiB, > 10 s at 1 Mbaud.
pub const MAX_HELD_BLOCKS: usize = 32_768;

/// Why a source is not releasing data right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No STATUS seen yet on this link.
    Waiting,
    Healthy,
    /// Latched until a healthy STATUS (or, for host alarms, for good).
    Unhealthy(String),
}

impl Verdict {
    pub fn is_healthy(&self) -> bool {
        matches!(self, Verdict::Healthy)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FailCounts(u16, u16, u16);

pub struct Gate {
    /// The source's name, for the log.
    name: String,
    raw_mode: bool,
    timeout: Duration,
    held: Vec<[u8; 32]>,
    baseline: Option<FailCounts>,
    verdict: Verdict,
    last_status: Option<Instant>,
    /// A host-side alarm or a failed attestation never clears: the host cannot know the noise
    /// source recovered, nor trust a board that misreported its claim.
    latched: Option<String>,
    /// The recovery state machine holds the source (`suspend`): its own log lines say why, so the
    /// STATUS frames that keep coming while it waits do not log "output stopped" again.
    suspended: bool,
    pub discarded_blocks: u64,
    pub released_blocks: u64,
}

impl Gate {
    pub fn new(name: String, raw_mode: bool, timeout: Duration) -> Self {
        Gate {
            name,
            raw_mode,
            timeout,
            held: Vec::new(),
            baseline: None,
            verdict: Verdict::Waiting,
            last_status: None,
            latched: None,
            suspended: false,
            discarded_blocks: 0,
            released_blocks: 0,
        }
    }

    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }

    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// A block arrives; it is held, or dropped at once when nothing can vouch for it.
    pub fn block(&mut self, block: [u8; 32]) {
        if self.baseline.is_none() || self.held.len() >= MAX_HELD_BLOCKS {
            self.discarded_blocks += 1;
        } else {
            self.held.push(block);
        }
    }

    /// A STATUS frame arrives: returns the blocks it confirms (empty when it condemns them).
    pub fn status(&mut self, s: &Status, now: Instant) -> Vec<[u8; 32]> {
        self.last_status = Some(now);
        let counts = FailCounts(s.rct_failures, s.apt_failures, s.markov_failures);
        let problem = self.problem(s, counts);
        match problem {
            None => {
                let released = std::mem::take(&mut self.held);
                self.released_blocks += released.len() as u64;
                self.baseline = Some(counts);
                self.verdict = Verdict::Healthy;
                self.suspended = false;
                released
            }
            Some(reason) => {
                self.discard();
                let repeat = matches!(&self.verdict, Verdict::Unhealthy(r) if *r == reason);
                if !repeat && !self.suspended {
                    let alarm = s.alarms.names().join("+");
                    crate::source_log!(warn, self.name, alarm = alarm, "{reason}: output stopped");
                }
                self.verdict = Verdict::Unhealthy(reason);
                // With an alarm latched, nothing may be vouched for until a healthy STATUS.
                self.baseline = None;
                Vec::new()
            }
        }
    }

    fn problem(&self, s: &Status, counts: FailCounts) -> Option<String> {
        if let Some(h) = &self.latched {
            return Some(h.clone());
        }
        if s.alarms.any() {
            return Some(format!("board alarm {}", Alarms::names(s.alarms).join("+")));
        }
        let want_mode = u8::from(self.raw_mode);
        if s.mode != want_mode {
            return Some(format!("board in mode {} but host expects {}", s.mode, want_mode));
        }
        if !self.raw_mode && !s.state.has(StateBits::GATE_OPEN) {
            return Some("board output gate closed (startup test not passed)".into());
        }
        match self.baseline {
            Some(b) if b != counts => Some(format!(
                "board failure counters moved ({:?} -> {:?}) since the last STATUS",
                b, counts
            )),
            _ => None,
        }
    }

    /// Called often: a STATUS overdue by more than the timeout condemns the held blocks.
    pub fn tick(&mut self, now: Instant) {
        if let Some(t) = self.last_status {
            if now.duration_since(t) > self.timeout
                && self.verdict != Verdict::Unhealthy(self.stale_reason())
            {
                self.discard();
                self.baseline = None;
                crate::source_log!(warn, self.name, "{}: output stopped", self.stale_reason());
                self.verdict = Verdict::Unhealthy(self.stale_reason());
            }
        }
    }

    fn stale_reason(&self) -> String {
        format!("no STATUS for more than {:.1} s", self.timeout.as_secs_f64())
    }

    /// The link dropped: whatever reconnects may be another board, so start from scratch.
    pub fn link_lost(&mut self, why: &str) {
        self.discard();
        self.baseline = None;
        self.last_status = None;
        self.verdict = Verdict::Unhealthy(format!("link lost: {why}"));
    }

    /// Host-side raw-mode health failure: discards held data and latches for the rest of the run.
    pub fn host_alarm(&mut self, reason: String) {
        crate::source_log!(
            error,
            self.name,
            alarm = reason,
            "host {reason}: output stopped for good"
        );
        self.fail(format!("host {reason}"));
    }

    /// Fails the source for the rest of the run (the caller reports why): held blocks are
    /// discarded and no later STATUS releases anything.
    pub fn fail(&mut self, reason: String) {
        self.discard();
        self.baseline = None;
        self.verdict = Verdict::Unhealthy(reason.clone());
        self.latched = Some(reason);
    }

    /// The recovery state machine (recovery.rs) holds the source back: `blocks` the gate just
    /// released are discarded instead, and the next healthy STATUS only starts a new interval.
    pub fn suspend(&mut self, blocks: usize, reason: &str) {
        self.released_blocks -= blocks as u64;
        self.discarded_blocks += blocks as u64;
        self.discard();
        self.baseline = None;
        self.suspended = true;
        if self.latched.is_none() {
            self.verdict = Verdict::Unhealthy(reason.to_string());
        }
    }

    fn discard(&mut self) {
        self.discarded_blocks += self.held.len() as u64;
        self.held.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> Status {
        Status {
            version: 1,
            state: StateBits(StateBits::STARTUP_DONE | StateBits::GATE_OPEN),
            ..Default::default()
        }
    }

    #[test]
    fn blocks_wait_for_the_next_healthy_status_and_die_with_an_alarm() {
        let t = Instant::now();
        let mut g = Gate::new("test".into(), false, Duration::from_secs(3));
        g.block([1; 32]);
        assert_eq!(g.discarded_blocks, 1, "nothing vouches for blocks before the first STATUS");
        assert!(g.status(&healthy(), t).is_empty());
        g.block([2; 32]);
        g.block([3; 32]);
        assert_eq!(g.status(&healthy(), t), vec![[2; 32], [3; 32]]);
        g.block([4; 32]);
        let mut bad = healthy();
        bad.alarms = Alarms(Alarms::APT);
        assert!(g.status(&bad, t).is_empty());
        assert_eq!(g.discarded_blocks, 2);
        assert!(matches!(g.verdict(), Verdict::Unhealthy(r) if r.contains("APT")));
        // After the alarm, the next healthy STATUS only starts a new interval.
        g.block([5; 32]);
        assert!(g.status(&healthy(), t).is_empty());
        assert_eq!(g.discarded_blocks, 3);
    }

    #[test]
    fn a_cleared_alarm_between_statuses_still_condemns_the_interval() {
        let t = Instant::now();
        let mut g = Gate::new("test".into(), false, Duration::from_secs(3));
        g.status(&healthy(), t);
        g.block([7; 32]);
        let mut s = healthy();
        s.rct_failures = 1;
        assert!(g.status(&s, t).is_empty());
        assert!(!g.verdict().is_healthy());
    }

    #[test]
    fn closed_gate_overdue_status_and_host_alarms_stop_output() {
        let t = Instant::now();
        let mut g = Gate::new("test".into(), false, Duration::from_millis(100));
        g.status(&healthy(), t);
        g.block([1; 32]);
        g.tick(t + Duration::from_millis(500));
        assert_eq!(g.held(), 0);
        assert!(matches!(g.verdict(), Verdict::Unhealthy(r) if r.contains("no STATUS")));
        let mut closed = healthy();
        closed.state = StateBits(0);
        g.status(&healthy(), t);
        g.block([1; 32]);
        assert!(g.status(&closed, t).is_empty());

        let mut raw = Gate::new("test".into(), true, Duration::from_secs(1));
        let mut s = healthy();
        s.mode = 1;
        raw.status(&s, t);
        raw.block([9; 32]);
        raw.host_alarm("RCT".into());
        raw.block([9; 32]);
        assert!(raw.status(&s, t).is_empty());
        assert!(raw.status(&s, t).is_empty(), "host alarms latch");
    }

    #[test]
    fn a_failed_source_discards_what_it_held_and_releases_nothing_again() {
        let t = Instant::now();
        let mut g = Gate::new("test".into(), false, Duration::from_secs(3));
        g.status(&healthy(), t);
        g.block([1; 32]);
        g.fail("board attestation failed: window".into());
        assert_eq!((g.held(), g.discarded_blocks), (0, 1));
        g.block([2; 32]);
        assert!(g.status(&healthy(), t).is_empty());
        assert!(g.status(&healthy(), t).is_empty());
        assert_eq!(g.verdict(), &Verdict::Unhealthy("board attestation failed: window".into()));
    }
}
