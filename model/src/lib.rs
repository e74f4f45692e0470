//! Pure-Rust reference models of every block of the Speckle core, and the frame protocol.
//! The host reuses both, so the RTL, the simulator and the daemon agree by construction.

pub mod params;
