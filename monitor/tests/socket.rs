//! The status-socket source: a line captured from `speckle run --source sim:stuck --status-socket`
//! served on a Unix socket, followed by the monitor's reader thread, rendered in the views.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use speckle_monitor::app::App;
use speckle_monitor::encode::EmojiTable;
use speckle_monitor::source::{spawn_socket, Update};
use speckle_monitor::view::{draw, View};
use std::io::Write;
use std::time::Duration;

const DAEMON_LINE: &str = r#"{"time_ms":1795593801823,"source":"sim:stuck","mode":"conditioned","healthy":false,"reason":"board alarm RCT+APT+Markov","bytes_in":1394,"bytes_out":0,"frames_ok":32,"bad_crc":0,"lost":0,"resync_bytes":0,"unknown_type":0,"bad_payload":0,"discarded_blocks":2,"board_alarms":7,"board_state":5,"board_samples":504598,"board_blocks":2,"board_dropped":0,"rct_failures":1,"apt_failures":472,"markov_failures":473,"rct_max_run":65535,"apt_max_count":1024,"markov_min":0,"markov_max":0,"host_rct_failures":0,"host_apt_failures":0,"host_markov_failures":0,"sfp_temp_c":40.0,"sfp_vcc_v":3.3000000000000003,"sfp_tx_bias_ma":6.0,"sfp_tx_power_mw":0.3,"sfp_rx_power_mw":0.1816,"sfp_flags":3,"in_bytes_per_s":493.3702343831882,"out_bytes_per_s":0.0}"#;

fn flat_screen(app: &mut App, v: View) -> String {
    app.view = v;
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    let s: String = (0..24)
        .map(|y| (0..80).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n")
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn socket_rows_reach_the_views_and_garbage_is_reported() {
    let path = std::env::temp_dir().join(format!("speckle-monitor-sock-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    spawn_socket(path.clone(), tx);
    let (mut conn, _) = listener.accept().unwrap();
    // The daemon's row also carries the board's cutoffs and the raw SFP_DIAG payload (with the
    // module's thresholds); values unlike the ice40 profile's, so the view must have used them.
    let mut row: serde_json::Value = serde_json::from_str(DAEMON_LINE).unwrap();
    let mut diag = [0u8; 52];
    diag[32..34].copy_from_slice(&12_345u16.to_be_bytes()); // RX power high alarm, 0.1 µW units
    diag[48..50].copy_from_slice(&1816u16.to_be_bytes()); // live RX power (A2h 104..105)
    diag[50] = 0x03;
    let hex: String = diag.iter().map(|b| format!("{b:02x}")).collect();
    for (k, v) in [
        ("rct_cutoff", 77),
        ("apt_cutoff", 801),
        ("markov_lo_cutoff", 300),
        ("markov_hi_cutoff", 600),
        ("window", 1024),
    ] {
        row[k] = v.into();
    }
    row["sfp_diag_hex"] = hex.into();
    writeln!(conn, "{row}\nnot json").unwrap();
    drop(conn);
    let mut app = App::new(EmojiTable::default_table(), true, "socket".into());
    let mut rows = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while app.events.iter().all(|e| !e.2.contains("closed")) && std::time::Instant::now() < deadline
    {
        if let Ok(u) = rx.recv_timeout(Duration::from_millis(100)) {
            rows += matches!(u, Update::Row(_)) as usize;
            app.apply(u);
        }
    }
    let _ = std::fs::remove_file(&path);
    assert_eq!(rows, 1);
    let h = flat_screen(&mut app, View::Health);
    assert!(h.contains("daemon: board alarm RCT+APT+Markov"), "{h}");
    assert!(
        h.contains("FAIL RCT max run 65535") && h.contains("alarms latched: RCT + APT + Markov"),
        "{h}"
    );
    assert!(h.contains("cutoff 77") && !h.contains("ice40 profile"), "{h}");
    let e = flat_screen(&mut app, View::Events);
    assert!(e.contains("ALARM latched: RCT + APT + Markov"), "{e}");
    assert!(e.contains("unreadable telemetry line"), "{e}");
    let s = flat_screen(&mut app, View::Sfp);
    assert!(s.contains("RX power 0.1816") && s.contains("1.2345 mW"), "{s}");
    let t = flat_screen(&mut app, View::Throughput);
    assert!(t.contains("in 493 B/s out 0 B/s (daemon)") && t.contains("discarded blocks 2"), "{t}");
}
