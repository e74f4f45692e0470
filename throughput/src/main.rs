//! `make throughput`: each board's conditioned output, measured on the Verilated core at the
//! board's clock and baud (boards/*.toml), against its goal and the peers' published rates,
//! written to docs/throughput.md.
//!
//! The generated Verilog is per profile, and a cycle simulation has no notion of seconds: the
//! blocks' per-clock figures and the end-to-end run are measured once per profile (both profiles
//! in parallel, one thread each) and each board's clock turns them into rates. Everything is
//! seeded, so the file is the same on every run; `make throughput-check` relies on that.
//!
//! Exits non-zero, naming the board and the check, when a goal is missed or an end-to-end check
//! fails, after writing the file (which shows the same), so a wrong doc is never silent.
//!
//! Usage: speckle-throughput [--boards DIR] [--out FILE] [--periods N]

mod blocks;
mod core_run;
mod dut;
mod report;

use board_gen::Board;
use speckle_model::params::CoreParams;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Seeds of the block measurements and of the end-to-end fair source, per profile.
const SEED: u64 = 18;

struct Opts {
    boards: PathBuf,
    out: PathBuf,
    periods: u64,
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts {
        boards: "boards".into(),
        out: "docs/throughput.md".into(),
        periods: report::PERIODS,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--boards" => o.boards = val()?.into(),
            "--out" => o.out = val()?.into(),
            "--periods" => {
                let v = val()?;
                o.periods = match v.parse::<u64>() {
                    Ok(n) if n >= 2 => n,
                    _ => return Err(format!("--periods {v}: needs a whole number >= 2")),
                }
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}`; valid: --boards DIR, --out FILE, --periods N"
                ))
            }
        }
    }
    Ok(o)
}

/// Everything measured for one profile.
pub struct Measured {
    pub p: CoreParams,
    pub terms: blocks::Terms,
    pub e2e: core_run::EndToEnd,
}

fn measure_profiles(names: &[String], periods: u64) -> Result<BTreeMap<String, Measured>, String> {
    std::thread::scope(|s| {
        let jobs: Vec<_> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                s.spawn(move || -> Result<(String, Measured), String> {
                    let p = CoreParams::profile(name).map_err(|e| e.to_string())?;
                    let seed = SEED + i as u64;
                    let terms = blocks::measure(name, &p, seed)?;
                    let e2e = core_run::run(name, &p, seed, periods)?;
                    Ok((name.clone(), Measured { p, terms, e2e }))
                })
            })
            .collect();
        jobs.into_iter().map(|j| j.join().map_err(|_| "a measurement thread panicked")?).collect()
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(failures) if failures.is_empty() => ExitCode::SUCCESS,
        Ok(failures) => {
            for f in failures {
                eprintln!("speckle-throughput: {f}");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("speckle-throughput: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Measures, writes the report, and returns the failed goals and checks.
fn run() -> Result<Vec<String>, String> {
    let o = parse_args()?;
    if let Some(why) = rtl_sim::unavailable_reason() {
        return Err(format!("no Verilated models: {why}"));
    }
    let mut boards = Vec::new();
    for f in board_gen::board_files(&o.boards)? {
        let b = Board::load(&f)?;
        if !b.template {
            boards.push(b);
        }
    }
    if boards.is_empty() {
        return Err(format!("no board files in {}", o.boards.display()));
    }
    let mut profiles: Vec<String> = boards.iter().map(|b| b.profile.clone()).collect();
    profiles.sort();
    profiles.dedup();
    let measured = measure_profiles(&profiles, o.periods)?;
    let rows = boards
        .iter()
        .map(|b| report::BoardRow::new(b, &measured[&b.profile]))
        .collect::<Result<Vec<_>, _>>()?;
    let text = report::render(&rows, &measured, o.periods);
    std::fs::write(&o.out, text).map_err(|e| format!("{}: {e}", o.out.display()))?;
    println!("speckle-throughput: wrote {}", o.out.display());
    Ok(report::failures(&rows, &measured))
}
