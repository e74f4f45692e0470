//! One telemetry record per source per STATUS interval: what the parquet files and the status socket
//! carry. The type is shared with the monitor through speckle-model (docs/telemetry.md).

pub use speckle_model::telemetry_row::TelemetryRow as Row;
