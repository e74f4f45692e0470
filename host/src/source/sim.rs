//! The simulated board (crate `speckle-sim`), started in-process and read through the
//! pseudo-terminal it serves, exactly as a USB UART would be.

use super::serial::{self, SerialLink};
use super::Link;
use speckle_sim::{Board, BoardConfig, CoreChoice, Scenario};
use std::io;

pub struct SimLink {
    port: SerialLink,
    // Dropped after the port: stopping the board closes the pty.
    _board: Board,
}

/// The fault onset of a `sim:stuck` source unless `@N` says otherwise: stuck from power-on. The
/// simulator's own default (a healthy start, the fault after 20000 samples) lets a few legitimate
/// pre-onset blocks through, which blurs the check that a stuck source delivers nothing; the
/// mid-run onset stays one `sim:stuck@20000` away. Other scenarios keep the simulator's default so
/// they show a working board turning faulty.
pub const STUCK_DEFAULT_ONSET: u64 = 0;

pub fn open(
    scenario: &str,
    onset: Option<u64>,
    flap_every: Option<u64>,
    seed: u64,
) -> Result<Box<dyn Link>, String> {
    let scenario = Scenario::from_name(scenario).map_err(|e| format!("sim:{scenario}: {e}"))?;
    if flap_every.is_some() && scenario != Scenario::LinkFlap {
        return Err(format!(
            "sim:{}: a flap period (`/EVERY`) applies to sim:link_flap only",
            scenario.name()
        ));
    }
    let onset = onset.or((scenario == Scenario::Stuck).then_some(STUCK_DEFAULT_ONSET));
    let cfg = BoardConfig {
        scenario,
        seed,
        baud: speckle_sim::DEFAULT_BAUD,
        core: CoreChoice::Auto,
        realtime: true,
        fault_onset_samples: onset,
        flap_every_samples: flap_every,
    };
    let board = Board::start(cfg).map_err(|e| format!("sim:{}: {e}", scenario.name()))?;
    // Which blocks are RTL matters to anyone reading the log: a model stand-in proves less.
    crate::source_log!(
        info,
        format!("sim:{}", scenario.name()),
        "simulated board on {} ({} core, {} SFP front end)",
        board.path().display(),
        board.core_kind(),
        board.front_kind()
    );
    let port = serial::open(board.path(), speckle_sim::DEFAULT_BAUD as u32)?;
    Ok(Box::new(SimLink { port, _board: board }))
}

impl Link for SimLink {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.port.read(buf)
    }
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.send(bytes)
    }
}
