//! One telemetry record per source per STATUS interval: what the parquet files and the status socket
//! carry (schema in docs/telemetry.md).

use serde::Serialize;

/// Counters are cumulative since the daemon started (decoder and host counters) or as the board
/// reports them (board counters); rates cover the interval since the previous row of the source.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Row {
    pub time_ms: i64,
    pub source: String,
    pub mode: String,
    /// Host verdict after this row's STATUS: true when the source's data is being released.
    pub healthy: bool,
    /// Why not, when not healthy.
    pub reason: String,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub frames_ok: u64,
    pub bad_crc: u64,
    pub lost: u64,
    pub resync_bytes: u64,
    pub unknown_type: u64,
    pub bad_payload: u64,
    pub discarded_blocks: u64,
    pub board_alarms: u8,
    pub board_state: u8,
    pub board_samples: u32,
    pub board_blocks: u32,
    pub board_dropped: u32,
    pub rct_failures: u16,
    pub apt_failures: u16,
    pub markov_failures: u16,
    pub rct_max_run: u16,
    pub apt_max_count: u16,
    pub markov_min: u16,
    pub markov_max: u16,
    pub host_rct_failures: u64,
    pub host_apt_failures: u64,
    pub host_markov_failures: u64,
    pub sfp_temp_c: Option<f64>,
    pub sfp_vcc_v: Option<f64>,
    pub sfp_tx_bias_ma: Option<f64>,
    pub sfp_tx_power_mw: Option<f64>,
    pub sfp_rx_power_mw: Option<f64>,
    pub sfp_flags: Option<u8>,
    pub in_bytes_per_s: f64,
    pub out_bytes_per_s: f64,
}
