//! `speckle run`: opens sources and sinks, mixes released blocks, enforces limits, fans telemetry out.

use crate::attest::Expected;
use crate::cli::{Conditioner, Mix, Mode, RunArgs, SourceArg, Whiten};
use crate::credit::Credit;
use crate::fanout::{self, Fanout};
use crate::ingest::{self, WorkerConfig};
use crate::mainloop::{Limits, MainLoop};
use crate::mix::Mixer;
use crate::notify::DEFAULT_UNHEALTHY_EXIT_S;
use crate::provenance;
use crate::sink::{check_entropy_per_byte, Sink, SinkSpec, DEFAULT_ENTROPY_PER_BYTE};
use crate::source::SourceSpec;
use crate::status_socket::StatusSocket;
use crate::summary::Summary;
use crate::telemetry::Telemetry;
use crate::whiten::SharedBackend;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

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
        recovery_backoff: cli.recovery_backoff.or(file.recovery_backoff),
        recovery_cap: cli.recovery_cap.or(file.recovery_cap),
        decode_error_limit: cli.decode_error_limit.or(file.decode_error_limit),
        log: cli.log.or(file.log),
        audit: cli.audit || file.audit,
        audit_bits: cli.audit_bits.or(file.audit_bits),
        audit_sequences: cli.audit_sequences.or(file.audit_sequences),
        audit_cpu: cli.audit_cpu.or(file.audit_cpu),
        audit_log_csv: cli.audit_log_csv.or(file.audit_log_csv),
        audit_log_sqlite: cli.audit_log_sqlite.or(file.audit_log_sqlite),
        telemetry_dir: cli.telemetry_dir.or(file.telemetry_dir),
        telemetry_rotate: cli.telemetry_rotate.or(file.telemetry_rotate),
        telemetry_flush: cli.telemetry_flush.or(file.telemetry_flush),
        status_socket: cli.status_socket.or(file.status_socket),
        summary: cli.summary || file.summary,
        sim_seed: cli.sim_seed.or(file.sim_seed),
        sink_backlog: cli.sink_backlog.or(file.sink_backlog),
        unhealthy_exit_after: cli.unhealthy_exit_after.or(file.unhealthy_exit_after),
        metrics: cli.metrics.or(file.metrics),
        egd: cli.egd.or(file.egd),
        egd_serve_non_entropy_for_tests: cli.egd_serve_non_entropy_for_tests
            || file.egd_serve_non_entropy_for_tests,
    })
}

