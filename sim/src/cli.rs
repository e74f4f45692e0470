//! `speckle sim` (and the standalone `speckle-sim` binary): run a simulated board on a pty.

use crate::board::{Board, BoardConfig};
use crate::core::CoreChoice;
use crate::scenario::{Scenario, ALL};
use std::ffi::OsString;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CoreArg {
    /// Verilated RTL (core and SFP front end) where it was built, else the Rust models (with a
    /// warning).
    Auto,
    /// The pure-Rust CoreModel and front-end model.
    Model,
    /// The Verilated RTL of both; fails if either is not available.
    Rtl,
}

/// Arguments of `speckle sim`.
#[derive(Clone, Debug, clap::Args)]
pub struct SimArgs {
    /// Scenario to run (see --list).
    #[arg(long, conflicts_with = "scenarios")]
    pub scenario: Option<String>,
    /// Comma-separated scenarios, run in turn for --interval seconds each.
    #[arg(long, value_name = "A,B,C")]
    pub scenarios: Option<String>,
    /// Start again from the first scenario after the last one.
    #[arg(long = "loop", requires = "scenarios")]
    pub looping: bool,
    /// Seconds per scenario with --scenarios.
    #[arg(long, default_value_t = 30.0, value_name = "SECS")]
    pub interval: f64,
    /// Seed of the physics model: same seed, same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Samples from each scenario's start to its fault (default 20000, past startup and holdback;
    /// 0: faulty from power-on).
    #[arg(long, value_name = "N")]
    pub fault_at: Option<u64>,
    /// `link_flap`: samples from one dark spell to the next (default 2^25, 5.6 s of board time).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub flap_every: Option<u64>,
    /// UART baud rate of the simulated board (default: the rate its generated core runs; any
    /// other rate falls back to the model core).
    #[arg(long, default_value_t = crate::bench::DEFAULT_BAUD)]
    pub baud: u64,
    #[arg(long, value_enum, default_value_t = CoreArg::Auto)]
    pub core: CoreArg,
    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,
    /// List the scenarios with what they do and what must detect them, then exit.
    #[arg(long)]
    pub list: bool,
}

#[derive(clap::Parser)]
#[command(name = "speckle-sim", about = "Simulated Speckle board on a pseudo-terminal")]
struct Cli {
    #[command(flatten)]
    args: SimArgs,
}

/// Scenario table as `--list` prints it.
pub fn scenario_table() -> String {
    // The pty board runs the ice40 profile (bench::board_params).
    let rate = speckle_model::params::CoreParams::ice40().sample_rate_hz();
    let p = crate::physics::PhysicsParams::nominal(rate);
    let mut s = String::new();
    for sc in ALL {
        let (d, within) = sc.expect(&p);
        s += &format!(
            "{:<17} {:<10} within {:>6} samples  {}\n",
            sc.name(),
            d.to_string(),
            within,
            sc.description()
        );
    }
    s
}

/// Runs the board as the arguments say; prints the pty path on stdout. Returns a message for
/// anything the user got wrong.
pub fn run(args: &SimArgs) -> Result<(), String> {
    if args.list {
        print!("{}", scenario_table());
        return Ok(());
    }
    let plan: Vec<Scenario> = match (&args.scenario, &args.scenarios) {
        (Some(n), None) => vec![Scenario::from_name(n).map_err(|e| e.to_string())?],
        (None, Some(list)) => Scenario::list(list).map_err(|e| e.to_string())?,
        (None, None) => {
            return Err("give --scenario NAME or --scenarios A,B,C (--list shows them)".into())
        }
        (Some(_), Some(_)) => return Err("--scenario and --scenarios are exclusive".into()),
    };
    if args.interval.is_nan() || args.interval <= 0.0 {
        return Err(format!("--interval {}: must be a positive number of seconds", args.interval));
    }
    let core = match args.core {
        CoreArg::Auto => CoreChoice::Auto,
        CoreArg::Model => CoreChoice::Model,
        CoreArg::Rtl => CoreChoice::Rtl,
    };
    let board = Board::start(BoardConfig {
        scenario: plan[0],
        seed: args.seed,
        baud: args.baud,
        core,
        realtime: true,
        fault_onset_samples: args.fault_at,
        flap_every_samples: args.flap_every,
    })?;
    println!("{}", board.path().display());
    eprintln!(
        "speckle-sim: scenario {} on {} ({} core, {} SFP front end, {} baud)",
        plan[0].name(),
        board.path().display(),
        board.core_kind(),
        board.front_kind(),
        args.baud
    );
    let start = Instant::now();
    let mut idx = 0;
    let mut switched = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(50));
        if !board.is_running() {
            return Err("the board thread stopped unexpectedly".into());
        }
        if args.duration.is_some_and(|d| start.elapsed().as_secs_f64() >= d) {
            break;
        }
        if plan.len() > 1 && switched.elapsed().as_secs_f64() >= args.interval {
            if idx + 1 == plan.len() && !args.looping {
                break;
            }
            idx = (idx + 1) % plan.len();
            board.set_scenario(plan[idx]);
            switched = Instant::now();
            eprintln!("speckle-sim: scenario {}", plan[idx].name());
        }
    }
    let st = board.stop();
    eprintln!(
        "speckle-sim: {} samples, {} bytes sent, {} dropped (no reader), {} host bytes",
        st.samples, st.bytes_sent, st.bytes_dropped, st.host_bytes
    );
    Ok(())
}

/// Entry point for a `speckle-sim`-style command line (`args` includes the program name); returns
/// the exit status.
pub fn cli_main<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    use clap::Parser;
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match run(&cli.args) {
        Ok(()) => 0,
        Err(msg) => {
            eprintln!("speckle-sim: {msg}");
            1
        }
    }
}
