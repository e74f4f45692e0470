//! The simulated Speckle board (docs/simulation.md): a physical model of the speckle source and
//! the SFP module, named fault scenarios, and the FPGA logic (the Verilated SFP front end and core,
//! or pure-Rust models when Verilator is missing) presenting its UART on a pseudo-terminal.
//!
//! In-process use, as the host's `--source sim:NAME` does:
//! ```no_run
//! let board = speckle_sim::start_board(speckle_sim::Scenario::from_name("optimal")?, 1, 1_000_000)?;
//! println!("open {}", board.path().display());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bench;
pub mod board;
pub mod cli;
pub mod core;
pub mod entropy;
pub mod frontend;
pub mod physics;
pub mod scenario;
pub mod sfp;

pub use bench::{board_params, open_fpga, Bench, Fpga, DEFAULT_BAUD};
pub use board::{start_board, Board, BoardConfig, BoardStats};
pub use cli::{cli_main, run, SimArgs};
pub use core::{open_core, CoreChoice, CoreSim};
pub use frontend::{open_front_end, FrontEndSim};
pub use scenario::{Detect, Scenario, UnknownScenario, ALL as SCENARIOS};
