//! The daemon's telemetry record: one row per source per STATUS interval, written to the parquet
//! files and streamed as JSON lines on the status socket (schema in docs/telemetry.md).
//!
//! It lives here, beside the frame protocol, because two programs speak it: the host writes it and
//! the monitor reads it, and the host links the monitor, so neither can hold it for the other.
//! Reading defaults every missing field, so a monitor still displays rows of an older daemon.

use crate::protocol::SfpDiag;
use serde::{Deserialize, Serialize};

/// Counters are cumulative since the daemon started (decoder and host counters) or as the board
/// reports them (board counters); rates cover the interval since the previous row of the source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TelemetryRow {
    /// The row's number in its telemetry directory: one more than the row before, across restarts
    /// of the daemon (it continues after the newest row its files hold), so a reader finds a lost or
    /// repeated row by a gap or a repeat. 0 when the daemon writes no telemetry (no
    /// `--telemetry-dir`).
    pub seq: u64,
    pub time_ms: i64,
    pub source: String,
    /// Where the source's bytes come from: `board` (can be entropy), `simulated` (a `sim:` board)
    /// or `replay` (a `file:` capture). Only `board` bytes are entropy; the host refuses the
    /// others for the kernel sink, and this column marks them wherever else they went.
    pub provenance: String,
    pub mode: String,
    /// Host verdict after this row's STATUS: true when the source's data is being released.
    pub healthy: bool,
    /// Why not, when not healthy.
    pub reason: String,
    /// The source's recovery state (docs/host.md, "Recovery"): `healthy`, `failed` (a recovery is
    /// due after the backoff), `recovering` (CLEAR_ALARMS sent, waiting for the startup test) or
    /// `failed-held` (interlock, attestation mismatch or the hourly cap: only `speckle ctl clear`
    /// or a restart retries). Empty in rows written before this column existed.
    pub recovery: String,
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
    /// The board's cutoffs and window from this row's STATUS (None in a row without one), so a
    /// reader of the socket or the files judges the counters against what the board enforces.
    pub rct_cutoff: Option<u16>,
    pub apt_cutoff: Option<u16>,
    pub markov_lo_cutoff: Option<u16>,
    pub markov_hi_cutoff: Option<u16>,
    pub window: Option<u16>,
    pub host_rct_failures: u64,
    pub host_apt_failures: u64,
    pub host_markov_failures: u64,
    pub sfp_temp_c: Option<f64>,
    pub sfp_vcc_v: Option<f64>,
    pub sfp_tx_bias_ma: Option<f64>,
    pub sfp_tx_power_mw: Option<f64>,
    pub sfp_rx_power_mw: Option<f64>,
    pub sfp_flags: Option<u8>,
    /// The latest SFP_DIAG payload as hex: it carries the module's own alarm and warning
    /// thresholds (A2h bytes 0–39), which the decoded columns above do not.
    pub sfp_diag_hex: Option<String>,
    pub in_bytes_per_s: f64,
    pub out_bytes_per_s: f64,
    /// Per sink, the bytes dropped so far because its backlog was full (its reader did not keep
    /// up; the other sinks were not held back): a JSON object from each sink as given on the
    /// command line to its cumulative count, `{"fifo:/run/speckle/rng.fifo":4096,"stdout":0}`.
    /// Text rather than a map so that it is one parquet column; the same in every row of a run's
    /// sources, as the daemon stamps the current counts into each row it logs.
    pub sink_dropped_bytes: String,
    /// Bits of entropy the kernel sink has credited so far in this run (RNDADDENTROPY calls the
    /// kernel accepted), stamped into every row like `sink_dropped_bytes`: the output's figure,
    /// not the source's. 0 without `--output kernel`.
    pub kernel_credited_bits: u64,
    /// Raw mode: a live min-entropy estimate of the raw samples in bits per sample, the least of
    /// SP 800-90B's most-common-value, Markov and collision estimates over the last
    /// `RAW_ESTIMATE_WINDOW` samples (speckle-assess's `LiveEstimate`). `None` in conditioned mode
    /// (the host sees no raw sample) and until the window has filled.
    pub raw_min_entropy: Option<f64>,
    /// The board's claimed min-entropy per raw sample (STATUS `h`), beside the estimate: an
    /// estimate below it means the noise source delivers less than the design assumes.
    pub raw_entropy_claim: Option<f64>,
    /// Rows with `source` = `audit` only (`speckle run --audit`): the completed SP 800-22 audit of
    /// the output as JSON (speckle-audit's report: per test and p-value, the proportion passing,
    /// the uniformity P-value and the verdict); empty in every other row.
    pub audit: String,
}

