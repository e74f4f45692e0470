//! `whiten-bench [--mib N] [--reps N] [--out FILE]`: CPU vs GPU whitening throughput in one run;
//! with --out, writes the full docs/gpu-bench.md page (see `make bench-gpu`).

use std::process::ExitCode;

use gpu_offload::bench::{run_bench, BenchConfig};

const USAGE: &str = "usage: whiten-bench [--mib N (input MiB per repetition, default 32)] [--reps N (default 5)] [--out FILE]";

fn parse() -> Result<(BenchConfig, Option<String>), String> {
    let mut cfg = BenchConfig::default();
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value =
            |name: &str| args.next().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        match a.as_str() {
            "--mib" => {
                let v = value("--mib")?;
                let mib: usize = v
                    .parse()
                    .ok()
                    .filter(|&m| m > 0)
                    .ok_or(format!("--mib {v:?}: expected a positive integer"))?;
                cfg.bytes = mib << 20;
            }
            "--reps" => {
                let v = value("--reps")?;
                cfg.reps = v
                    .parse()
                    .ok()
                    .filter(|&r| r > 0)
                    .ok_or(format!("--reps {v:?}: expected a positive integer"))?;
            }
            "--out" => out = Some(value("--out")?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok((cfg, out))
}

fn main() -> ExitCode {
    let (cfg, out) = match parse() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("whiten-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let report = match run_bench(&cfg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("whiten-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let text = report.to_page();
    print!("{text}");
    if let Some(path) = out {
        if let Err(e) = std::fs::write(&path, &text) {
            eprintln!("whiten-bench: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    if !report.all_match() {
        eprintln!("whiten-bench: GPU output differs from the CPU output; figures are not valid");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
