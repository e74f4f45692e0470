//! Rows the daemon writes for its continuous audit (`speckle run --audit`, `source` = `audit`)
//! arrive on the status socket like source rows; the monitor keeps them apart from the sources.

use speckle_monitor::app::App;
use speckle_monitor::encode::EmojiTable;
use speckle_monitor::row::TelemetryRow;
use speckle_monitor::source::Update;

#[test]
fn audit_rows_are_events_and_the_latest_audit_not_a_channel() {
    let mut app = App::new(EmojiTable::default_table(), true, "socket".into());
    let source = TelemetryRow { source: "sim:optimal".into(), healthy: true, ..Default::default() };
    let audit = |healthy: bool, reason: &str| TelemetryRow {
        source: "audit".into(),
        mode: "audit".into(),
        healthy,
        reason: reason.into(),
        audit: r#"{"sequences":2,"bits":8000,"passed":false,"rows":[]}"#.into(),
        ..Default::default()
    };
    app.apply(Update::Row(Box::new(source)));
    app.apply(Update::Row(Box::new(audit(true, ""))));
    app.apply(Update::Row(Box::new(audit(false, "Frequency, Runs"))));
    assert_eq!(app.channels.len(), 1, "the audit is not a source");
    let texts: Vec<&str> = app.events.iter().map(|(_, _, t)| t.as_str()).collect();
    assert!(texts.contains(&"daemon's audit of its output: pass"), "{texts:?}");
    assert!(texts.contains(&"daemon's audit of its output: FAIL (Frequency, Runs)"), "{texts:?}");
    assert_eq!(app.daemon_audit.as_ref().map(|r| r.healthy), Some(false));
    app.view = speckle_monitor::view::View::Audit;
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    t.draw(|f| speckle_monitor::view::draw(f, &app)).unwrap();
    let buf = t.backend().buffer().clone();
    let screen: String = (0..30)
        .map(|y| (0..100).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n")
        .collect();
    let want = "daemon's audit of its output (2 sequences of 8000 bits): FAIL: Frequency, Runs";
    assert!(screen.contains(want), "{screen}");
}
