//! `speckle assess`: SP 800-90B non-IID min-entropy assessment of a raw capture.
//!
//! The ten estimators of SP 800-90B §6.3 (one module each), combined as in §3.1.3/§6.2 into
//! H_original (and H_bitstring for samples of more than one bit), and the §3.1.4 restart sanity
//! check. The numbers follow NIST's reference tool ea_non_iid (its confidence factor, bisections
//! and tie rules), against which assess/tests/nist_fixtures.rs checks every estimator to 0.001 bit;
//! docs/assess.md lists where and why this crate deliberately differs.

use clap::Args;
use std::path::PathBuf;

pub mod collision;
pub mod compression;
pub mod data;
pub mod estimators;
pub mod lag;
pub mod live;
pub mod lz78y;
pub mod markov;
pub mod mcv;
pub mod multi_mcw;
pub mod multi_mmc;
mod postfix;
pub mod predict;
pub mod report;
pub mod restart;
pub mod stats;
pub mod suffix;
pub mod tuple;

pub use data::Dataset;
pub use report::{assess, Assessment, Estimate};

/// Arguments of `speckle assess`.
#[derive(Args, Debug)]
pub struct AssessArgs {
    /// Raw capture: one sample per byte (`speckle capture` output, NIST's input format).
    pub file: PathBuf,
    /// Significant bits per sample, 1 to 8.
    #[arg(long, default_value_t = 1)]
    pub bits_per_sample: u8,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Assess at most 1000000 bits of the bit string (NIST's ea_non_iid -t); default: all bits (-a).
    #[arg(long)]
    pub truncate: bool,
    /// Restart sanity check (SP 800-90B §3.1.4) on a `speckle capture --restart` file instead.
    #[arg(long, requires = "h_initial")]
    pub restart: bool,
    /// The initial entropy estimate H_I per sample the restart check tests against.
    #[arg(long, value_name = "H_I")]
    pub h_initial: Option<f64>,
    /// Rows of the restart file (restarts).
    #[arg(long, default_value_t = 1000)]
    pub restarts: usize,
    /// Samples per restart.
    #[arg(long, default_value_t = 1000)]
    pub restart_samples: usize,
}

/// Runs `speckle assess`: the report on stdout; bad input, or a failed restart check, as one
/// line in the error (exit status 1).
pub fn run(args: AssessArgs) -> Result<(), String> {
    let raw = std::fs::read(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let data = Dataset::new(&raw, args.bits_per_sample)
        .map_err(|e| format!("{}: {e}", args.file.display()))?;
    let what = args.file.display().to_string();
    if args.restart {
        let h_i = args.h_initial.unwrap_or_default();
        let r = restart::check(&data, h_i, args.restarts, args.restart_samples)
            .map_err(|e| format!("{what}: {e}"))?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&r).map_err(|e| e.to_string())?);
        } else {
            print!("{}", r.text(&what));
        }
        return match &r.failure {
            None => Ok(()),
            Some(f) => Err(format!("{what}: restart sanity check failed: {f}")),
        };
    }
    let a = assess(&data, args.truncate);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&a).map_err(|e| e.to_string())?);
    } else {
        print!("{}", a.text(&what));
    }
    Ok(())
}
