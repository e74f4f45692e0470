//! The simulated board (crate `speckle-sim`), reached through the pseudo-terminal it serves.

use super::Link;

pub fn open(scenario: &str, _seed: u64) -> Result<Box<dyn Link>, String> {
    Err(format!(
        "sim:{scenario}: the simulated board (crate speckle-sim) is not wired into this build yet"
    ))
}
