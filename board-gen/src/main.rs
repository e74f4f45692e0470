//! `speckle-boards`: boards/*.toml → constraints/ and boards/top/ (`generate`, `--check` for CI),
//! and the facts `make bitstream` needs about one board (`vars`).

use board_gen::tree::{diff, wanted};
use board_gen::{find, Family};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "speckle-boards", about = "Constraints and board tops from boards/*.toml")]
struct Args {
    /// Repository root (boards/, constraints/, boards/top/ under it).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Write constraints/<board>.{pcf,lpf} and boards/top/<board>_top.v for every board.
    Generate {
        /// Write nothing; fail naming every file that generation would change, add or delete.
        #[arg(long)]
        check: bool,
    },
    /// Print `KEY=value` lines for make: family, device, package, profile, clock, files.
    Vars { board: String },
}

fn run(args: &Args) -> Result<(), String> {
    match &args.cmd {
        Cmd::Generate { check } => {
            let want = wanted(&args.root)?;
            let bad = diff(&args.root, &want);
            if *check {
                if !bad.is_empty() {
                    let list: Vec<String> =
                        bad.iter().map(|(p, w)| format!("  {w}: {p}")).collect();
                    return Err(format!("constraints/ and boards/top/ out of date with boards/ ({} file(s)); run `make boards` and commit:\n{}", bad.len(), list.join("\n")));
                }
                println!("boards: {} file(s) up to date", want.len());
            } else {
                for (path, what) in &bad {
                    let full = args.root.join(path);
                    let io = |e: std::io::Error| format!("{}: {e}", full.display());
                    match want.get(path) {
                        Some(text) => {
                            std::fs::create_dir_all(full.parent().unwrap()).map_err(io)?;
                            std::fs::write(&full, text).map_err(io)?;
                        }
                        None => std::fs::remove_file(&full).map_err(io)?,
                    }
                    println!("{what:>22}: {path}");
                }
                println!("boards: {} file(s), {} changed", want.len(), bad.len());
            }
        }
        Cmd::Vars { board } => {
            let b = find(&args.root.join("boards"), board)?;
            if b.template {
                return Err(format!("board `{board}` is a template (boards/{board}.toml): copy it, fill in the pins, and build the copy"));
            }
            let (family, constraints) = match b.family {
                Family::Ice40 => ("ice40", format!("constraints/{}.pcf", b.name)),
                Family::Ecp5 => ("ecp5", format!("constraints/{}.lpf", b.name)),
            };
            println!("FAMILY={family}");
            println!("DEVICE={}", b.device);
            println!("PACKAGE={}", b.package);
            println!("PROFILE={}", b.profile);
            println!("CLOCK_MHZ={}", b.target_hz as f64 / 1e6);
            println!("TOP=speckle_{}_top", b.name.replace('-', "_"));
            println!("CONSTRAINTS={constraints}");
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("speckle-boards: {e}");
            ExitCode::FAILURE
        }
    }
}
