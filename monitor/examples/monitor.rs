//! The monitor as a stand-alone program (`cargo run -p speckle-monitor --example monitor -- --demo`),
//! for trying it without the `speckle` binary; `speckle monitor` takes the same arguments.

use clap::Parser;

#[derive(Parser)]
#[command(name = "monitor")]
struct Cli {
    #[command(flatten)]
    args: speckle_monitor::MonitorArgs,
}

fn main() {
    if let Err(e) = speckle_monitor::run(Cli::parse().args) {
        eprintln!("monitor: error: {e}");
        std::process::exit(1);
    }
}
