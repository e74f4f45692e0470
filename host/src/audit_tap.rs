//! `speckle run --audit`: the SP 800-22 battery (speckle-audit) run continuously on a sampled copy
//! of the bytes the daemon has already handed out (docs/host.md, "Continuous audit").
//!
//! Why a copy of the output and not a separate tap: the audit is there to catch what a consumer
//! would receive from a broken conditioner, a framing bug or a stuck path, so it must see exactly
//! those bytes after the mixer and the release gate, not a parallel stream that could differ from
//! them. The bytes it reads have already gone out; the audit never holds output back.
//!
//! Why sampled: the battery costs far more CPU per bit than producing the bit. The tap copies one
//! whole sequence (contiguous output, so the tests see the stream as it is), hands it to the
//! auditor's thread and ignores the output until that thread has finished the sequence and then
//! slept long enough that its CPU time stays under `--audit-cpu` percent of one core. Memory is two
//! sequences at most (the one being collected and the one being tested).

use speckle_audit::report::Report;
use speckle_audit::Auditor;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the daemon audits its output.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditPlan {
    /// Bits per sequence (a multiple of 8: output bytes, most significant bit first).
    pub bits: usize,
    /// Sequences per completed audit (SP 800-22 section 4 judges across them).
    pub sequences: usize,
    /// The auditor's CPU budget, as a fraction of one core.
    pub cpu: f64,
    /// Where each completed audit is also appended (`--audit-log-csv`, `--audit-log-sqlite`),
    /// by the auditor's thread: the main loop never waits on these files.
    pub csv: Option<PathBuf>,
    pub sqlite: Option<PathBuf>,
}

impl AuditPlan {
    /// `--audit-bits`, `--audit-sequences`, `--audit-cpu` (percent), checked.
    pub fn new(bits: u64, sequences: u64, cpu_percent: f64) -> Result<Self, String> {
        if bits < 1000 || !bits.is_multiple_of(8) {
            return Err(format!(
                "--audit-bits {bits}: give a multiple of 8 of at least 1000 (SP 800-22's tests want 1000000)"
            ));
        }
        if sequences == 0 {
            return Err("--audit-sequences 0: give at least 1".into());
        }
        if !(cpu_percent > 0.0 && cpu_percent <= 100.0) {
            return Err(format!("--audit-cpu {cpu_percent}: give a percentage in (0, 100]"));
        }
        Ok(AuditPlan {
            bits: bits as usize,
            sequences: sequences as usize,
            cpu: cpu_percent / 100.0,
            csv: None,
            sqlite: None,
        })
    }

    /// Adds the CSV and SQLite logs, each opened (created if new) now so that a path that cannot
    /// be written ends the command before anything starts. An empty file is a valid SQLite
    /// database; the table comes with the first audit.
    pub fn with_logs(
        mut self,
        csv: Option<PathBuf>,
        sqlite: Option<PathBuf>,
    ) -> Result<Self, String> {
        for (flag, p) in [("--audit-log-csv", &csv), ("--audit-log-sqlite", &sqlite)] {
            if let Some(p) = p {
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| format!("{flag} {}: {e}", p.display()))?;
            }
        }
        (self.csv, self.sqlite) = (csv, sqlite);
        Ok(self)
    }
}

/// A finished audit and what it cost.
pub struct Completed {
    pub report: Report,
    /// The auditor thread's CPU time over the audit's sequences.
    pub cpu: Duration,
    /// Wall time from the first sequence's start to the report.
    pub wall: Duration,
    /// Appending to the CSV or SQLite log failed (the audit itself stands).
    pub log_errors: Vec<String>,
}

/// The main loop's end: offer output bytes, collect finished audits.
pub struct AuditTap {
    plan: AuditPlan,
    collecting: Vec<u8>,
    /// Set by the auditor when it can take the next sequence.
    ready: Arc<AtomicBool>,
    to_auditor: Option<SyncSender<Vec<u8>>>,
    done: Receiver<Completed>,
    /// Output bytes copied into sequences, and bytes the tap let pass while the auditor was busy.
    pub copied: u64,
    pub skipped: u64,
}

impl AuditTap {
    pub fn start(plan: AuditPlan) -> Self {
        let (to_auditor, seqs) = sync_channel::<Vec<u8>>(1);
        let (done_tx, done) = sync_channel(4);
        let ready = Arc::new(AtomicBool::new(true));
        let r = ready.clone();
        let p = plan.clone();
        std::thread::Builder::new()
            .name("audit".into())
            .spawn(move || auditor(p, seqs, done_tx, r))
            .expect("spawning the audit thread");
        AuditTap {
            collecting: Vec::with_capacity(plan.bits / 8),
            plan,
            ready,
            to_auditor: Some(to_auditor),
            done,
            copied: 0,
            skipped: 0,
        }
    }

