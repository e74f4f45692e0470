//! `speckle run`: opens sources and sinks, mixes released blocks, enforces limits, fans telemetry out.

use crate::attest::{Claim, Expected};
use crate::cli::{Conditioner, Mix, Mode, RunArgs, SourceArg, Whiten};
use crate::ingest::{self, Event, WorkerConfig};
use crate::mix::Mixer;
use crate::provenance;
use crate::row::Row;
use crate::sink::{check_entropy_per_byte, Sink, SinkSpec, DEFAULT_ENTROPY_PER_BYTE};
use crate::source::SourceSpec;
use crate::status_socket::StatusSocket;
use crate::telemetry::Telemetry;
use crate::whiten::SharedBackend;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Command line over config file over defaults.
pub fn merge_config(cli: RunArgs) -> Result<RunArgs, String> {
    let Some(path) = cli.config.clone() else { return Ok(cli) };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
    let file: RunArgs = crate::cli::from_toml(&format!("config {}", path.display()), &text)?;
    // A profile on the command line is every source's; otherwise a source's own entry in the file
    // wins over the file's `profile` key.
    let source = if cli.source.is_empty() { file.source } else { cli.source };
    let source = source
        .into_iter()
        .map(|s| SourceArg {
            profile: cli.profile.clone().or(s.profile).or(file.profile.clone()),
            ..s
        })
        .collect();
    Ok(RunArgs {
        config: cli.config,
        source,
        profile: cli.profile.or(file.profile),
        mode: cli.mode.or(file.mode),
        mix: cli.mix.or(file.mix),
        conditioner: cli.conditioner.or(file.conditioner),
        whiten: cli.whiten.or(file.whiten),
        output: if cli.output.is_empty() { file.output } else { cli.output },
        entropy_per_byte: cli.entropy_per_byte.or(file.entropy_per_byte),
        duration: cli.duration.or(file.duration),
        bytes: cli.bytes.or(file.bytes),
        status_timeout: cli.status_timeout.or(file.status_timeout),
        telemetry_dir: cli.telemetry_dir.or(file.telemetry_dir),
        telemetry_rotate: cli.telemetry_rotate.or(file.telemetry_rotate),
        status_socket: cli.status_socket.or(file.status_socket),
        summary: cli.summary || file.summary,
        sim_seed: cli.sim_seed.or(file.sim_seed),
    })
}

fn positive(name: &str, v: Option<f64>, default: f64) -> Result<f64, String> {
    match v {
        None => Ok(default),
        Some(x) if x > 0.0 && x.is_finite() => Ok(x),
        Some(x) => Err(format!("--{name} {x}: must be a positive number of seconds")),
    }
}

