//! Every view rendered at 80×24 (the smallest supported terminal) from real data: simulated boards
//! run in-process for a short while, their frames decoded and applied exactly as the live monitor
//! does. The assertions read the screen text.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use speckle_audit::tests::BATTERY;
use speckle_model::params::CoreParams;
use speckle_monitor::app::App;
use speckle_monitor::battery::SEQ_BITS;
use speckle_monitor::encode::{EmojiTable, Format};
use speckle_monitor::source::{SimSource, Update};
use speckle_monitor::view::{draw, View};
use speckle_sim::Scenario;
use std::sync::OnceLock;

fn run(scenario: &str, samples: u64) -> App {
    let mut sim = SimSource::new(Scenario::from_name(scenario).unwrap(), 1).unwrap();
    let mut app = App::new(EmojiTable::default_table(), true, format!("test {scenario}"));
    for u in sim.pump(samples) {
        app.apply(u);
    }
    app
}

fn screen(app: &mut App, view: View, w: u16, h: u16) -> String {
    app.view = view;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n")
        .collect()
}

/// The screen with runs of whitespace (and line wraps) collapsed to one space.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One optimal run shared by the tests: 700 000 samples (~117 ms of board time).
fn optimal() -> &'static std::sync::Mutex<App> {
    static A: OnceLock<std::sync::Mutex<App>> = OnceLock::new();
    A.get_or_init(|| std::sync::Mutex::new(run("optimal", 700_000)))
}

fn cut() -> speckle_model::params::Cutoffs {
    CoreParams::ice40().cutoffs()
}

#[test]
fn channels_shows_intensity_and_bias_against_their_limits() {
    let mut app = optimal().lock().unwrap();
    let s = screen(&mut app, View::Channels, 80, 24);
    assert!(s.contains("sim:optimal RX"), "{s}");
    // RX-power limits are the module's own (sim default: 0.002 / 1 mW), bias limits from the APT.
    assert!(s.contains("lo 0.002 hi 1"), "{s}");
    let hi = cut().apt as f64 / 1024.0;
    assert!(s.contains(&format!("{:.3}/{hi:.3}", 1.0 - hi)), "{s}");
    assert!(s.contains(" healthy "), "{s}");
    let b = *app.channels[0].bias.back().unwrap();
    assert!((0.3..0.7).contains(&b), "bias {b}");
}

#[test]
fn health_shows_cutoffs_and_the_stuck_rct_alarm() {
    let mut app = optimal().lock().unwrap();
    let s = screen(&mut app, View::Health, 80, 24);
    let c = cut();
    assert!(s.contains(&format!("cutoff {:>5}", c.rct)), "{s}");
    assert!(s.contains(&format!("allowed {}..{}", c.markov_lo, c.markov_hi)), "{s}");
    assert!(
        s.contains("startup passed")
            && s.contains("gate open")
            && s.contains("alarms latched: none"),
        "{s}"
    );
    drop(app);
    let mut stuck = run("stuck", 80_000);
    let s = screen(&mut stuck, View::Health, 80, 24);
    assert!(s.contains("alarm latched: RCT"), "{s}");
    assert!(s.contains("FAIL RCT max run"), "{s}");
    assert!(s.contains("gate closed"), "{s}");
    let e = flat(&screen(&mut stuck, View::Events, 80, 24));
    let run = stuck.channels[0].status.unwrap().rct_max_run;
    assert!(
        e.contains("ALARM latched: RCT")
            && e.contains(&format!("RCT run {run} ≥ cutoff {}", c.rct)),
        "{e}"
    );
}

#[test]
fn sfp_shows_readings_against_module_thresholds_and_the_interlock() {
    let mut app = optimal().lock().unwrap();
    let s = screen(&mut app, View::Sfp, 80, 24);
    assert!(
        s.contains("hi alarm") && s.contains("RX power") && s.contains("interlock armed"),
        "{s}"
    );
    let rx = app.channels[0].sfp.unwrap().rx_power_mw();
    assert!(s.contains(&format!("{rx:>10.4}")), "{s}");
    drop(app);
    // The front end trips within one poll period (2^21 clocks = 419 430 samples at 30 MHz / 5) of
    // the onset plus one poll, so run past that bound and the SFP_DIAG frame that follows it.
    let mut sat = run("saturation", 700_000);
    let s = screen(&mut sat, View::Sfp, 80, 24);
    assert!(s.contains("INTERLOCK TRIPPED"), "{s}");
    let h = flat(&screen(&mut sat, View::Health, 80, 24));
    assert!(h.contains("+ interlock (ext = SFP interlock)"), "{h}");
    let e = flat(&screen(&mut sat, View::Events, 80, 24));
    assert!(e.contains("SFP interlock tripped"), "{e}");
}

