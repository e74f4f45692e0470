//! `speckle audit`: the NIST SP 800-22 rev. 1a battery, two of google/paranoid_crypto's extra
//! bit-stream tests, and SP 800-22 section 4's proportion and uniformity checks across sequences
//! (docs/audit.md). Statistical tests cannot show entropy, that is `speckle assess`'s job; they
//! catch a broken conditioner, a framing bug or a stuck path.
//!
//! Memory is bounded by one sequence: the battery reads the stream sequence by sequence and keeps
//! only p-values between them, so an unbounded stream is audited in bounded memory.

pub mod log;
pub mod report;
pub mod stats;
pub mod tests;

use clap::Args;
use report::{Report, Row};
use std::io::Read;
use std::path::PathBuf;

/// Arguments of `speckle audit`.
#[derive(Args, Debug, Clone)]
pub struct AuditArgs {
    /// File to audit (conditioned bytes, or with --raw one sample per byte).
    #[arg(required_unless_present = "source", conflicts_with = "source")]
    pub file: Option<PathBuf>,
    /// Audit a source instead of a file: any `speckle run --source` spec (e.g. `sim:optimal`).
    #[arg(long, value_name = "SRC")]
    pub source: Option<String>,
    /// Input is raw samples, one per byte (0 or 1), as `speckle capture` writes them; from a
    /// source, audit its raw tap.
    #[arg(long, conflicts_with = "conditioned")]
    pub raw: bool,
    /// Input is conditioned bytes, 8 bits each, most significant first (the default).
    #[arg(long)]
    pub conditioned: bool,
    /// Number of sequences.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub sequences: u64,
    /// Bits per sequence (a multiple of 8 for conditioned input; SP 800-22's tests need up to
    /// 10^6 bits each for all of them to apply).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub bits: u64,
    /// Print the report as JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Seed of simulated boards (sim: sources).
    #[arg(long, default_value_t = 1)]
    pub sim_seed: u64,
    /// With --source, give up after this many seconds without enough data.
    #[arg(long, default_value_t = 600.0)]
    pub timeout: f64,
    /// Append the completed audit to this CSV file (one line per report row; header when new).
    #[arg(long, value_name = "FILE")]
    pub log_csv: Option<PathBuf>,
    /// Append the completed audit to this SQLite database (tables `audits`, `audit_rows`).
    #[arg(long, value_name = "FILE")]
    pub log_sqlite: Option<PathBuf>,
}

/// Runs the battery over sequences and keeps what section 4 needs: memory does not grow with the
/// number of sequences beyond one p-value per row and sequence.
pub struct Auditor {
    bits: usize,
    rows: Vec<Row>,
    sequences: usize,
    /// Each row's p-value on the latest sequence (None: the test did not apply to it).
    last: Vec<Option<f64>>,
}

impl Auditor {
    /// An auditor for sequences of `bits` bits.
    pub fn new(bits: usize) -> Self {
        let rows = report::empty_rows(bits);
        let last = vec![None; rows.len()];
        Auditor { bits, rows, sequences: 0, last }
    }

    /// Each row's p-value on the latest sequence, in report order (None where it did not apply).
    pub fn last(&self) -> &[Option<f64>] {
        &self.last
    }

    /// Sequences audited so far.
    pub fn sequences(&self) -> usize {
        self.sequences
    }

    /// Runs every test on one sequence of 0/1 bytes.
    pub fn add_sequence(&mut self, seq: &[u8]) {
        assert_eq!(seq.len(), self.bits, "sequence length");
        self.record(run_battery(seq));
    }

