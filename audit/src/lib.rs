//! `speckle audit`: statistical test battery over conditioned or raw output.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `speckle audit`.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// File of bytes to audit.
    pub file: PathBuf,
}

/// Runs `speckle audit`.
pub fn run(args: AuditArgs) -> Result<(), String> {
    Err(format!("audit {}: the battery is not built yet", args.file.display()))
}
