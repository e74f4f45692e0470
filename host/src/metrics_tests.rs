use super::*;
use crate::sink::Credited;
use speckle_model::protocol::{SfpDiag, SfpThresholds};

/// The text one scrape of `sources` and `sinks` gives, through the crate's own encoder.
fn scrape(sources: Vec<SourceState>, sinks: Vec<SinkStat>) -> String {
    let mut out = String::new();
    for f in families(&sources, &sinks) {
        let mut reg = Registry::default();
        reg.register_collector(Box::new(Fixed(f)));
        prometheus_client::encoding::prometheus_text::encode(&mut out, &reg).unwrap();
    }
    out
}

struct Fixed(Family);
impl std::fmt::Debug for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}
impl Collector for Fixed {
    fn encode(&self, mut enc: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        self.0.encode(&mut enc)
    }
}

/// The value of the one sample line that starts with `series` (name and labels as encoded).
fn value(text: &str, series: &str) -> f64 {
    let mut hits = text.lines().filter_map(|l| l.strip_prefix(series)?.strip_prefix(' '));
    let v = hits.next().unwrap_or_else(|| panic!("no `{series}` in:\n{text}"));
    assert!(hits.next().is_none(), "`{series}` twice");
    v.parse().unwrap()
}

fn diag() -> SfpDiag {
    let lim = |ha, la, hw, lw| Limits {
        high_alarm: ha,
        low_alarm: la,
        high_warning: hw,
        low_warning: lw,
    };
    let t = SfpThresholds {
        temp_c: lim(80.0, -10.0, 75.0, -5.0),
        vcc_v: lim(3.6, 3.0, 3.5, 3.1),
        bias_ma: lim(15.0, 1.0, 12.0, 2.0),
        tx_power_mw: lim(2.0, 0.1, 1.5, 0.2),
        rx_power_mw: lim(1.0, 0.01, 0.8, 0.02),
    };
    SfpDiag {
        thresholds_raw: t.encode(),
        live_raw: SfpDiag::live_from_units(41.5, 3.3, 6.0, 0.5, 0.25),
        flags: SfpFlags(SfpFlags::PRESENT | SfpFlags::DIAG_VALID),
        poll_counter: 3,
    }
}

