//! The dashboard's data: a simulated `stuck` board through the monitor's own source and state,
//! rendered into every view's text, the raw tap in every encoding, and every chart.

use speckle_monitor::app::App;
use speckle_monitor::encode::EmojiTable;
use speckle_monitor::source::SimSource;
use speckle_web::dash::Dash;

#[test]
fn a_stuck_board_shows_its_alarm_in_every_form() {
    let mut sim = SimSource::new(speckle_sim::Scenario::from_name("stuck").unwrap(), 1).unwrap();
    let mut d = Dash::new(App::new(EmojiTable::default_table(), true, "test".into()), None);
    for _ in 0..4 {
        for u in sim.pump(40_000) {
            d.apply(u);
        }
    }
    let s = d.snapshot(7);
    assert_eq!((s.seq, s.alarm), (7, true));
    let titles: Vec<&str> = s.views.keys().map(|k| k.as_str()).collect();
    assert_eq!(titles, ["Audit", "Channels", "Events", "Health", "Raw", "SFP", "Throughput"]);
    assert!(s.views["Health"].contains("alarm latched: RCT"), "{}", s.views["Health"]);
    assert!(s.views["Health"].contains("cutoff    61"), "{}", s.views["Health"]);
    assert!(s.views["Events"].contains("ALARM latched: RCT"), "{}", s.views["Events"]);
    let formats: Vec<&str> = s.raw.keys().map(|k| k.as_str()).collect();
    assert_eq!(formats, ["base58", "base64", "binary", "emoji", "hex", "octal"]);
    // A stuck source taps ones once it is stuck.
    assert!(s.raw["hex"].contains("ff ff") || s.raw["hex"].contains("ffff"), "{}", s.raw["hex"]);
    assert!(s.raw["binary"].contains("11111111"));
    let h = d.histogram();
    assert!(h[255] * 2 > h.iter().sum::<u64>(), "most raw bytes are 0xff: {h:?}");
    for name in speckle_web::charts::NAMES {
        let svg = speckle_web::charts::svg(&d, name).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"), "{name}");
    }
    let health = speckle_web::charts::svg(&d, "health").unwrap();
    assert!(health.contains("RCT max run") && health.contains("cutoff"), "{health}");
    assert!(speckle_web::charts::svg(&d, "nope").is_none());
}