#[test]
fn throughput_and_audit_are_computed_from_the_stream() {
    let mut app = optimal().lock().unwrap();
    let s = screen(&mut app, View::Throughput, 80, 24);
    let (rin, rout) = *app.channels[0].rates.back().unwrap();
    // 6 MS/s board, measured from the STATUS sample counter over board time.
    assert!((rin - 6e6).abs() < 0.03 * 6e6, "{rin}");
    assert!(rout > 1000.0, "{rout}");
    assert!(s.contains(&format!("raw in {:.3} MS/s", rin / 1e6)), "{s}");
    assert!(s.contains("losses: lost frames 0"), "{s}");
    let a = screen(&mut app, View::Audit, 80, 24);
    let results = app.audit.run().expect("enough conditioned bytes for the audit");
    for r in &results {
        assert!(a.contains(r.name), "{a}");
        assert!(a.contains(&format!("{:.6}", r.p)), "{a}");
    }
    assert!(a.contains("χ²"), "{a}");
}

#[test]
fn raw_view_encodes_the_raw_tap_in_every_format_both_ways() {
    let mut app = optimal().lock().unwrap();
    assert!(app.raw.len() >= 1024, "raw tap bytes {}", app.raw.len());
    for f in Format::ALL {
        app.raw_format = f;
        for vertical in [true, false] {
            app.raw_vertical = vertical;
            let s = screen(&mut app, View::Raw, 80, 24);
            assert!(s.contains(&format!("raw tap · {}", f.name())), "{s}");
            let body: String = s.lines().nth(2).unwrap().to_string();
            let ok = |c: char| match f {
                Format::Binary => "01".contains(c),
                Format::Octal => c.is_digit(8),
                Format::Hex => c.is_ascii_hexdigit(),
                Format::Base64 => c.is_ascii_alphanumeric() || "+/".contains(c),
                Format::Base58 => c.is_ascii_alphanumeric() && !"0OIl".contains(c),
                Format::Emoji => !c.is_ascii_alphanumeric(),
            };
            assert!(
                body.trim().chars().count() > 10 && body.trim().chars().all(ok),
                "{f:?}: {body}"
            );
        }
    }
    app.raw_format = Format::Hex;
    app.raw_vertical = true;
    // Vertical flow: the newest byte ends the bottom row.
    let s = screen(&mut app, View::Raw, 80, 24);
    let last = format!("{:02x}", app.raw.back().unwrap());
    assert!(s.lines().nth(22).unwrap().trim_end().ends_with(&last), "{s}");
}

#[test]
fn larger_terminals_and_the_help_line() {
    let mut app = optimal().lock().unwrap();
    for v in View::ALL {
        let s = screen(&mut app, v, 120, 40);
        assert!(s.contains(&format!("speckle monitor · {}", v.title())), "{s}");
        let s = screen(&mut app, v, 80, 24);
        let help = s.lines().last().unwrap();
        for k in View::ALL {
            assert!(help.contains(&format!("{}:{}", k.key(), k.title())), "{help}");
        }
    }
}

#[test]
fn a_restarted_board_replaces_its_channel_in_order() {
    let mut sim = SimSource::new(Scenario::from_name("optimal").unwrap(), 1).unwrap();
    let mut app = App::new(EmojiTable::default_table(), true, String::new());
    let mut updates = sim.pump(70_000);
    updates.extend(sim.restart(Scenario::from_name("stuck").unwrap()).unwrap());
    updates.extend(sim.pump(80_000));
    for u in updates {
        app.apply(u);
    }
    let names: Vec<&str> = app.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["sim:stuck"]);
    let s = flat(&screen(&mut app, View::Events, 80, 24));
    assert!(s.contains("board restarted with scenario stuck (was sim:optimal)"), "{s}");
    assert!(s.contains("alarm latched: RCT"), "{s}");
}

#[test]
fn no_color_means_no_colour_and_colour_marks_alarms_otherwise() {
    use ratatui::style::Color;
    let mut stuck = run("stuck", 80_000);
    let colours = |app: &mut App| {
        app.view = View::Health;
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| draw(f, app)).unwrap();
        t.backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.fg)
            .filter(|&c| c != Color::Reset)
            .collect::<Vec<_>>()
    };
    assert!(colours(&mut stuck).is_empty());
    stuck.no_color = false;
    assert!(colours(&mut stuck).contains(&Color::Red));
}

