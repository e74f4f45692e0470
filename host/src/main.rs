//! `speckle`: the host daemon. Errors end the command with one line on stderr and exit status 1.

use clap::{CommandFactory, Parser};
use speckle::{bench, capture, cli, daemon, telemetry};

fn main() {
    let cli = cli::Cli::parse();
    // `run` picks its own log target (`--log`, or the config file) once its options are merged.
    if !matches!(cli.command, cli::Command::Run(_)) {
        speckle::log::init(speckle::log::LogTarget::Stderr).expect("the first logger");
    }
    let result = match cli.command {
        cli::Command::Run(a) => daemon::run(*a),
        cli::Command::Capture(a) => capture::run(a),
        cli::Command::Bench(a) => bench::run(a),
        cli::Command::Telemetry(cli::TelemetryCommand::Recover { dir }) => {
            telemetry::recover::run(&dir)
        }
        cli::Command::Ctl(cli::CtlCommand::Clear { source, status_socket }) => {
            speckle::status_socket::ctl_clear(&status_socket, &source).map(|ok| println!("{ok}"))
        }
        cli::Command::Assess(a) => speckle_assess::run(a),
        cli::Command::Audit(a) => speckle::audit_cmd::run(a),
        #[cfg(feature = "sim")]
        cli::Command::Sim(a) => speckle_sim::run(&a),
        #[cfg(feature = "monitor")]
        cli::Command::Monitor(a) => speckle_monitor::run(a),
        #[cfg(feature = "monitor")]
        cli::Command::Web(a) => speckle_web::run(a),
        #[cfg(not(feature = "sim"))]
        cli::Command::Sim(_) => Err(speckle::features::missing("speckle sim", "sim")),
        #[cfg(not(feature = "monitor"))]
        cli::Command::Monitor(_) => Err(speckle::features::missing("speckle monitor", "monitor")),
        #[cfg(not(feature = "monitor"))]
        cli::Command::Web(_) => Err(speckle::features::missing("speckle web", "monitor")),
        cli::Command::Manpages { dir } => speckle::manpages::write(&dir),
        cli::Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut cli::Cli::command(),
                "speckle",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    };
    if let Err(e) = result {
        eprintln!("speckle: error: {e}");
        std::process::exit(1);
    }
}
