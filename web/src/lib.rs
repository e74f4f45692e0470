//! `speckle web`: the terminal monitor's views served to a browser behind a passkey login
//! (docs/web.md).

use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct WebArgs {
    /// Address to serve on; loopback unless given otherwise.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    pub listen: String,
    /// Follow a running daemon's status socket.
    #[arg(long, value_name = "PATH", conflicts_with = "demo")]
    pub status_socket: Option<PathBuf>,
    /// Run simulated boards in-process with rotating scenarios (writes no entropy).
    #[arg(long)]
    pub demo: bool,
}

/// Serves the dashboard until interrupted.
pub fn run(args: WebArgs) -> Result<(), String> {
    Err(format!("speckle web {}: not built yet", args.listen))
}