#[test]
fn two_sources_share_the_channels_view_at_80x24() {
    let mut app = App::new(EmojiTable::default_table(), true, String::new());
    for name in ["optimal", "bias"] {
        let mut sim = SimSource::new(Scenario::from_name(name).unwrap(), 3).unwrap();
        for u in sim.pump(70_000) {
            app.apply(u);
        }
    }
    let s = screen(&mut app, View::Channels, 80, 24);
    assert!(s.contains("sim:optimal RX") && s.contains("sim:bias RX"), "{s}");
    let h = flat(&screen(&mut app, View::Health, 80, 24));
    assert!(
        h.contains("sim:optimal healthy")
            && h.contains("sim:bias alarm latched:")
            && h.contains("FAIL APT max count"),
        "{h}"
    );
}

/// The Health view holds the raw tap's live min-entropy (MCV, Markov and collision over the last
/// 2^16 raw samples) against the board's claim: above it for `optimal`, BELOW for `bias` (P(1)
/// about 0.89 after the onset), with an event when it crossed. The raw tap gets one RAW frame of
/// 256 consecutive samples per UART frame time, about one sample in eight.
#[test]
fn health_shows_the_live_min_entropy_against_the_claim() {
    let claim = CoreParams::ice40().h_milli() as f64 / 1000.0;
    let mut app = optimal().lock().unwrap();
    let m = app.channels[0].min_entropy.expect("an estimate after 700 000 samples");
    assert!(m.estimate > claim && m.claim == claim, "{m:?}");
    let s = flat(&screen(&mut app, View::Health, 100, 30));
    assert!(s.contains(&format!("ok raw min-entropy {:.3}", m.estimate)), "{s}");
    assert!(s.contains(&format!("claim {claim:.3}")) && !s.contains("BELOW"), "{s}");
    drop(app);
    let mut bias = run("bias", 700_000);
    let m = bias.channels[0].min_entropy.unwrap();
    assert!(m.estimate < 0.3 && m.below(), "{m:?}");
    let s = flat(&screen(&mut bias, View::Health, 100, 30));
    assert!(s.contains("BELOW CLAIM"), "{s}");
    assert!(bias.events.iter().any(|(_, _, t)| t.contains("is BELOW the claim of 0.500")));
}

/// The Audit view shows the whole speckle-audit battery over the conditioned stream: every test's
/// latest p-value, its history and its pass proportion.
fn xorshift_bytes(n: usize, mut x: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

#[test]
fn the_audit_view_shows_every_battery_test() {
    let mut app = App::new(EmojiTable::default_table(), true, "test".into());
    let s = screen(&mut app, View::Audit, 110, 50);
    assert!(s.contains("battery (speckle-audit): 0 sequences"), "{s}");
    let bytes = xorshift_bytes(3 * SEQ_BITS / 8, 99);
    for chunk in bytes.chunks(4096) {
        app.apply(Update::Conditioned { source: "sim:optimal".into(), bytes: chunk.to_vec() });
    }
    assert_eq!(app.battery.sequences, 3);
    let s = screen(&mut app, View::Audit, 110, 50);
    assert!(s.contains("battery (speckle-audit): 3 sequences"), "{s}");
    for t in BATTERY {
        let line = s
            .lines()
            .find(|l| l.split_whitespace().next() == Some(t.name))
            .unwrap_or_else(|| panic!("{} missing:\n{s}", t.name));
        let l = app.battery.lines.iter().find(|l| l.name == t.name).unwrap();
        match l.latest {
            Some(p) => {
                assert!(line.contains(&format!("{p:.6}")), "{line}");
                assert!(line.contains(&format!("{}/{}", l.passed, l.tested)), "{line}");
            }
            None => assert!(line.contains("n/a"), "{line}"),
        }
    }
    let templates = s.lines().find(|l| l.contains("NonOverlappingTemplate")).unwrap();
    assert!(templates.contains("min of 148"), "{templates}");
    // Three sequences: a three-bar history (or dots where a test did not apply).
    let freq = s.lines().find(|l| l.split_whitespace().next() == Some("Frequency")).unwrap();
    assert_eq!(freq.chars().filter(|c| "▁▂▃▄▅▆▇█".contains(*c)).count(), 3, "{freq}");
}
