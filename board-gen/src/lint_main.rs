//! `speckle-lint`: `verilator --lint-only -Wall` and yosys `synth_<family>` + `check -assert` on
//! every generated file that goes into a bitstream, every warning checked against the per-line
//! waivers in lint/waivers.toml (`make lint`, `make lint BLOCK=name`, `make lint-update`).
//! See board-gen/src/lint.rs and docs/lint.md.

use board_gen::lint::{self, Job, JobResult, Outcome, Sources, Tool, Tools, Waivers};
use clap::{Parser, ValueEnum};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Which {
    All,
    Verilator,
    Yosys,
}

#[derive(Parser, Debug)]
#[command(
    name = "speckle-lint",
    about = "Lint and synthesis check of every generated file that goes into a bitstream"
)]
struct Args {
    /// Repository root (rtl/, boards/, lint/ under it).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Only these blocks' files in both profiles (`repcnt_ht`, `sfp_frontend,i2c_master`, …),
    /// `core`, or a board.
    #[arg(long)]
    block: Option<String>,
    /// Which tools to run.
    #[arg(long, value_enum, default_value = "all")]
    tool: Which,
    /// Jobs run at once (default: the machine's cores).
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Rewrite lint/waivers.toml: move waivers whose warning moved to another line, drop those
    /// whose warning is gone, add a waiver for each new warning that fits a class. Review the diff.
    #[arg(long)]
    update: bool,
    #[arg(long, default_value = "verilator")]
    verilator: String,
    #[arg(long, default_value = "yosys")]
    yosys: String,
}

fn run_all(args: &Args, jobs: &[Job], which: &[Tool]) -> Result<Vec<JobResult>, String> {
    let logs = args.root.join("target/lint");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let tools = Tools { verilator: args.verilator.clone(), yosys: args.yosys.clone() };
    // Biggest synthesis first, so that the long ones do not end up last on one core.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    let size = |j: &Job| -> u64 {
        j.synth_files
            .iter()
            .map(|f| std::fs::metadata(args.root.join(f)).map_or(0, |m| m.len()))
            .sum()
    };
    order.sort_by_key(|&i| std::cmp::Reverse(size(&jobs[i])));
    let threads = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<JobResult>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::SeqCst);
                let Some(&i) = order.get(k) else { break };
                let job = &jobs[i];
                let r = lint::run_job(&args.root, job, which, &tools, &logs);
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                let synth = match r.cells {
                    Some((l, f)) => {
                        format!(" | synth_{} LUT4 {l:6} FF {f:6}", lint::family_name(job.family))
                    }
                    None => String::new(),
                };
                let status = if r.errors.is_empty() { "" } else { " | FAILED" };
                // A board top's run also reports the core's warnings; count the file's own.
                let own = r.warnings.iter().filter(|w| w.file == job.file).count();
                println!(
                    "[{n:2}/{}] {:<6} {:<44} {own:4} warnings{synth}{status} | {:5.1} s",
                    jobs.len(),
                    lint::family_name(job.family),
                    job.file,
                    r.seconds
                );
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    Ok(results.into_inner().unwrap().into_iter().map(|r| r.unwrap_or_default()).collect())
}

fn report(outcome: &Outcome, waivers: &Waivers, sources: &Sources) {
    for w in &outcome.unwaived {
        let moved = outcome
            .stale
            .iter()
            .find(|v| v.file == w.file && v.rule == w.rule && lint::glob(&v.pattern, &w.text));
        let hint = match (moved, waivers.class_for(w, sources.line(&w.file, w.line).as_deref())) {
            (Some(v), _) => format!("moved? the stale waiver at line {} has this text: `make lint-update` moves it (review the diff)", v.line),
            (None, Some(c)) => format!("fits class `{c}`: `make lint-update` adds its waiver (review the diff)"),
            (None, None) => "fits no class: fix it in the generator (hdl-gen/src/blocks/, board-gen), or add a class with its reason to lint/waivers.toml".into(),
        };
        eprintln!("lint: not waived: {w}\n      {hint}");
    }
    for v in &outcome.stale {
        eprintln!(
            "lint: stale waiver in {}: {v}: no such warning any more (`make lint-update` moves it if the warning only changed line, or drops it)",
            lint::WAIVERS
        );
    }
    for (v, w, why) in &outcome.misfit {
        eprintln!(
            "lint: waiver in {} does not fit its warning: {v}\n      warning: {w}\n      class `{}`: {why}",
            lint::WAIVERS,
            v.class
        );
    }
}

fn run(args: &Args) -> Result<bool, String> {
    let started = std::time::Instant::now();
    let waiver_path = args.root.join(lint::WAIVERS);
    let mut waivers = Waivers::load(&waiver_path)?;
    let jobs = lint::select(lint::jobs(&args.root)?, args.block.as_deref())?;
    let which: Vec<Tool> = match args.tool {
        Which::All => vec![Tool::Verilator, Tool::Yosys],
        Which::Verilator => vec![Tool::Verilator],
        Which::Yosys => vec![Tool::Yosys],
    };
    let results = run_all(args, &jobs, &which)?;
    let errors: Vec<&String> = results.iter().flat_map(|r| &r.errors).collect();
    let warnings: Vec<lint::Warning> = results.iter().flat_map(|r| r.warnings.clone()).collect();
    // Staleness: the files of the jobs that ran; in a full run also every file a waiver names, so
    // that a waiver of a file nothing lints any more is stale too.
    let mut linted: BTreeSet<String> = jobs.iter().map(|j| j.file.clone()).collect();
    if args.block.is_none() {
        linted.extend(waivers.list.iter().map(|w| w.file.clone()));
    }
    let sources = Sources::new(&args.root);
    let source = |f: &str, l: u32| sources.line(f, l);
    let mut outcome = lint::check(&waivers, &warnings, &linted, &which, &source);
    if !errors.is_empty() {
        // A tool that failed may not have printed all its warnings: no staleness verdict.
        outcome.stale.clear();
    }
    if args.update && errors.is_empty() {
        let u = lint::update(&mut waivers, &outcome, &source);
        std::fs::write(&waiver_path, waivers.render())
            .map_err(|e| format!("{}: {e}", waiver_path.display()))?;
        println!(
            "lint: {} updated: {} waiver(s) moved to their warning's new line, {} dropped (warning gone), {} added (fit a class); review `git diff {}`",
            lint::WAIVERS,
            u.moved,
            u.dropped,
            u.added,
            lint::WAIVERS
        );
        outcome.unwaived = u.left;
        outcome.stale.clear();
    }
    report(&outcome, &waivers, &sources);
    for e in &errors {
        eprintln!("lint: {e}");
    }
    let unique: BTreeSet<&lint::Warning> = warnings.iter().collect();
    let by_rule: BTreeMap<&str, usize> = unique.iter().fold(BTreeMap::new(), |mut m, w| {
        *m.entry(w.rule.as_str()).or_default() += 1;
        m
    });
    let rules: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
    let ok = outcome.ok() && errors.is_empty();
    println!(
        "lint: {} job(s), {} distinct warning(s) ({}); {} not waived, {} stale waiver(s), {} misfit(s), {} tool failure(s); {:.0} s: {}",
        jobs.len(),
        unique.len(),
        if rules.is_empty() { "none".to_string() } else { rules.join(", ") },
        outcome.unwaived.len(),
        outcome.stale.len(),
        outcome.misfit.len(),
        errors.len(),
        started.elapsed().as_secs_f64(),
        if ok { "ok" } else { "FAILED" }
    );
    Ok(ok)
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("speckle-lint: {e}");
            ExitCode::FAILURE
        }
    }
}