pub fn run(args: RunArgs) -> Result<(), String> {
    let args = merge_config(args)?;
    if args.source.is_empty() {
        return Err("no --source given: name at least one of serial:PATH[@BAUD], ftdi:SERIAL[@BAUD], sim:SCENARIO, file:PATH".into());
    }
    // Each source with the profile its board must attest (`any` gives every port its entry's).
    let mut sources: Vec<(SourceSpec, Option<Expected>)> = Vec::new();
    for entry in &args.source {
        let expected =
            entry.profile.as_deref().or(args.profile.as_deref()).map(Expected::load).transpose()?;
        for spec in SourceSpec::expand(&entry.spec)? {
            sources.push((spec, expected.clone()));
        }
    }
    let specs: Vec<SourceSpec> = sources.iter().map(|(s, _)| s.clone()).collect();
    let mode = args.mode.unwrap_or(Mode::Conditioned);
    let mix = args.mix.unwrap_or(Mix::Concat);
    let epb = check_entropy_per_byte(args.entropy_per_byte.unwrap_or(DEFAULT_ENTROPY_PER_BYTE))?;
    let outputs =
        if args.output.is_empty() { vec!["stdout".to_string()] } else { args.output.clone() };
    let sink_specs = outputs.iter().map(|s| SinkSpec::parse(s)).collect::<Result<Vec<_>, _>>()?;
    // Before anything is opened: a refused run starts no simulated board and writes nothing.
    provenance::check(&specs, &sink_specs)?;
    let duration = args
        .duration
        .map(|d| positive("duration", Some(d), 0.0))
        .transpose()?
        .map(Duration::from_secs_f64);
    let status_timeout =
        Duration::from_secs_f64(positive("status-timeout", args.status_timeout, 3.0)?);
    let rotate =
        Duration::from_secs_f64(positive("telemetry-rotate", args.telemetry_rotate, 300.0)?);
    let conditioner = args.conditioner.unwrap_or(Conditioner::Sha3);
    // Opened once, before any source, so a GPU problem is reported once and every source shares it.
    let backend = match mode {
        Mode::Raw => SharedBackend::open(args.whiten.unwrap_or(Whiten::Cpu), conditioner)?,
        Mode::Conditioned => None,
    };
    let mut sinks = sink_specs.iter().map(|s| Sink::open(s, epb)).collect::<Result<Vec<_>, _>>()?;
    let mut telemetry =
        args.telemetry_dir.as_deref().map(|d| Telemetry::new(d, rotate)).transpose()?;
    let mut socket = args.status_socket.as_deref().map(StatusSocket::bind).transpose()?;

    // Every source must open once: a typo should fail the command, not retry forever.
    let stop = Arc::new(AtomicBool::new(false));
    let seed = args.sim_seed.unwrap_or(1);
    let mut links = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        links.push(spec.open(seed.wrapping_add(i as u64))?);
    }
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let (tx, rx) = mpsc::channel();
    let mut threads = Vec::new();
    for (i, ((spec, expected), link)) in sources.into_iter().zip(links).enumerate() {
        let cfg = WorkerConfig {
            index: i,
            spec,
            expected,
            mode,
            conditioner,
            backend: backend.clone(),
            status_timeout,
            sim_seed: seed.wrapping_add(i as u64),
            stop: stop.clone(),
        };
        threads.push(ingest::spawn(cfg, link, tx.clone()));
    }
    drop(tx);

    let n = specs.len();
    let mut mixer = Mixer::new(mix, n);
    let start = Instant::now();
    let mut written: u64 = 0;
    let mut summary = Summary::new(args.summary);
    let mut credit = Credit::new(epb, sinks.iter().any(|s| s.credited().is_some()));
    let mut failed = Vec::new();
    let mut result = Ok(());
    'main: loop {
        if INTERRUPTED.load(Ordering::SeqCst) || duration.is_some_and(|d| start.elapsed() >= d) {
            break;
        }
        let event = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(e) => Some(e),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        match event {
            Some(Event::Blocks { source, blocks }) => mixer.add(source, blocks),
            Some(Event::Row { source, row }) => {
                mixer.set_health(source, row.healthy);
                summary.row(&row);
                if let Some(t) = telemetry.as_mut() {
                    if let Err(e) = t.push(&row) {
                        eprintln!("speckle: telemetry: {e}");
                    }
                }
                if let Some(s) = socket.as_mut() {
                    s.send(&row);
                }
            }
            Some(Event::Attested { source, claim }) => {
                eprintln!(
                    "speckle: {}: board attests {claim}: supports {} bits of entropy per output byte",
                    specs[source],
                    claim.creditable_bits_per_byte()
                );
                if let Some(notice) = credit.attested(&specs[source], &claim, &mut sinks) {
                    eprintln!("speckle: {notice}");
                }
            }
            Some(Event::Ended { source, reason }) => {
                eprintln!("speckle: source ended: {reason}");
                mixer.end(source);
            }
            Some(Event::Failed { source, reason }) => {
                eprintln!("speckle: {reason}: source stopped, its held blocks discarded");
                mixer.end(source);
                failed.push(reason);
            }
            None => {}
        }
        let mut out = mixer.take();
        if let Some(limit) = args.bytes {
            out.truncate(limit.saturating_sub(written) as usize);
        }
        if !out.is_empty() {
            for s in sinks.iter_mut() {
                if let Err(e) = s.write(&out) {
                    result = Err(format!("output failed: {e}"));
                    break 'main;
                }
            }
            written += out.len() as u64;
            summary.out(&out);
        }
        summary.tick(written);
        if args.bytes.is_some_and(|b| written >= b) {
            break;
        }
    }
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        let _ = t.join();
    }
    // Rows sent while the workers were stopping.
    while let Ok(Event::Row { row, .. }) = rx.try_recv() {
        if let Some(t) = telemetry.as_mut() {
            let _ = t.push(&row);
        }
    }
    if let Some(t) = telemetry.as_mut() {
        t.finish()?;
    }
    let not_entropy: Vec<String> = specs
        .iter()
        .filter(|s| !s.provenance().is_entropy())
        .map(|s| format!("{s} is {}", s.provenance()))
        .collect();
    let mark = if not_entropy.is_empty() {
        String::new()
    } else {
        format!(" (not entropy: {})", not_entropy.join(", "))
    };
    eprintln!("speckle: wrote {written} bytes in {:.1} s{mark}", start.elapsed().as_secs_f64());
    for c in sinks.iter().filter_map(Sink::credited) {
        eprintln!(
            "speckle: kernel: {} bits of entropy credited for {} bytes in {} RNDADDENTROPY calls, every one accepted",
            c.bits, c.bytes, c.calls
        );
    }
    if result.is_ok() && !failed.is_empty() {
        result = Err(failed.join("; "));
    }
    result
}

/// The kernel sink's credit per byte: `--entropy-per-byte`, lowered to what the least of the
/// boards' attested claims supports (attest.rs), and never raised again during the run. Blocks of a
/// source reach the sinks only after its first attested STATUS, so its claim is always counted
/// before its bytes are credited.
struct Credit {
    asked: f64,
    now: f64,
    kernel: bool,
}

