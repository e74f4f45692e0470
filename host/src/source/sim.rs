//! The simulated board (crate `speckle-sim`), started in-process and read through the
//! pseudo-terminal it serves, exactly as a USB UART would be.

use super::serial::{self, SerialLink};
use super::{Link, DEFAULT_BAUD};
use speckle_sim::{start_board, Board, Scenario};
use std::io;

pub struct SimLink {
    port: SerialLink,
    // Dropped after the port: stopping the board closes the pty.
    _board: Board,
}

pub fn open(scenario: &str, seed: u64) -> Result<Box<dyn Link>, String> {
    let scenario = Scenario::from_name(scenario).map_err(|e| format!("sim:{scenario}: {e}"))?;
    let board = start_board(scenario, seed, DEFAULT_BAUD as u64).map_err(|e| format!("sim:{}: {e}", scenario.name()))?;
    let port = serial::open(board.path(), DEFAULT_BAUD)?;
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