/// Every column the brief names reaches its series in base units beside the module's thresholds
/// and the board's cutoffs; counters carry `_total`, and a source without a row yet is exported
/// as unhealthy rather than missing (so "unhealthy for a minute" fires for a board that never
/// spoke).
#[test]
fn a_row_becomes_conventional_series_in_base_units() {
    let mut row = Row {
        source: "serial:/dev/ttyUSB0@1000000".into(),
        provenance: "board".into(),
        mode: "conditioned".into(),
        healthy: false,
        recovery: "failed".into(),
        time_ms: 1_700_000_000_500,
        bytes_in: 1000,
        bytes_out: 640,
        frames_ok: 20,
        bad_crc: 2,
        lost: 3,
        discarded_blocks: 4,
        board_alarms: Alarms::RCT | Alarms::LOS,
        rct_failures: 5,
        host_apt_failures: 6,
        rct_cutoff: Some(41),
        rct_max_run: 61,
        markov_lo_cutoff: Some(100),
        markov_min: 90,
        window: Some(1024),
        ..Row::default()
    };
    row.set_sfp(Some(&diag()));
    let mut s = SourceState { name: row.source.clone(), ..SourceState::default() };
    s.take(&row);
    let quiet = SourceState { name: "sim:optimal".into(), ..SourceState::default() };
    let sinks = vec![
        SinkStat { name: "stdout".into(), queued: 32, dropped: 7, written: 96, credited: None },
        SinkStat {
            name: "kernel".into(),
            queued: 0,
            dropped: 0,
            written: 64,
            credited: Some(Credited { calls: 2, bytes: 64, bits: 256 }),
        },
    ];
    let text = scrape(vec![s, quiet], sinks);
    let src = r#"source="serial:/dev/ttyUSB0@1000000""#;
    let at = |name: &str, more: &str| {
        let labels = if more.is_empty() { src.to_string() } else { format!("{src},{more}") };
        value(&text, &format!("{name}{{{labels}}}"))
    };
    assert_eq!(at("speckle_source_healthy", ""), 0.0);
    assert_eq!(value(&text, r#"speckle_source_healthy{source="sim:optimal"}"#), 0.0);
    assert_eq!(at("speckle_source_info", r#"provenance="board",mode="conditioned""#), 1.0);
    assert_eq!(at("speckle_source_recovery_state", r#"state="failed""#), 1.0);
    assert_eq!(at("speckle_source_recovery_state", r#"state="healthy""#), 0.0);
    assert_eq!(at("speckle_source_last_status_timestamp_seconds", ""), 1_700_000_000.5);
    assert_eq!(at("speckle_board_alarm", r#"kind="rct""#), 1.0);
    assert_eq!(at("speckle_board_alarm", r#"kind="apt""#), 0.0);
    assert_eq!(at("speckle_board_alarms_total", r#"kind="los""#), 1.0);
    assert_eq!(at("speckle_health_test_failures_total", r#"test="rct",checker="board""#), 5.0);
    assert_eq!(at("speckle_health_test_failures_total", r#"test="apt",checker="host""#), 6.0);
    assert_eq!(at("speckle_health_test_cutoff", r#"test="rct",bound="max""#), 41.0);
    assert_eq!(at("speckle_health_test_statistic", r#"test="rct",bound="max""#), 61.0);
    assert_eq!(at("speckle_health_test_cutoff", r#"test="markov",bound="lo""#), 100.0);
    assert_eq!(at("speckle_health_test_statistic", r#"test="markov",bound="lo""#), 90.0);
    assert_eq!(at("speckle_health_test_window_samples", ""), 1024.0);
    assert_eq!(at("speckle_source_received_bytes_total", ""), 1000.0);
    assert_eq!(at("speckle_source_released_bytes_total", ""), 640.0);
    assert_eq!(at("speckle_frames_total", r#"outcome="bad_crc""#), 2.0);
    assert_eq!(at("speckle_frames_lost_total", ""), 3.0);
    assert_eq!(at("speckle_holdback_discarded_blocks_total", ""), 4.0);
    // SFP: the module's mW and mA in watts and amperes, each beside its thresholds.
    let d = diag();
    assert_eq!(at("speckle_sfp_rx_power_watts", ""), d.rx_power_mw() * 1e-3);
    let warn = at("speckle_sfp_rx_power_threshold_watts", r#"level="high_warning""#);
    assert_eq!(warn, d.thresholds().rx_power_mw.high_warning * 1e-3);
    assert!((warn - 0.8e-3).abs() < 1e-7, "{warn}");
    assert_eq!(at("speckle_sfp_tx_bias_amperes", ""), d.tx_bias_ma() * 1e-3);
    assert_eq!(at("speckle_sfp_temperature_threshold_celsius", r#"level="high_alarm""#), 80.0);
    assert_eq!(at("speckle_sfp_flag", r#"flag="interlock""#), 0.0);
    // Sinks and the kernel's credit.
    assert_eq!(value(&text, r#"speckle_sink_backlog_bytes{sink="stdout"}"#), 32.0);
    assert_eq!(value(&text, r#"speckle_sink_dropped_bytes_total{sink="stdout"}"#), 7.0);
    assert_eq!(value(&text, r#"speckle_kernel_credited_bits_total{sink="kernel"}"#), 256.0);
    assert_eq!(value(&text, r#"speckle_kernel_credited_bytes_total{sink="kernel"}"#), 64.0);
    assert!(!text.contains(r#"speckle_kernel_credited_bits_total{sink="stdout"}"#));
    // Conventions: every family typed, counters end in _total, everything under speckle_.
    for l in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let mut w = l.split(' ').skip(2);
        let (name, ty) = (w.next().unwrap(), w.next().unwrap());
        assert!(name.starts_with("speckle_"), "{l}");
        assert_eq!(name.ends_with("_total"), ty == "counter", "{l}");
    }
}

/// Recoveries and raised alarms are counted on their edges, not per row they last.
#[test]
fn recoveries_and_alarms_count_edges() {
    let mut s = SourceState::default();
    let states = ["healthy", "failed", "recovering", "recovering", "healthy", "recovering"];
    let alarms = [0, Alarms::RCT, Alarms::RCT, Alarms::RCT | Alarms::APT, 0, Alarms::RCT];
    for (st, a) in states.iter().zip(alarms) {
        s.take(&Row { recovery: st.to_string(), board_alarms: a, ..Row::default() });
    }
    assert_eq!(s.recoveries, 2);
    assert_eq!(s.alarms_raised, [2, 1, 0, 0, 0]);
}

#[test]
fn metrics_addresses_default_to_loopback_and_bad_ones_are_one_line() {
    assert_eq!(parse_addr("9477").unwrap(), "127.0.0.1:9477".parse().unwrap());
    assert_eq!(parse_addr(":0").unwrap(), "127.0.0.1:0".parse().unwrap());
    assert_eq!(parse_addr("0.0.0.0:9477").unwrap(), "0.0.0.0:9477".parse().unwrap());
    assert_eq!(parse_addr("[::1]:9477").unwrap(), "[::1]:9477".parse().unwrap());
    for bad in ["", ":", "99999", "localhost:9477", "1.2.3.4", "http://x:1"] {
        let e = parse_addr(bad).unwrap_err();
        assert!(e.starts_with("--metrics ") && e.contains("IP:PORT") && !e.contains('\n'), "{e}");
    }
}