    /// Bytes just handed out. Copies what the sequence being collected still needs, when the
    /// auditor can take one; otherwise lets them pass uncopied.
    pub fn offer(&mut self, bytes: &[u8]) {
        if !self.ready.load(Ordering::Acquire) {
            self.skipped += bytes.len() as u64;
            return;
        }
        let want = self.plan.bits / 8 - self.collecting.len();
        let take = want.min(bytes.len());
        self.collecting.extend_from_slice(&bytes[..take]);
        self.copied += take as u64;
        self.skipped += (bytes.len() - take) as u64;
        if self.collecting.len() == self.plan.bits / 8 {
            self.ready.store(false, Ordering::Release);
            let seq =
                std::mem::replace(&mut self.collecting, Vec::with_capacity(self.plan.bits / 8));
            if let Some(tx) = &self.to_auditor {
                let _ = tx.try_send(seq);
            }
        }
    }

    /// An audit finished since the last call, if any.
    pub fn completed(&mut self) -> Option<Completed> {
        self.done.try_recv().ok()
    }
}

impl Drop for AuditTap {
    fn drop(&mut self) {
        // Closing the channel ends the auditor's thread after its current sequence.
        self.to_auditor = None;
    }
}

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec, which `ts` is.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The auditor's thread: sequences in, a report every `plan.sequences`, then sleeps so that its
/// CPU time stays within `plan.cpu` of the wall time.
fn auditor(
    plan: AuditPlan,
    seqs: Receiver<Vec<u8>>,
    done: SyncSender<Completed>,
    ready: Arc<AtomicBool>,
) {
    let mut audit = Auditor::new(plan.bits);
    let (mut in_audit, mut cpu, mut started) = (0, Duration::ZERO, None);
    while let Ok(bytes) = seqs.recv() {
        let t0 = thread_cpu();
        started.get_or_insert_with(Instant::now);
        audit.add_sequence(&speckle_audit::stats::unpack_bits(&bytes));
        let used = thread_cpu().saturating_sub(t0);
        cpu += used;
        in_audit += 1;
        if in_audit == plan.sequences {
            let report = audit.report();
            let wall = started.take().map(|s| s.elapsed()).unwrap_or_default();
            let log_errors = append_logs(&plan, &report);
            if done.send(Completed { report, cpu, wall, log_errors }).is_err() {
                return;
            }
            audit = Auditor::new(plan.bits);
            (in_audit, cpu) = (0, Duration::ZERO);
        }
        // Idle for as long as the budget asks: busy / (busy + idle) = plan.cpu.
        std::thread::sleep(used.mul_f64(1.0 / plan.cpu - 1.0));
        ready.store(true, Ordering::Release);
    }
}

/// What the CSV and SQLite logs call the audited stream.
pub const LOG_INPUT: &str = "speckle run output";

fn append_logs(plan: &AuditPlan, report: &Report) -> Vec<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let mut errors = Vec::new();
    if let Some(p) = &plan.csv {
        if let Err(e) = speckle_audit::log::append_csv(p, report, LOG_INPUT, now) {
            errors.push(e.replacen("--log-csv", "--audit-log-csv", 1));
        }
    }
    if let Some(p) = &plan.sqlite {
        if let Err(e) = speckle_audit::log::append_sqlite(p, report, LOG_INPUT, now) {
            errors.push(e.replacen("--log-sqlite", "--audit-log-sqlite", 1));
        }
    }
    errors
}

/// The telemetry row of a finished audit: `source` `audit`, `mode` `audit`, `healthy` = the
/// verdict, `reason` = the failing rows, `audit` = the report (section 4 figures per row) as JSON.
pub fn row(c: &Completed, provenance: &str) -> crate::row::Row {
    let failing: Vec<String> = c
        .report
        .rows
        .iter()
        .filter(|x| x.fails)
        .map(|x| format!("{} {}", x.test, x.label).trim_end().to_string())
        .collect();
    crate::row::Row {
        time_ms: crate::ingest::unix_ms(),
        source: "audit".into(),
        provenance: provenance.into(),
        mode: "audit".into(),
        healthy: c.report.passed,
        reason: failing.join(", "),
        audit: serde_json::to_string(&c.report).unwrap_or_default(),
        ..Default::default()
    }
}