/// Raw samples behind `raw_min_entropy`: 2^16 gives the MCV bound a margin of about 0.01 bit at
/// p = 0.5 while a window still spans only ~11 ms of board time at 6 MS/s.
pub const RAW_ESTIMATE_WINDOW: usize = 1 << 16;

impl TelemetryRow {
    /// Fills the SFP columns from the latest SFP_DIAG (all `None` without one), so the decoded
    /// columns and `sfp_diag_hex` always describe the same frame.
    pub fn set_sfp(&mut self, d: Option<&SfpDiag>) {
        self.sfp_temp_c = d.map(|d| d.temperature_c());
        self.sfp_vcc_v = d.map(|d| d.vcc_v());
        self.sfp_tx_bias_ma = d.map(|d| d.tx_bias_ma());
        self.sfp_tx_power_mw = d.map(|d| d.tx_power_mw());
        self.sfp_rx_power_mw = d.map(|d| d.rx_power_mw());
        self.sfp_flags = d.map(|d| d.flags.0);
        self.sfp_diag_hex = d.map(|d| d.serialize().iter().map(|b| format!("{b:02x}")).collect());
    }

    /// The SFP_DIAG that `sfp_diag_hex` carries; `None` when absent or malformed (a row from
    /// another program is input, not trusted).
    pub fn sfp_diag(&self) -> Option<SfpDiag> {
        let hex = self.sfp_diag_hex.as_deref()?;
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
            .collect::<Option<Vec<u8>>>()?;
        SfpDiag::parse(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::SfpFlags;

    #[test]
    fn sfp_diag_survives_the_row() {
        let mut thresholds_raw = [0u8; 40];
        thresholds_raw.iter_mut().enumerate().for_each(|(i, b)| *b = (i * 7) as u8);
        let d = SfpDiag {
            thresholds_raw,
            live_raw: [0x1e, 0x80, 0x80, 0xe8, 0x10, 0x00, 0x13, 0x88, 0x0f, 0xa0],
            flags: SfpFlags(SfpFlags::PRESENT | SfpFlags::DIAG_VALID),
            poll_counter: 9,
        };
        let mut row = TelemetryRow::default();
        row.set_sfp(Some(&d));
        assert_eq!(row.sfp_diag_hex.as_ref().map(|h| h.len()), Some(2 * 52));
        assert_eq!(row.sfp_temp_c, Some(d.temperature_c()));
        let line = serde_json::to_string(&row).unwrap();
        assert_eq!(serde_json::from_str::<TelemetryRow>(&line).unwrap().sfp_diag(), Some(d));

        for bad in ["", "zz", "1e80", &"0".repeat(103), &"g".repeat(104)] {
            row.sfp_diag_hex = Some(bad.to_string());
            assert_eq!(row.sfp_diag(), None, "{bad:?}");
        }
        row.set_sfp(None);
        assert_eq!((row.sfp_diag_hex, row.sfp_rx_power_mw, row.sfp_flags), (None, None, None));
    }

    #[test]
    fn parses_a_daemon_line() {
        let line = r#"{"time_ms":1,"source":"sim:stuck","mode":"conditioned","healthy":false,"reason":"board alarm RCT","rct_max_run":61,"board_alarms":1,"sfp_rx_power_mw":0.2,"in_bytes_per_s":4200.5}"#;
        let r: TelemetryRow = serde_json::from_str(line).unwrap();
        assert_eq!(
            (r.source.as_str(), r.rct_max_run, r.board_alarms, r.sfp_rx_power_mw),
            ("sim:stuck", 61, 1, Some(0.2))
        );
        assert!(!r.healthy);
    }

    #[test]
    fn what_the_host_writes_the_monitor_reads_back() {
        let row = TelemetryRow {
            time_ms: 42,
            source: "serial:/dev/ttyUSB0@1000000".into(),
            healthy: true,
            board_samples: 4_000_000_000,
            sfp_temp_c: Some(31.5),
            out_bytes_per_s: 1234.5,
            ..TelemetryRow::default()
        };
        let line = serde_json::to_string(&row).unwrap();
        assert_eq!(serde_json::from_str::<TelemetryRow>(&line).unwrap(), row);
    }
}