    /// Runs every test on several sequences at once, one thread per sequence up to `threads`,
    /// and records them in order: the report is the same as from `add_sequence` one by one.
    /// Sequences are independent, so this is where the battery scales with cores.
    pub fn add_sequences(&mut self, seqs: &[Vec<u8>], threads: usize) {
        for chunk in seqs.chunks(threads.max(1)) {
            let results: Vec<Vec<TestOutput>> = std::thread::scope(|sc| {
                let handles: Vec<_> = chunk
                    .iter()
                    .map(|seq| {
                        assert_eq!(seq.len(), self.bits, "sequence length");
                        sc.spawn(move || run_battery(seq))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().expect("a battery thread panicked")).collect()
            });
            for r in results {
                self.record(r);
            }
        }
    }

    fn record(&mut self, outputs: Vec<TestOutput>) {
        let mut row = 0;
        for (t, out) in tests::BATTERY.iter().zip(outputs) {
            let n = (t.labels)(self.bits).len();
            match out {
                Ok(p) => {
                    debug_assert_eq!(p.len(), n, "{}", t.name);
                    for (i, p) in (row..row + n).zip(p) {
                        self.rows[i].p_values.push(p);
                        self.last[i] = Some(p);
                    }
                }
                Err(why) => {
                    for i in row..row + n {
                        self.rows[i].not_applicable += 1;
                        self.rows[i].reason = Some(why.clone());
                        self.last[i] = None;
                    }
                }
            }
            row += n;
        }
        self.sequences += 1;
    }

    /// Section 4 over the sequences so far.
    pub fn report(&self) -> Report {
        report::summarise(&self.rows, self.sequences, self.bits)
    }
}

/// One test's p-values on a sequence, or why it did not apply.
type TestOutput = Result<Vec<f64>, String>;

fn run_battery(seq: &[u8]) -> Vec<TestOutput> {
    tests::BATTERY.iter().map(|t| (t.run)(seq)).collect()
}

/// Refuses arguments the battery cannot use, before any data is read.
pub fn check_args(args: &AuditArgs) -> Result<(), String> {
    bytes_per_sequence(args).map(|_| ())
}

/// Bytes per sequence and how to turn them into bits.
fn bytes_per_sequence(args: &AuditArgs) -> Result<usize, String> {
    if args.raw {
        Ok(args.bits as usize)
    } else if !args.bits.is_multiple_of(8) {
        Err(format!(
            "--bits {} is not a multiple of 8 (conditioned input is whole bytes)",
            args.bits
        ))
    } else {
        Ok(args.bits as usize / 8)
    }
}

/// Reads `--sequences` sequences from `input` and runs the battery. Raw input must be 0/1 bytes.
pub fn audit_reader(args: &AuditArgs, mut input: impl Read, what: &str) -> Result<Report, String> {
    let per = bytes_per_sequence(args)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut auditor = Auditor::new(args.bits as usize);
    let mut buf = vec![0u8; per];
    // Read as many sequences as there are cores, then test them at once: memory stays bounded
    // by one sequence per core.
    let mut batch = Vec::with_capacity(threads);
    for i in 0..args.sequences {
        read_full(&mut input, &mut buf).map_err(|got| {
            format!(
                "{what}: ends in sequence {} of {} ({} of {per} bytes); {} sequences of {} bits need {} bytes",
                i + 1,
                args.sequences,
                got,
                args.sequences,
                args.bits,
                per as u64 * args.sequences
            )
        })?;
        let bits = if args.raw {
            if let Some(pos) = buf.iter().position(|&b| b > 1) {
                return Err(format!(
                    "{what}: byte {} is {}, raw input is one sample per byte, 0 or 1",
                    i * per as u64 + pos as u64,
                    buf[pos]
                ));
            }
            buf.clone()
        } else {
            stats::unpack_bits(&buf)
        };
        batch.push(bits);
        if batch.len() == threads {
            auditor.add_sequences(&batch, threads);
            batch.clear();
        }
    }
    auditor.add_sequences(&batch, threads);
    Ok(auditor.report())
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<(), usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => return Err(got),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(got),
        }
    }
    Ok(())
}

/// Logs the report where `--log-csv` / `--log-sqlite` ask, prints it (table or JSON) on stdout;
/// a failed verdict becomes the error line, so that the command exits non-zero. A failed audit is
/// logged too: the log is the history, failures included.
pub fn finish(args: &AuditArgs, report: &Report, input: &str) -> Result<(), String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    if let Some(p) = &args.log_csv {
        log::append_csv(p, report, input, now)?;
    }
    if let Some(p) = &args.log_sqlite {
        log::append_sqlite(p, report, input, now)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(report).map_err(|e| e.to_string())?);
    } else {
        print!("{}", report.table());
    }
    if report.passed {
        Ok(())
    } else {
        let n = report.rows.iter().filter(|r| r.fails).count();
        Err(format!(
            "audit failed: {n} of {} rows fail (marked FAIL in the report)",
            report.rows.len()
        ))
    }
}

/// Runs `speckle audit FILE`. `--source` is the host's (host/src/audit_cmd.rs): reading a board
/// needs the source code of the `speckle` crate, which depends on this one.
pub fn run(args: AuditArgs) -> Result<(), String> {
    check_args(&args)?;
    let path = args.file.as_ref().ok_or("audit: give a FILE or --source SRC")?;
    let f = std::fs::File::open(path).map_err(|e| format!("audit {}: {e}", path.display()))?;
    let input = path.display().to_string();
    let report = audit_reader(&args, std::io::BufReader::new(f), &input)?;
    finish(&args, &report, &input)
}

#[cfg(test)]
mod tests_auditor {
    use super::*;

    #[test]
    fn sequences_in_parallel_give_the_report_of_one_by_one() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let seqs: Vec<Vec<u8>> = (0..3)
            .map(|_| {
                (0..20_000)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        (x >> 40) as u8 & 1
                    })
                    .collect()
            })
            .collect();
        let mut one = Auditor::new(20_000);
        for s in &seqs {
            one.add_sequence(s);
        }
        let mut par = Auditor::new(20_000);
        par.add_sequences(&seqs, 2);
        let (a, b) = (one.report(), par.report());
        assert_eq!(a.rows.len(), b.rows.len());
        for (ra, rb) in a.rows.iter().zip(&b.rows) {
            assert_eq!(
                (ra.test, &ra.label, ra.tested, ra.passed),
                (rb.test, &rb.label, rb.tested, rb.passed)
            );
            assert_eq!(ra.min_p, rb.min_p);
        }
        assert_eq!(one.last(), par.last());
        assert_eq!(par.sequences(), 3);
    }
}
