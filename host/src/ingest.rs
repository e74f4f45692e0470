//! One thread per source: bytes → frames → health gate → released blocks, plus telemetry rows.
//! A source that fails is isolated here (its thread reconnects or ends) while the others go on.

use crate::attest::{Attestor, Claim, Expected};
use crate::cli::{Conditioner, Mode};
use crate::health::Gate;
use crate::rawtap::RawTap;
use crate::recovery::{Cause, Recovery, State};
use crate::row::Row;
use crate::source::{Link, SourceSpec};
use crate::whiten::SharedBackend;
use rows::add_stats;
use speckle_model::protocol::{
    Command, Decoder, DecoderStats, Frame, Mode as WireMode, Payload, SfpDiag, Status,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

mod rows;

pub enum Event {
    Blocks {
        source: usize,
        blocks: Vec<[u8; 32]>,
    },
    Row {
        source: usize,
        row: Box<Row>,
    },
    /// The board's first attested claim on this link, or a changed one (attest.rs); always sent
    /// before any block that claim vouches for.
    Attested {
        source: usize,
        claim: Claim,
    },
    Ended {
        source: usize,
        reason: String,
    },
    /// The source was failed for good (its board failed attestation) and its thread has ended.
    Failed {
        source: usize,
        reason: String,
    },
}

#[derive(Clone)]
pub struct WorkerConfig {
    pub index: usize,
    pub spec: SourceSpec,
    /// The profile the board must attest (`--profile`), if the operator named one.
    pub expected: Option<Expected>,
    pub mode: Mode,
    pub conditioner: Conditioner,
    /// The shared gpu-offload backend for raw-mode SHA3 (`--whiten gpu|auto`); `None`: per-block CPU.
    pub backend: Option<SharedBackend>,
    pub status_timeout: Duration,
    /// Backoff, cap and re-send period of the per-source recovery (recovery.rs).
    pub recovery: crate::recovery::Policy,
    /// Set by the status socket's `clear SOURCE` (`speckle ctl clear`); the thread takes it.
    pub clear: Arc<AtomicBool>,
    pub sim_seed: u64,
    pub stop: Arc<AtomicBool>,
}

const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Events a source may have waiting for the main loop (`spawn`'s queue). The main loop never
/// waits on a sink, so the queue fills only when the machine cannot keep up at all; the source's
/// thread then waits to send, its link's buffers fill and the board's bytes are lost there
/// (counted as lost frames), instead of the daemon's memory growing.
pub const EVENT_QUEUE: usize = 256;

/// Where a worker's events go. A send fails only when the daemon is gone, which the stop flag
/// also says, so the result is not needed.
type EventTx = Box<dyn Fn(Event) + Send>;

/// The host asks for a STATUS this often instead of waiting for the board's own period (~0.7 s,
/// longer on a slow simulated board): blocks are released one round trip after a healthy STATUS,
/// which shortens both the latency and the amount of data held back.
const STATUS_POLL: Duration = Duration::from_millis(250);

/// Runs a source on its own thread, sending into a bounded queue (made with
/// `sync_channel(EVENT_QUEUE)`).
pub fn spawn(
    cfg: WorkerConfig,
    link: Box<dyn Link>,
    tx: SyncSender<Event>,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name(format!("source-{}", cfg.index))
        .spawn(move || Worker::new(cfg, Box::new(move |e| drop(tx.send(e)))).run(link))
        .expect("spawning a source thread")
}

/// Runs a worker on this thread until its (finite) link ends, returning every event: the
/// deterministic path that replay tests and property tests drive.
pub fn run_to_end(cfg: WorkerConfig, link: Box<dyn Link>) -> Vec<Event> {
    let (tx, rx) = std::sync::mpsc::channel();
    Worker::new(cfg, Box::new(move |e| drop(tx.send(e)))).run(link);
    rx.try_iter().collect()
}

pub fn unix_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

struct Worker {
    cfg: WorkerConfig,
    tx: EventTx,
    decoder: Decoder,
    /// Decoder counts from links before the last reconnect.
    prior: DecoderStats,
    gate: Gate,
    attestor: Attestor,
    recovery: Recovery,
    /// Set when the source is failed for good; the read loop then ends the thread.
    failed: Option<String>,
    raw: Option<RawTap>,
    cmd_seq: u16,
    bytes_in: u64,
    bytes_out: u64,
    bad_payload: u64,
    sfp: Option<SfpDiag>,
    last_row: (Instant, u64, u64),
    /// Decode errors counted up to the last STATUS (`Policy::decode_error_limit`).
    errors_at_status: u64,
    /// The board's claimed min-entropy per raw sample, from its last attested STATUS.
    claim: Option<f64>,
    /// The raw tap's live estimate is below the claim (logged once per episode).
    below_claim: bool,
    stale_reported: bool,
    /// When link errors were last logged, and the counts then.
    logged: (Instant, DecoderStats),
}

impl Worker {
    fn new(cfg: WorkerConfig, tx: EventTx) -> Self {
        let raw_mode = cfg.mode == Mode::Raw;
        Worker {
            gate: Gate::new(cfg.spec.to_string(), raw_mode, cfg.status_timeout),
            raw: raw_mode.then(|| RawTap::new(cfg.conditioner, cfg.backend.clone())),
            attestor: Attestor::new(cfg.expected.clone()),
            recovery: Recovery::new(cfg.recovery, wire_mode(cfg.mode)),
            failed: None,
            cfg,
            tx,
            decoder: Decoder::new(),
            prior: DecoderStats::default(),
            cmd_seq: 0,
            bytes_in: 0,
            bytes_out: 0,
            bad_payload: 0,
            sfp: None,
            last_row: (Instant::now(), 0, 0),
            errors_at_status: 0,
            claim: None,
            below_claim: false,
            stale_reported: false,
            logged: (
                Instant::now().checked_sub(Duration::from_secs(1)).unwrap_or_else(Instant::now),
                DecoderStats::default(),
            ),
        }
    }

    fn name(&self) -> String {
        self.cfg.spec.to_string()
    }

    fn run(mut self, link: Box<dyn Link>) {
        let mut link = Some(link);
        let mut backoff = Duration::from_millis(100);
        let mut buf = vec![0u8; 8192];
        let mut greeted = false;
        let mut last_poll = Instant::now();
        while !self.cfg.stop.load(Ordering::Relaxed) {
            let Some(l) = link.as_mut() else {
                self.sleep(backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
                match self.cfg.spec.open(self.cfg.sim_seed) {
                    Ok(l) => {
                        crate::source_log!(info, self.name(), "reconnected");
                        link = Some(l);
                        greeted = false;
                        self.recovery.link_reset();
                        backoff = Duration::from_millis(100);
                    }
                    Err(e) => crate::source_log!(
                        warn,
                        self.name(),
                        "reopen failed ({e}); next try in {:.1} s",
                        backoff.as_secs_f64()
                    ),
                }
                continue;
            };
            if !greeted {
                if let Err(e) = self.greet(l.as_mut()) {
                    crate::source_log!(warn, self.name(), "cannot send commands: {e}");
                }
                greeted = true;
            }
            match l.read(&mut buf) {
                Ok(n) => {
                    self.bytes_in += n as u64;
                    for frame in self.decoder.feed(&buf[..n]) {
                        self.frame(frame);
                        if let Some(reason) = self.failed.take() {
                            (self.tx)(Event::Failed { source: self.cfg.index, reason });
                            return;
                        }
                    }
                    self.log_link_errors();
                    self.tick();
                    if self.cfg.clear.swap(false, Ordering::Relaxed) {
                        match self.recovery.operator_clear(Instant::now()) {
                            Ok(()) => {
                                crate::source_log!(info, self.name(), "cleared by the operator")
                            }
                            Err(e) => crate::source_log!(warn, self.name(), "clear refused: {e}"),
                        }
                    }
                    self.commands(l.as_mut());
                    if last_poll.elapsed() >= STATUS_POLL {
                        last_poll = Instant::now();
                        if let Err(e) = self.send(l.as_mut(), Command::RequestStatus) {
                            crate::source_log!(warn, self.name(), "cannot request STATUS: {e}");
                        }
                    }
                }
                Err(e) if l.finite() => {
                    let reason = format!("{}: {e}", self.name());
                    self.gate.link_lost(&e.to_string());
                    self.emit_row();
                    (self.tx)(Event::Ended { source: self.cfg.index, reason });
                    return;
                }
                Err(e) => {
                    crate::source_log!(
                        warn,
                        self.name(),
                        "link lost ({e}); reconnecting with backoff"
                    );
                    self.gate.link_lost(&e.to_string());
                    self.prior = add_stats(self.prior, self.decoder.stats());
                    self.decoder = Decoder::new();
                    self.attestor.reset();
                    if let Some(r) = self.raw.as_mut() {
                        r.reset();
                    }
                    link = None;
                    self.emit_row();
                }
            }
        }
        (self.tx)(Event::Ended { source: self.cfg.index, reason: "stopped".into() });
    }

    fn sleep(&self, total: Duration) {
        let end = Instant::now() + total;
        while Instant::now() < end && !self.cfg.stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Puts the board in the wanted mode and asks for a STATUS so the first interval starts early.
    fn greet(&mut self, l: &mut dyn Link) -> std::io::Result<()> {
        self.commands(l);
        self.send(l, Command::RequestStatus)
    }

    /// Sends what the recovery state machine wants sent now (SET_MODE, CLEAR_ALARMS, re-sends).
    fn commands(&mut self, l: &mut dyn Link) {
        let was_failed = matches!(self.recovery.state(), State::Failed { .. });
        for c in self.recovery.due(Instant::now()) {
            let seq = self.cmd_seq;
            match self.send(l, c) {
                Ok(()) => self.recovery.sent(c, seq),
                Err(e) => crate::source_log!(warn, self.name(), "cannot send {c:?}: {e}"),
            }
        }
        if was_failed && matches!(self.recovery.state(), State::Recovering { .. }) {
            crate::source_log!(
                info,
                self.name(),
                state = self.recovery.state().name(),
                "recovering: CLEAR_ALARMS sent (re-sent until ACKed); output resumes after the startup test passes"
            );
            self.emit_row();
        }
    }

    fn send(&mut self, l: &mut dyn Link, c: Command) -> std::io::Result<()> {
        let bytes = c.encode(self.cmd_seq);
        self.cmd_seq = self.cmd_seq.wrapping_add(1);
        l.send(&bytes)
    }

    fn frame(&mut self, frame: Frame) {
        let payload = match frame.payload() {
            Ok(p) => p,
            Err(e) => {
                self.bad_payload += 1;
                crate::source_log!(warn, self.name(), "dropped frame: {e}");
                return;
            }
        };
        match payload {
            Payload::Conditioned(blocks) if self.raw.is_none() => {
                blocks.into_iter().for_each(|b| self.gate.block(b))
            }
            Payload::Raw(samples) => {
                if let Some(r) = self.raw.as_mut() {
                    match r.push(&samples) {
                        Ok(blocks) => blocks.into_iter().for_each(|b| self.gate.block(b)),
                        Err(alarm) => self.gate.host_alarm(alarm),
                    }
                }
            }
            // Data of the other mode (a mode switch in flight) is never passed on.
            Payload::Conditioned(_) => {}
            Payload::Status(s) => self.status(&s),
            Payload::SfpDiag(d) => self.sfp = Some(d),
            Payload::Ack(a) => {
                self.recovery.ack(&a);
                if a.result.to_u8() != 0 {
                    crate::source_log!(
                        warn,
                        self.name(),
                        "command 0x{:02x} refused (result {})",
                        a.cmd_type,
                        a.result.to_u8()
                    );
                }
            }
            Payload::Command(_) => self.bad_payload += 1,
        }
    }

    fn status(&mut self, s: &Status) {
        // Attestation comes first: a STATUS whose claim does not hold vouches for nothing.
        match self.attestor.check(s) {
            Ok(None) => {}
            Ok(Some(claim)) => {
                (self.tx)(Event::Attested { source: self.cfg.index, claim });
            }
            Err(e) => {
                let reason = format!("{}: board attestation failed: {e}", self.name());
                // Never recovered (recovery.rs): the row below shows the source `failed-held`.
                self.recovery.fail(Cause::Attestation(e.to_string()), Instant::now());
                self.gate.fail(reason.clone());
                self.emit_row_with(Some(s));
                self.failed = Some(reason);
                return;
            }
        }
        self.claim = Some(f64::from(s.h_milli) / 1000.0);
        if let Some(r) = self.raw.as_mut() {
            // Batched blocks made before this STATUS must be held when it arrives, exactly like
            // the blocks the per-block path handed over as they completed.
            match r.flush() {
                Ok(blocks) => blocks.into_iter().for_each(|b| self.gate.block(b)),
                Err(alarm) => self.gate.host_alarm(alarm),
            }
            if let Err(e) = r.configure(s) {
                self.gate.host_alarm(e);
            }
        }
        let now = Instant::now();
        let st = add_stats(self.prior, self.decoder.stats());
        let errors = st.bad_crc + st.lost + st.unknown_type + self.bad_payload;
        let since = errors - std::mem::replace(&mut self.errors_at_status, errors);
        if let Some(cause) = self.cfg.recovery.decode_failure(since) {
            if let Some(line) = self.recovery.fail(cause, now) {
                self.log_transition(&line, None);
            }
        }
        if let Some(line) = self.recovery.status(s, now) {
            self.log_transition(&line, Some(s));
        }
        let mut released = self.gate.status(s, now);
        if !self.recovery.may_flow() {
            let reason = match self.recovery.state() {
                State::Failed { reason, .. } => reason.clone(),
                State::Recovering { .. } => "recovering: waiting for the startup test".into(),
                State::Healthy => "waiting for the board to show the wanted mode".into(),
            };
            self.gate.suspend(released.len(), &reason);
            released.clear();
        }
        self.stale_reported = false;
        if !released.is_empty() {
            self.bytes_out += 32 * released.len() as u64;
            (self.tx)(Event::Blocks { source: self.cfg.index, blocks: released });
        }
        self.emit_row_with(Some(s));
    }

    fn tick(&mut self) {
        self.gate.tick(Instant::now());
        if !self.gate.verdict().is_healthy() && !self.stale_reported && self.gate_stale() {
            self.stale_reported = true;
            if let Some(line) = self.recovery.fail(Cause::Stale, Instant::now()) {
                self.log_transition(&line, None);
            }
            self.emit_row();
        }
    }

    /// A recovery state change, with the new state (and the board's alarms) as fields.
    fn log_transition(&self, line: &str, s: Option<&Status>) {
        let state = self.recovery.state().name();
        let alarm = s.map(|s| s.alarms.names().join("+")).unwrap_or_default();
        if state == "healthy" {
            crate::source_log!(info, self.name(), state = state, alarm = alarm, "{line}");
        } else {
            crate::source_log!(warn, self.name(), state = state, alarm = alarm, "{line}");
        }
    }

    fn gate_stale(&self) -> bool {
        matches!(self.gate.verdict(), crate::health::Verdict::Unhealthy(r) if r.starts_with("no STATUS"))
    }
}

fn wire_mode(m: Mode) -> WireMode {
    match m {
        Mode::Conditioned => WireMode::Conditioned,
        Mode::Raw => WireMode::Raw,
    }
}
