//! The daemon's telemetry row as it arrives on the status socket (host/src/row.rs, docs/telemetry.md),
//! mirrored field for field so the monitor does not link the daemon. Fields missing from a line
//! default, so an older daemon still displays; the test below holds the names to the host's.

use serde::Deserialize;

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TelemetryRow {
    pub time_ms: i64,
    pub source: String,
    pub mode: String,
    pub healthy: bool,
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

/// Field names of [`TelemetryRow`], in order (what serde reads).
pub const FIELDS: &[&str] = &[
    "time_ms",
    "source",
    "mode",
    "healthy",
    "reason",
    "bytes_in",
    "bytes_out",
    "frames_ok",
    "bad_crc",
    "lost",
    "resync_bytes",
    "unknown_type",
    "bad_payload",
    "discarded_blocks",
    "board_alarms",
    "board_state",
    "board_samples",
    "board_blocks",
    "board_dropped",
    "rct_failures",
    "apt_failures",
    "markov_failures",
    "rct_max_run",
    "apt_max_count",
    "markov_min",
    "markov_max",
    "host_rct_failures",
    "host_apt_failures",
    "host_markov_failures",
    "sfp_temp_c",
    "sfp_vcc_v",
    "sfp_tx_bias_ma",
    "sfp_tx_power_mw",
    "sfp_rx_power_mw",
    "sfp_flags",
    "in_bytes_per_s",
    "out_bytes_per_s",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The host's `Row` is the contract: every `pub name:` in host/src/row.rs must be ours, in order.
    #[test]
    fn field_names_match_the_host_row() {
        let src = include_str!("../../host/src/row.rs");
        let host: Vec<&str> = src
            .lines()
            .filter_map(|l| l.trim().strip_prefix("pub "))
            .filter(|l| !l.starts_with("struct"))
            .filter_map(|l| l.split(':').next())
            .collect();
        assert_eq!(host, FIELDS);
    }

    #[test]
    fn parses_a_daemon_line() {
        let line = r#"{"time_ms":1,"source":"sim:stuck","mode":"conditioned","healthy":false,"reason":"board alarm RCT","rct_max_run":61,"board_alarms":1,"sfp_rx_power_mw":0.2,"in_bytes_per_s":4200.5}"#;
        let r: TelemetryRow = serde_json::from_str(line).unwrap();
        assert_eq!(
            (
                r.source.as_str(),
                r.rct_max_run,
                r.board_alarms,
                r.sfp_rx_power_mw
            ),
            ("sim:stuck", 61, 1, Some(0.2))
        );
        assert!(!r.healthy);
    }
}
