//! `speckle monitor --journal`: a journal recorded from a real systemd-journald (the entries
//! host/tests/journald.rs makes: `sim:stuck` and `sim:optimal` with `--log journald`, then
//! `sim:dark` under `JOURNAL_STREAM`; host-specific fields removed) fed through the same reader
//! thread the live monitor runs on `journalctl -o json -f`, into the Events view.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use speckle_monitor::app::App;
use speckle_monitor::encode::EmojiTable;
use speckle_monitor::journal;
use speckle_monitor::source::Update;
use speckle_monitor::view::{draw, View};
use std::process::Command;
use std::time::Duration;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/journal.json");

#[test]
fn recorded_journal_fills_the_events_view_per_source_with_states() {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut cat = Command::new("cat");
    cat.arg(FIXTURE);
    journal::spawn(cat, tx);
    let mut app = App::new(EmojiTable::default_table(), true, "journal test".into());
    let mut updates = Vec::new();
    while let Ok(u) = rx.recv_timeout(Duration::from_secs(10)) {
        let end = matches!(&u, Update::Event { source, .. } if source == "monitor");
        updates.push(u.clone());
        app.apply(u);
        if end {
            break;
        }
    }
    let lines = std::fs::read_to_string(FIXTURE).unwrap().lines().count();
    // Every entry is one event, plus the note that journalctl (here: cat) ended.
    assert_eq!(updates.len(), lines + 1);
    let events: Vec<_> = app.events.iter().cloned().collect();
    let by = |src: &str| events.iter().filter(|(_, s, _)| s == src).count();
    assert!(by("sim:stuck") > 10 && by("sim:optimal") >= 2 && by("sim:dark") > 5, "{events:?}");
    assert_eq!(by("daemon"), 2, "the two runs' final lines: {events:?}");
    assert!(events.last().unwrap().2.contains("ended"), "{events:?}");
    let failed = events
        .iter()
        .filter(|(_, s, t)| s == "sim:stuck" && t.starts_with("journal: [failed] board alarm RCT"));
    assert!(failed.count() >= 3, "{events:?}");
    assert!(events.iter().any(|(_, s, t)| s == "sim:dark" && t.contains("LOS")), "{events:?}");

    app.view = View::Events;
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| draw(f, &app)).unwrap();
    let buf = t.backend().buffer().clone();
    let screen: String = (0..30)
        .map(|y| (0..100).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n")
        .collect();
    assert!(
        screen.contains("sim:dark journal: [recovering] recovering: CLEAR_ALARMS sent"),
        "{screen}"
    );
    assert!(screen.contains("daemon journal: wrote 32 bytes"), "{screen}");
}

#[test]
fn a_missing_journalctl_is_said_in_the_events_view() {
    let (tx, rx) = std::sync::mpsc::channel();
    journal::spawn(Command::new("/nonexistent/journalctl"), tx);
    match rx.recv_timeout(Duration::from_secs(10)).unwrap() {
        Update::Event { source, text } => {
            assert_eq!(source, "monitor");
            assert!(text.contains("cannot run /nonexistent/journalctl"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}
