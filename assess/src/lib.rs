//! `speckle assess`: SP 800-90B non-IID min-entropy assessment of a raw capture.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `speckle assess`.
#[derive(Args, Debug)]
pub struct AssessArgs {
    /// Raw capture: one sample per byte (`speckle capture` output).
    pub file: PathBuf,
    /// Significant bits per sample.
    #[arg(long, default_value_t = 1)]
    pub bits_per_sample: u8,
}

/// Runs `speckle assess`.
pub fn run(args: AssessArgs) -> Result<(), String> {
    Err(format!("assess {}: the estimators are not built yet", args.file.display()))
}
