//! The daemon's telemetry row as it arrives on the status socket: the same type the host writes
//! (speckle-model), so the two cannot drift apart.

pub use speckle_model::telemetry_row::TelemetryRow;