impl Credit {
    fn new(asked: f64, kernel: bool) -> Self {
        Credit { asked, now: asked, kernel }
    }

    /// Takes a source's attested claim; returns the line to log when it lowered the credit.
    fn attested(
        &mut self,
        source: &SourceSpec,
        claim: &Claim,
        sinks: &mut [Sink],
    ) -> Option<String> {
        let supported = claim.creditable_bits_per_byte();
        if supported >= self.now {
            return None;
        }
        self.now = supported;
        sinks.iter_mut().for_each(|s| {
            s.cap_credit(supported);
        });
        self.kernel.then(|| {
            format!(
                "kernel: crediting {supported} bits per byte, not the {} asked for (--entropy-per-byte): {source} attests {claim}, which supports no more",
                self.asked
            )
        })
    }
}

/// A source as the summary names it: bytes that cannot be entropy are marked as such.
fn label(r: &Row) -> String {
    match r.provenance.as_str() {
        "board" => r.source.clone(),
        other => format!("{} [{other}, not entropy]", r.source),
    }
}

/// `--summary`: one stderr line per second, for people watching `make run`.
struct Summary {
    on: bool,
    last: Instant,
    last_written: u64,
    first_hex: Option<String>,
    health: std::collections::BTreeMap<String, String>,
}

impl Summary {
    fn new(on: bool) -> Self {
        Summary {
            on,
            last: Instant::now(),
            last_written: 0,
            first_hex: None,
            health: Default::default(),
        }
    }
    fn row(&mut self, r: &Row) {
        let h = if r.healthy { "healthy".to_string() } else { format!("STOPPED ({})", r.reason) };
        self.health.insert(
            label(r),
            format!("{h}, frames {} bad_crc {} lost {}", r.frames_ok, r.bad_crc, r.lost),
        );
    }
    fn out(&mut self, bytes: &[u8]) {
        if self.first_hex.is_none() {
            self.first_hex = Some(bytes.iter().take(16).map(|b| format!("{b:02x}")).collect());
        }
    }
    fn tick(&mut self, written: u64) {
        if !self.on || self.last.elapsed() < Duration::from_secs(1) {
            return;
        }
        let rate = (written - self.last_written) as f64 / self.last.elapsed().as_secs_f64();
        let sources: Vec<String> = self.health.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let first = self.first_hex.take().map(|h| format!(", first bytes {h}")).unwrap_or_default();
        eprintln!("speckle: {written} B out ({rate:.0} B/s){first}; {}", sources.join("; "));
        self.last = Instant::now();
        self.last_written = written;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::Credited;

    #[test]
    fn the_summary_marks_sources_that_cannot_be_entropy() {
        let row = |source: &str, provenance: &str| Row {
            source: source.into(),
            provenance: provenance.into(),
            ..Row::default()
        };
        assert_eq!(
            label(&row("serial:/dev/ttyUSB0@1000000", "board")),
            "serial:/dev/ttyUSB0@1000000"
        );
        assert_eq!(label(&row("sim:optimal", "simulated")), "sim:optimal [simulated, not entropy]");
        assert_eq!(label(&row("file:cap.bin", "replay")), "file:cap.bin [replay, not entropy]");
    }

    /// No board that passes attestation supports less than 8 bits per byte (attest.rs requires
    /// n_in · H >= 256 + 64), so the clamp is shown here on a claim built by hand.
    #[test]
    fn the_kernel_credit_never_exceeds_what_an_attested_claim_supports_and_says_so() {
        let dev = std::fs::File::open("/dev/null").unwrap();
        let mut sinks = [Sink::Kernel { dev, bits_per_byte: 8.0, credited: Credited::default() }];
        let mut credit = Credit::new(8.0, true);
        let src = SourceSpec::parse("serial:/dev/ttyUSB0").unwrap();
        let full = Claim { h_milli: 500, alpha_log2: 30, window: 1024, n_in: 640 };
        assert_eq!(credit.attested(&src, &full, &mut sinks), None);
        let thin = Claim { n_in: 576, ..full };
        let notice = credit.attested(&src, &thin, &mut sinks).unwrap();
        assert_eq!(
            notice,
            "kernel: crediting 7 bits per byte, not the 8 asked for (--entropy-per-byte): serial:/dev/ttyUSB0@1000000 attests H = 0.500, α = 2^-30, W = 1024, n_in = 576, which supports no more"
        );
        assert!(matches!(sinks[0], Sink::Kernel { bits_per_byte, .. } if bits_per_byte == 7.0));
        // A later, better claim does not raise it again.
        assert_eq!(credit.attested(&src, &full, &mut sinks), None);
        assert!(matches!(sinks[0], Sink::Kernel { bits_per_byte, .. } if bits_per_byte == 7.0));
    }
}