/// One line for the log: the verdict and the rows that failed.
pub fn summary_line(c: &Completed) -> String {
    let r = &c.report;
    let failing: Vec<String> = r
        .rows
        .iter()
        .filter(|x| x.fails)
        .map(|x| format!("{} {}", x.test, x.label).trim_end().to_string())
        .collect();
    let verdict = if r.passed {
        "pass".to_string()
    } else {
        format!("FAIL ({} of {} rows: {})", failing.len(), r.rows.len(), failing.join(", "))
    };
    format!(
        "audit of the output: {} sequences of {} bits: {verdict}; auditor CPU {:.2} s over {:.1} s ({:.1} % of a core)",
        r.sequences,
        r.bits,
        c.cpu.as_secs_f64(),
        c.wall.as_secs_f64(),
        100.0 * c.cpu.as_secs_f64() / c.wall.as_secs_f64().max(1e-9)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait(tap: &mut AuditTap, feed: &mut dyn FnMut(&mut AuditTap), secs: f64) -> Vec<Completed> {
        let (t, mut done) = (Instant::now(), Vec::new());
        while t.elapsed().as_secs_f64() < secs {
            feed(tap);
            done.extend(tap.completed());
            std::thread::sleep(Duration::from_millis(1));
        }
        done
    }

    /// Output offered as fast as the loop can: the auditor takes one sequence at a time, lets the
    /// rest pass and keeps its CPU time near the budget; SHA3 output passes, constant output fails.
    #[test]
    fn the_auditor_keeps_to_its_cpu_budget_and_judges_the_stream() {
        use sha3::Digest;
        let plan = AuditPlan::new(200_000, 1, 10.0).unwrap();
        let mut tap = AuditTap::start(plan.clone());
        // SHA3 of counters from 2^40: the stream from 1 happens to hold a NonOverlappingTemplate
        // p-value of 3.5e-6 in its first 200 000 bits (checked by hand), a fluke of that data.
        let mut counter = 1u64 << 40;
        let start = Instant::now();
        let done = wait(
            &mut tap,
            &mut |t| {
                let chunk: Vec<u8> = (0..128)
                    .flat_map(|_| {
                        counter += 1;
                        sha3::Sha3_256::digest(counter.to_le_bytes())
                    })
                    .collect();
                t.offer(&chunk);
            },
            6.0,
        );
        let wall = start.elapsed().as_secs_f64();
        assert!(done.len() >= 2, "{} audits", done.len());
        for c in &done {
            assert!(c.report.passed, "SHA3 output failed the battery: {}", summary_line(c));
        }
        let cpu: f64 = done.iter().map(|c| c.cpu.as_secs_f64()).sum();
        assert!(cpu / wall <= 0.10 * 1.3, "auditor used {:.1} % of a core", 100.0 * cpu / wall);
        assert!(tap.skipped > tap.copied, "most output passes uncopied at this budget");
        assert_eq!(tap.copied % 25_000, 0, "whole sequences only");

        let dir = std::env::temp_dir().join(format!("speckle-audit-tap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (csv, db) = (dir.join("audits.csv"), dir.join("audits.sqlite"));
        let plan = AuditPlan::new(8_000, 2, 100.0)
            .unwrap()
            .with_logs(Some(csv.clone()), Some(db.clone()))
            .unwrap();
        let mut tap = AuditTap::start(plan);
        let done = wait(&mut tap, &mut |t| t.offer(&[0u8; 32]), 1.0);
        let c = done.first().expect("an audit of constant output");
        assert!(!c.report.passed);
        let line = summary_line(c);
        assert!(
            line.contains("2 sequences of 8000 bits: FAIL")
                && line.contains("(10 of ")
                && line.contains(": Frequency, BlockFrequency,"),
            "{line}"
        );
        let row = row(c, "simulated");
        assert_eq!(
            (row.source.as_str(), row.mode.as_str(), row.healthy),
            ("audit", "audit", false)
        );
        let json: serde_json::Value = serde_json::from_str(&row.audit).unwrap();
        assert_eq!(json["sequences"], 2);
        // The audit is in both logs, one line / row per report row, once per completed audit.
        assert!(c.log_errors.is_empty(), "{:?}", c.log_errors);
        let text = std::fs::read_to_string(&csv).unwrap();
        // Header, then the same rows per audit: every audit `wait` saw, and any that completed
        // between its return and this read.
        let rows = c.report.rows.len();
        let logged = text.lines().count() - 1;
        assert!(
            logged % rows == 0 && logged >= rows * done.len(),
            "{logged} rows, {rows} per audit"
        );
        assert!(text.lines().nth(1).unwrap().contains(",speckle run output,2,8000,false,"));
        let sqlite = std::fs::metadata(&db).unwrap().len();
        assert!(sqlite > 0, "the SQLite log holds the audit");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_plans_name_the_flag() {
        assert!(AuditPlan::new(1001, 1, 5.0).unwrap_err().contains("--audit-bits 1001"));
        assert!(AuditPlan::new(8000, 0, 5.0).unwrap_err().contains("--audit-sequences 0"));
        assert!(AuditPlan::new(8000, 1, 0.0).unwrap_err().contains("--audit-cpu 0"));
        let e = AuditPlan::new(8000, 1, 5.0)
            .unwrap()
            .with_logs(Some("/nonexistent/dir/a.csv".into()), None)
            .unwrap_err();
        assert!(e.starts_with("--audit-log-csv /nonexistent/dir/a.csv: "), "{e}");
    }
}
