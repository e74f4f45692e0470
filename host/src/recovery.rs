//! Per-source recovery (docs/host.md, "Recovery"): a pure state machine, driven by the source's
//! thread with what it saw (STATUS, ACK, a failure the gate or the link reported) and the time, that
//! says which commands to send and whether the source may release bytes at all.
//!
//! ```text
//!   Healthy --failure--> Failed --backoff elapsed--> Recovering --healthy STATUS after ACK--> Healthy
//!                          ^  \                         |
//!                          |   `--(interlock, attestation, cap: stays until `ctl clear`/restart)
//!                          `--------- alarm again / STATUS without startup done in time --'
//! ```
//!
//! * A failure (board alarm, LOS, stale STATUS, decode errors) fails the source; after the backoff
//!   (MIN, doubling per failure up to MAX) it goes to Recovering and sends CLEAR_ALARMS, re-sent
//!   every `resend` until an ACK answers one of them. Only a STATUS that arrives *after* that ACK,
//!   shows no alarm, the startup test done and the wanted mode makes it Healthy again; the release
//!   rule (health.rs) then still needs two healthy STATUS frames before a byte flows.
//! * The over-power interlock (alarm bit EXTERNAL) is never cleared here: the source stays Failed
//!   until the operator clears it (`operator_clear`, i.e. `speckle ctl clear SOURCE`) or a restart.
//! * An attestation mismatch is never recovered automatically either, nor by `ctl clear`: the board's
//!   claim is wrong and CLEAR_ALARMS cannot change that; only a restart (after fixing the board or
//!   the profile) does.
//! * At most `cap` recoveries start in any hour; a failure beyond that leaves the source Failed and
//!   says so. A source that then stays Healthy for `stable` (60 s) is not flapping: the backoff goes
//!   back to MIN and the recoveries before it no longer count, so a connector that drops out now and
//!   then is recovered every time while one that fails again within a minute is capped.
//! * SET_MODE is re-sent every `resend` until a STATUS shows the wanted mode, in every state.

use speckle_model::protocol::{Ack, Alarms, Command, FrameType, Mode, StateBits, Status};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Recoveries allowed to start in any one hour (0: never recover automatically).
    pub cap_per_hour: u32,
    /// How often an unanswered CLEAR_ALARMS or an unconfirmed SET_MODE is sent again.
    pub resend: Duration,
    /// Healthy for this long after a recovery: the backoff restarts at MIN and the cap forgets the
    /// recoveries so far.
    pub stable: Duration,
    /// More decode errors (bad CRC, lost frames, unknown types, bad payloads) than this between two
    /// STATUS frames fail the source (0: never). A sound link has none; a few come from a noisy
    /// cable or a host that fell behind, many from a wrong baud rate or a failing link.
    pub decode_error_limit: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            cap_per_hour: 10,
            resend: Duration::from_millis(500),
            stable: Duration::from_secs(60),
            decode_error_limit: 16,
        }
    }
}

const HOUR: Duration = Duration::from_secs(3600);

impl Policy {
    /// The failure `errors` decode errors since the last STATUS amount to, if any.
    pub fn decode_failure(&self, errors: u64) -> Option<Cause> {
        (self.decode_error_limit > 0 && errors > self.decode_error_limit)
            .then_some(Cause::DecodeErrors(errors))
    }
}

/// Why a source failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// Latched board alarm bits (EXTERNAL makes it an interlock).
    Alarm(Alarms),
    /// No STATUS within the timeout.
    Stale,
    /// Decode errors above the threshold.
    DecodeErrors(u64),
    /// The board's claim does not attest (attest.rs).
    Attestation(String),
}