/// `--recovery-backoff MIN,MAX`, `--recovery-cap N` and `--decode-error-limit N` to a recovery
/// policy.
pub fn recovery_policy(
    backoff: Option<&str>,
    cap: Option<u32>,
    decode_error_limit: Option<u64>,
) -> Result<crate::recovery::Policy, String> {
    let mut p = crate::recovery::Policy::default();
    if let Some(text) = backoff {
        let bad = || {
            format!("bad --recovery-backoff `{text}`: give MIN,MAX in seconds, 0 < MIN <= MAX, e.g. 1,300")
        };
        let (lo, hi) = text.split_once(',').ok_or_else(bad)?;
        let (lo, hi) = (lo.trim().parse::<f64>(), hi.trim().parse::<f64>());
        match (lo, hi) {
            (Ok(lo), Ok(hi)) if lo > 0.0 && lo <= hi && hi.is_finite() => {
                p.backoff_min = Duration::from_secs_f64(lo);
                p.backoff_max = Duration::from_secs_f64(hi);
            }
            _ => return Err(bad()),
        }
    }
    if let Some(n) = cap {
        p.cap_per_hour = n;
    }
    if let Some(n) = decode_error_limit {
        p.decode_error_limit = n;
    }
    // Re-sends come no slower than the backoff, so a short backoff is not held up by them.
    p.resend = p.resend.min(p.backoff_min);
    Ok(p)
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
    crate::log::init(args.log.unwrap_or_default())?;
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
    let mut sink_specs =
        outputs.iter().map(|s| SinkSpec::parse(s)).collect::<Result<Vec<_>, _>>()?;
    if let Some(egd) = args.egd.as_deref() {
        let not_entropy = args.egd_serve_non_entropy_for_tests;
        sink_specs.push(crate::egd::check(egd, not_entropy, &specs, &sink_specs)?);
    }
    // Each sink's dropped bytes are counted under its name (telemetry `sink_dropped_bytes`).
    for (i, s) in sink_specs.iter().enumerate() {
        if sink_specs[..i].contains(s) {
            return Err(format!("output {s} is given twice: name each output once"));
        }
    }
    let backlog =
        fanout::check_backlog(args.sink_backlog.unwrap_or(fanout::DEFAULT_BACKLOG as u64))?;
    let unhealthy_exit = Duration::from_secs_f64(positive(
        "unhealthy-exit-after",
        args.unhealthy_exit_after,
        DEFAULT_UNHEALTHY_EXIT_S,
    )?);
    // Before anything is opened: a refused run starts no simulated board and writes nothing.
    provenance::check(&specs, &sink_specs)?;
    let metrics_addr = args.metrics.as_deref().map(crate::metrics::parse_addr).transpose()?;
    let duration = args
        .duration
        .map(|d| positive("duration", Some(d), 0.0))
        .transpose()?
        .map(Duration::from_secs_f64);
    // Checked (and its log files opened) only when asked for: without --audit nothing is created.
    let audit_plan = if args.audit {
        let plan = crate::audit_tap::AuditPlan::new(
            args.audit_bits.unwrap_or(1_000_000),
            args.audit_sequences.unwrap_or(10),
            args.audit_cpu.unwrap_or(5.0),
        )?;
        Some(plan.with_logs(args.audit_log_csv.clone(), args.audit_log_sqlite.clone())?)
    } else {
        None
    };
    let status_timeout =
        Duration::from_secs_f64(positive("status-timeout", args.status_timeout, 3.0)?);
    let recovery = recovery_policy(
        args.recovery_backoff.as_deref(),
        args.recovery_cap,
        args.decode_error_limit,
    )?;
    let rotate =
        Duration::from_secs_f64(positive("telemetry-rotate", args.telemetry_rotate, 300.0)?);
    let flush = Duration::from_secs_f64(positive(
        "telemetry-flush",
        args.telemetry_flush,
        crate::telemetry::DEFAULT_FLUSH_S,
    )?);
    let conditioner = args.conditioner.unwrap_or(Conditioner::Sha3);
    // Opened once, before any source, so a GPU problem is reported once and every source shares it.
    let backend = match mode {
        Mode::Raw => SharedBackend::open(args.whiten.unwrap_or(Whiten::Cpu), conditioner)?,
        Mode::Conditioned => None,
    };
    let sinks = sink_specs
        .iter()
        .map(|s| Sink::open(s, epb).map(|sink| (s.to_string(), sink)))
        .collect::<Result<Vec<_>, _>>()?;
    let telemetry =
        args.telemetry_dir.as_deref().map(|d| Telemetry::new(d, rotate, flush)).transpose()?;
    let mut socket = args.status_socket.as_deref().map(StatusSocket::bind).transpose()?;
    let clears: Vec<Arc<AtomicBool>> = specs.iter().map(|_| Arc::default()).collect();
    if let Some(s) = socket.as_mut() {
        s.set_sources(specs.iter().map(|s| s.to_string()).zip(clears.iter().cloned()).collect());
    }

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
    let (tx, rx) = mpsc::sync_channel(ingest::EVENT_QUEUE);
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
            recovery,
            clear: clears[i].clone(),
            sim_seed: seed.wrapping_add(i as u64),
            stop: stop.clone(),
        };
        threads.push(ingest::spawn(cfg, link, tx.clone()));
    }
    drop(tx);

    let audit = audit_plan.map(crate::audit_tap::AuditTap::start);
    let credit = Credit::new(epb, sinks.iter().any(|(_, s)| s.credited().is_some()));
    let fanout = Fanout::start(sinks, backlog);
    let names: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
    let metrics = metrics_addr
        .map(|a| crate::metrics::Metrics::start(a, &names, fanout.stats()))
        .transpose()?;
    MainLoop {
        mixer: Mixer::new(mix, specs.len()),
        specs,
        rx,
        threads,
        stop,
        fanout,
        metrics,
        audit,
        telemetry,
        socket,
        summary: Summary::new(args.summary),
        credit,
        limits: Limits { duration, bytes: args.bytes, unhealthy_exit },
    }
    .run(&INTERRUPTED)
}
