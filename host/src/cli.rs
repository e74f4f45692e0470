//! Command-line interface. Every `run` option is an `Option` so that a config file can fill in what
//! the command line left out: the command line wins, then the file, then the built-in default.

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "speckle",
    version,
    // What `--version` prints (host/build.rs, docs/release.md): the commit and the gateware hash
    // tell which FPGA build this daemon speaks to.
    long_version = concat!(
        env!("CARGO_PKG_VERSION"),
        "\nsource commit: ",
        env!("SPECKLE_SOURCE_COMMIT"),
        "\ngateware sha256: ",
        env!("SPECKLE_GATEWARE_SHA256")
    ),
    about = "Host daemon for Speckle optical-speckle TRNG boards",
    long_about = "Reads framed output from one or more Speckle boards (serial, FTDI D2XX, simulated, or a \
                  capture file), re-checks their health, passes only healthy conditioned bytes to the \
                  chosen sinks (stdout, file, FIFO, the kernel entropy pool) and logs telemetry."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Stream healthy conditioned bytes from boards into sinks.
    Run(Box<RunArgs>),
    /// Record raw samples (one per byte, 0/1) for SP 800-90B `ea_non_iid`.
    Capture(CaptureArgs),
    /// Run a simulated board on a pseudo-terminal (what `--source sim:NAME` starts in-process).
    #[cfg(feature = "sim")]
    Sim(speckle_sim::SimArgs),
    /// Full-screen terminal monitor of a daemon's status socket or simulated boards (writes no entropy).
    #[cfg(feature = "monitor")]
    Monitor(speckle_monitor::MonitorArgs),
    /// The monitor's views in a browser, behind a passkey login (writes no entropy).
    #[cfg(feature = "monitor")]
    Web(speckle_web::WebArgs),
    // A build without these features keeps the words, hidden (no help line, no man page), so that
    // they fail with a message naming the feature (crate::features) instead of clap's bare
    // "unrecognized subcommand".
    #[cfg(not(feature = "sim"))]
    #[command(hide = true, disable_help_flag = true)]
    Sim(crate::features::Absent),
    #[cfg(not(feature = "monitor"))]
    #[command(hide = true, disable_help_flag = true)]
    Monitor(crate::features::Absent),
    #[cfg(not(feature = "monitor"))]
    #[command(hide = true, disable_help_flag = true)]
    Web(crate::features::Absent),
    /// SP 800-90B non-IID min-entropy assessment of a raw capture (`speckle capture` output).
    Assess(speckle_assess::AssessArgs),
    /// NIST SP 800-22 battery (and paranoid_crypto-style checks) over a file or a source.
    Audit(speckle_audit::AuditArgs),
    /// Measure per-stage throughput against rngtest and b3sum; writes a markdown report.
    Bench(BenchArgs),
    /// Telemetry files: `recover DIR` turns the journals a killed daemon left into parquet files.
    #[command(subcommand)]
    Telemetry(TelemetryCommand),
    /// Requests to a running daemon over its status socket.
    #[command(subcommand)]
    Ctl(CtlCommand),
    /// Print a shell completion script to stdout.
    Completions {
        /// Shell to generate completions for.
        shell: clap_complete::Shell,
    },
    /// Write man pages (speckle.1 and one per subcommand) generated from these definitions.
    #[command(hide = true)]
    Manpages {
        /// Directory to write them into (created if missing).
        dir: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum CtlCommand {
    /// Clear a source held failed (over-power interlock, recovery cap): the daemon sends
    /// CLEAR_ALARMS now and output resumes once the board's startup test passes. An attestation
    /// mismatch is refused (restart after fixing the board or the profile).
    Clear {
        /// The source as the daemon names it (e.g. `sim:saturation`, `serial:/dev/ttyUSB0@1000000`).
        source: String,
        /// The daemon's `--status-socket`.
        #[arg(long, value_name = "PATH", default_value = "/run/speckle/status.sock")]
        status_socket: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The board conditions (SHA3-256 on the FPGA); the host re-checks STATUS frames.
    Conditioned,
    /// The board sends raw samples; the host runs RCT/APT/Markov and conditions itself.
    Raw,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mix {
    /// Pass each source's healthy blocks on as they arrive.
    Concat,
    /// XOR one 32-byte block from every healthy source into one output block.
    Xor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Whiten {
    Cpu,
    Gpu,
    Auto,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Conditioner {
    /// SHA3-256 of n_in-bit blocks: the FPGA's own construction.
    Sha3,
    /// BLAKE3 of n_in-bit blocks, 32-byte output.
    Blake3,
}

/// One source: a `--source` word, or one `source` entry of the config file, which may also name
/// the profile that source's board must attest: `{ source = "serial:/dev/ttyUSB1@2000000",
/// profile = "ecp5" }` beside plain strings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceArg {
    pub spec: String,
    pub profile: Option<String>,
}

impl SourceArg {
    fn from_cli(text: &str) -> Result<Self, String> {
        Ok(SourceArg { spec: text.to_string(), profile: None })
    }
}

impl<'de> Deserialize<'de> for SourceArg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SourceArg;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a source string or a table { source = \"...\", profile = \"...\" }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SourceArg, E> {
                Ok(SourceArg { spec: v.to_string(), profile: None })
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<SourceArg, M::Error> {
                let (mut spec, mut profile) = (None, None);
                while let Some(key) = m.next_key::<String>()? {
                    match key.as_str() {
                        "source" => spec = Some(m.next_value::<String>()?),
                        "profile" => profile = Some(m.next_value::<String>()?),
                        other => {
                            return Err(serde::de::Error::unknown_field(
                                other,
                                &["source", "profile"],
                            ))
                        }
                    }
                }
                let spec = spec.ok_or_else(|| serde::de::Error::missing_field("source"))?;
                Ok(SourceArg { spec, profile })
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Parses a TOML document, saying where it went wrong: `{what} line N: message`.
pub fn from_toml<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, String> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1).unwrap_or(1);
        format!("{what} line {line}: {}", e.message().trim_end())
    })
}

/// Options of `speckle run`; the same keys (with `-` → `_`) are valid in the TOML config file.
#[derive(Args, Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunArgs {
    /// TOML config file (see packaging/speckle.toml); command-line options override it.
    #[arg(long, value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Sources, comma separated: serial:PATH[@BAUD], ftdi:SERIAL[@BAUD], sim:SCENARIO[@ONSET],
    /// file:PATH, or any[@BAUD] for every USB serial port present.
    #[arg(long, short = 'I', value_name = "SRC[,SRC...]", value_delimiter = ',', value_parser = SourceArg::from_cli)]
    #[serde(default)]
    pub source: Vec<SourceArg>,
    /// The profile every source's board must attest in its STATUS: ice40, ecp5, ice40-ddr,
    /// ecp5-ddr, or a TOML file of h_claim, alpha_log2, window, n_in, fold_k, oversample,
    /// vn_enable (and optionally ddr). A board that differs is failed before any of its bytes pass.
    #[arg(long, value_name = "ice40|ecp5|ice40-ddr|ecp5-ddr|FILE")]
    pub profile: Option<String>,
    /// conditioned (board conditions) or raw (host runs health tests and conditions).
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// How several healthy sources are combined.
    #[arg(long, value_enum)]
    pub mix: Option<Mix>,
    /// Host conditioner in raw mode.
    #[arg(long, value_enum)]
    pub conditioner: Option<Conditioner>,
    /// Where raw-mode SHA3 conditioning runs (gpu-offload); gpu falls back to the CPU if no GPU opens.
    #[arg(long, value_enum)]
    pub whiten: Option<Whiten>,
    /// Sinks (repeatable or comma separated): stdout, file:PATH, fifo:PATH, kernel.
    #[arg(long, value_name = "SINK", value_delimiter = ',')]
    #[serde(default)]
    pub output: Vec<String>,
    /// Entropy credited to the kernel per byte written (bits, 0 < x <= 8); default 4.
    #[arg(long, value_name = "BITS")]
    pub entropy_per_byte: Option<f64>,
    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,
    /// Stop after this many output bytes.
    #[arg(long, value_name = "N")]
    pub bytes: Option<u64>,
    /// A source whose last STATUS is older than this is treated as failed (seconds, default 3).
    #[arg(long, value_name = "SECS")]
    pub status_timeout: Option<f64>,
    /// Wait before recovering a failed source: MIN,MAX seconds, doubling per failure from MIN to
    /// MAX (default 1,300); see docs/host.md "Recovery".
    #[arg(long, value_name = "MIN,MAX")]
    pub recovery_backoff: Option<String>,
    /// At most this many automatic recoveries per source per hour; one more failure leaves the
    /// source failed until `speckle ctl clear` or a restart (default 10).
    #[arg(long, value_name = "N")]
    pub recovery_cap: Option<u32>,
    /// More decode errors (bad CRC, lost frames, bad payloads) than this between two STATUS frames
    /// fail the source like an alarm (default 16; 0: never).
    #[arg(long, value_name = "N")]
    pub decode_error_limit: Option<u64>,
    /// Where log lines go: `journald` (with the fields SPECKLE_SOURCE, SPECKLE_STATE,
    /// SPECKLE_ALARM), `stderr`, or `auto`: journald when systemd reads stderr, else stderr.
    #[arg(long, value_enum, value_name = "TARGET")]
    pub log: Option<crate::log::LogTarget>,
    /// Directory for rolling parquet telemetry files (off when absent).
    #[arg(long, value_name = "DIR")]
    pub telemetry_dir: Option<PathBuf>,
    /// Turn the telemetry journal into a parquet file after this many seconds (default 300).
    #[arg(long, value_name = "SECS")]
    pub telemetry_rotate: Option<f64>,
    /// A telemetry row is on disk (fdatasync) at most this many seconds after it is made (default
    /// 10): the most a power loss can take. A kill loses no row already written to the journal.
    #[arg(long, value_name = "SECS")]
    pub telemetry_flush: Option<f64>,
    /// Unix-domain socket streaming telemetry as JSON lines.
    #[arg(long, value_name = "PATH")]
    pub status_socket: Option<PathBuf>,
    /// Print a one-line summary per second on stderr.
    #[arg(long)]
    #[serde(default)]
    pub summary: bool,
    /// Seed of simulated boards (sim: sources).
    #[arg(long)]
    pub sim_seed: Option<u64>,
    /// Bytes each output may have waiting for its reader (default 1048576). Every output is written
    /// on its own thread; what does not fit in a slow output's backlog is dropped for that output
    /// alone and counted (telemetry `sink_dropped_bytes`), so the others go on.
    #[arg(long, value_name = "BYTES")]
    pub sink_backlog: Option<u64>,
    /// End the run with exit status 1 when no source has been healthy for this many seconds,
    /// counted from the start or from the last healthy moment (default 600), so that systemd's
    /// Restart=on-failure and the unit's state show a board that stays unhealthy.
    #[arg(long, value_name = "SECS")]
    pub unhealthy_exit_after: Option<f64>,
    /// Serve Prometheus metrics (text format, GET /metrics) on ADDR: PORT or :PORT bind 127.0.0.1,
    /// IP:PORT binds that address (off when absent; docs/fleet.md).
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<String>,
    /// Serve the healthy conditioned stream over the EGD protocol (QEMU's rng-egd, libvirt's
    /// egd backend) on a Unix socket PATH or 127.0.0.1:PORT; each byte goes to one client, and
    /// never with `--output kernel` (docs/fleet.md).
    #[arg(long, value_name = "PATH|ADDR")]
    pub egd: Option<String>,
    /// Let `--egd` serve simulated or replayed bytes, which are not entropy: for tests only.
    #[arg(long)]
    #[serde(default)]
    pub egd_serve_non_entropy_for_tests: bool,
    /// Run the SP 800-22 battery continuously on a sampled copy of the output (docs/host.md,
    /// "Continuous audit"); each completed audit is logged and written to telemetry.
    #[arg(long)]
    #[serde(default)]
    pub audit: bool,
    /// Bits per audited sequence (default 1000000).
    #[arg(long, value_name = "BITS")]
    pub audit_bits: Option<u64>,
    /// Sequences per completed audit (default 10).
    #[arg(long, value_name = "N")]
    pub audit_sequences: Option<u64>,
    /// The auditor's CPU budget in percent of one core (default 5).
    #[arg(long, value_name = "PERCENT")]
    pub audit_cpu: Option<f64>,
    /// Also append each completed audit to this CSV file (one line per test and p-value).
    #[arg(long, value_name = "FILE")]
    pub audit_log_csv: Option<PathBuf>,
    /// Also append each completed audit to this SQLite database (one transaction per audit).
    #[arg(long, value_name = "FILE")]
    pub audit_log_sqlite: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum TelemetryCommand {
    /// Turn every journal in DIR into its parquet file (what `speckle run` does when it starts);
    /// refused while a daemon holds DIR.
    Recover {
        /// The telemetry directory (`--telemetry-dir` of the daemon).
        dir: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct CaptureArgs {
    /// One source: serial:PATH[@BAUD], ftdi:SERIAL[@BAUD], sim:SCENARIO, file:PATH.
    #[arg(long, value_name = "SRC")]
    pub source: String,
    /// Capture raw samples (the only kind of capture; required so the intent is explicit).
    #[arg(long, required = true)]
    pub raw: bool,
    /// Samples to record (ignored with --restart, which records restarts × restart-samples).
    #[arg(long, default_value_t = 1_000_000)]
    pub samples: u64,
    /// SP 800-90B §3.1.4 restart layout: clear alarms between restarts, keep the first samples of each.
    #[arg(long)]
    pub restart: bool,
    /// Number of restarts with --restart.
    #[arg(long, default_value_t = 1000)]
    pub restarts: u32,
    /// Samples kept per restart with --restart.
    #[arg(long, default_value_t = 1000)]
    pub restart_samples: u32,
    /// Output file: one byte per sample, value 0 or 1.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    /// Give up after this many seconds without enough samples.
    #[arg(long, default_value_t = 600.0)]
    pub timeout: f64,
    /// Seed of simulated boards (sim: sources).
    #[arg(long, default_value_t = 1)]
    pub sim_seed: u64,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// MiB of generated input per stage.
    #[arg(long, default_value_t = 16)]
    pub mib: usize,
    /// Repetitions per stage; medians are reported.
    #[arg(long, default_value_t = 5)]
    pub reps: usize,
    /// Markdown report to write.
    #[arg(long, default_value = "docs/host-bench.md")]
    pub report: PathBuf,
    /// gpu: gpu-offload's CPU-vs-GPU whitening benchmark instead of the host stages.
    #[arg(long, value_enum)]
    pub whiten: Option<Whiten>,
    /// With --whiten gpu: also write the page to docs/gpu-bench.md (the same page as `make bench-gpu`).
    #[arg(long)]
    pub write_doc: bool,
}