impl Cause {
    fn text(&self) -> String {
        match self {
            Cause::Alarm(a) => format!("board alarm {}", Alarms::names(*a).join("+")),
            Cause::Stale => "stale STATUS".into(),
            Cause::DecodeErrors(n) => format!("{n} decode errors since the last STATUS"),
            Cause::Attestation(e) => format!("attestation mismatch: {e}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Healthy,
    /// Waiting for the backoff to end; `retry_at: None` means waiting for the operator or a restart.
    Failed {
        reason: String,
        retry_at: Option<Instant>,
    },
    /// CLEAR_ALARMS sent (`acked`: one was answered); waiting for the startup test to pass again.
    Recovering {
        acked: bool,
    },
}

impl State {
    /// The telemetry column's word.
    pub fn name(&self) -> &'static str {
        match self {
            State::Healthy => "healthy",
            State::Failed { retry_at: Some(_), .. } => "failed",
            State::Failed { retry_at: None, .. } => "failed-held",
            State::Recovering { .. } => "recovering",
        }
    }
}

pub struct Recovery {
    policy: Policy,
    want: Mode,
    state: State,
    /// The backoff the next failure waits.
    backoff: Duration,
    /// When recoveries started, within the last hour.
    starts: VecDeque<Instant>,
    /// Sequence numbers of the CLEAR_ALARMS frames of the current recovery.
    clear_seqs: Vec<u16>,
    last_clear: Option<Instant>,
    mode_ok: bool,
    last_set_mode: Option<Instant>,
    healthy_since: Option<Instant>,
    /// Set for good by an attestation mismatch.
    attest_failed: bool,
}

impl Recovery {
    pub fn new(policy: Policy, want: Mode) -> Self {
        Recovery {
            backoff: policy.backoff_min,
            policy,
            want,
            state: State::Healthy,
            starts: VecDeque::new(),
            clear_seqs: Vec::new(),
            last_clear: None,
            mode_ok: false,
            last_set_mode: None,
            healthy_since: None,
            attest_failed: false,
        }
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// Whether the source may release bytes (the gate's release rule still applies on top).
    pub fn may_flow(&self) -> bool {
        self.state == State::Healthy && self.mode_ok
    }

    /// The link was reopened: the board there may be in any mode, so SET_MODE goes out again.
    pub fn link_reset(&mut self) {
        self.mode_ok = false;
        self.last_set_mode = None;
    }

    /// The source failed. Returns the line to log.
    pub fn fail(&mut self, cause: Cause, now: Instant) -> Option<String> {
        if let State::Failed { .. } = self.state {
            if !matches!(cause, Cause::Attestation(_)) {
                return None;
            }
        }
        self.healthy_since = None;
        self.clear_seqs.clear();
        let what = cause.text();
        let (reason, retry_at) = match &cause {
            Cause::Attestation(_) => {
                self.attest_failed = true;
                (format!("{what}: not recovered automatically (a CLEAR_ALARMS cannot fix the board's claim); restart speckle after fixing the board or the profile"), None)
            }
            Cause::Alarm(a) if a.0 & Alarms::EXTERNAL != 0 => (
                format!("{what}: over-power interlock, never cleared automatically; `speckle ctl clear SOURCE` or a restart clears it"),
                None,
            ),
            _ => {
                while self.starts.front().is_some_and(|t| now.duration_since(*t) >= HOUR) {
                    self.starts.pop_front();
                }
                if self.starts.len() >= self.policy.cap_per_hour as usize {
                    (format!("{what}: recovery cap of {} per hour reached, source left failed; `speckle ctl clear SOURCE` or a restart retries", self.policy.cap_per_hour), None)
                } else {
                    let wait = self.backoff;
                    self.backoff = (self.backoff * 2).min(self.policy.backoff_max);
                    (
                        format!("{what}: recovering in {:.3} s", wait.as_secs_f64()),
                        Some(now + wait),
                    )
                }
            }
        };
        self.state = State::Failed { reason: reason.clone(), retry_at };
        Some(reason)
    }

    /// The operator's `ctl clear`: an interlock or a cap is lifted and a recovery starts at once
    /// (with the backoff back at MIN). Refused after an attestation mismatch.
    pub fn operator_clear(&mut self, now: Instant) -> Result<(), String> {
        if self.attest_failed {
            return Err("attestation mismatch: a clear cannot fix the board's claim; restart speckle after fixing the board or the profile".into());
        }
        self.starts.clear();
        self.backoff = self.policy.backoff_min;
        if let State::Failed { .. } = self.state {
            self.state =
                State::Failed { reason: "cleared by the operator".into(), retry_at: Some(now) };
        }
        Ok(())
    }

    /// Commands due now; the caller sends each and reports its sequence number to `sent`.
    pub fn due(&mut self, now: Instant) -> Vec<Command> {
        let mut out = Vec::new();
        let resend_due = |last: Option<Instant>| {
            last.is_none_or(|t| now.duration_since(t) >= self.policy.resend)
        };
        if !self.mode_ok && resend_due(self.last_set_mode) {
            self.last_set_mode = Some(now);
            out.push(Command::SetMode(self.want));
        }
        match self.state {
            State::Failed { retry_at: Some(t), .. } if now >= t => {
                self.starts.push_back(now);
                self.state = State::Recovering { acked: false };
                self.last_clear = Some(now);
                out.push(Command::ClearAlarms);
            }
            State::Recovering { acked: false } if resend_due(self.last_clear) => {
                self.last_clear = Some(now);
                out.push(Command::ClearAlarms);
            }
            // Stable again: not flapping, so the next failure waits MIN and counts afresh.
            State::Healthy
                if self
                    .healthy_since
                    .is_some_and(|t| now.duration_since(t) >= self.policy.stable) =>
            {
                self.backoff = self.policy.backoff_min;
                self.starts.clear();
            }
            _ => {}
        }
        out
    }

    /// A command from `due` went out with this sequence number.
    pub fn sent(&mut self, c: Command, seq: u16) {
        if c == Command::ClearAlarms {
            self.clear_seqs.push(seq);
        }
    }

    pub fn ack(&mut self, a: &Ack) {
        if a.cmd_type == FrameType::ClearAlarms.to_u8()
            && a.result.to_u8() == 0
            && self.clear_seqs.contains(&a.cmd_seq)
        {
            if let State::Recovering { acked } = &mut self.state {
                *acked = true;
            }
        }
    }

    /// A STATUS frame (after attestation). Returns a line to log when the state changed.
    pub fn status(&mut self, s: &Status, now: Instant) -> Option<String> {
        self.mode_ok = s.mode == self.want.to_u8();
        match self.state {
            State::Healthy if s.alarms.any() => self.fail(Cause::Alarm(s.alarms), now),
            State::Recovering { acked: true } => {
                if s.alarms.any() {
                    self.fail(Cause::Alarm(s.alarms), now)
                } else if self.mode_ok && s.state.has(StateBits::STARTUP_DONE) {
                    self.state = State::Healthy;
                    self.healthy_since = Some(now);
                    Some("recovered: startup test passed again after CLEAR_ALARMS".into())
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "recovery_tests.rs"]
mod tests;
