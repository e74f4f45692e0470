//! The dashboard's data: the terminal monitor's [`App`] fed by the monitor's own sources (status
//! socket or in-process simulated boards, the demo rotating scenarios with the monitor's
//! [`Controller`]), rendered by the monitor's own views into text, twice a second, for the
//! browsers. Every statistic shown comes from speckle-monitor; this module only records the
//! health statistics over time (the terminal shows the latest) for the charts.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde::Serialize;
use speckle_monitor::app::App;
use speckle_monitor::control::{Action, Controller};
use speckle_monitor::encode::{EmojiTable, Format};
use speckle_monitor::source::{spawn_sims, spawn_socket, SimControl, SimSource, Update};
use speckle_monitor::view::View;
use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How often browsers get a new snapshot.
pub const SNAPSHOT_EVERY: Duration = Duration::from_millis(500);
/// Size of the virtual terminal the views are rendered into.
const COLS: u16 = 120;
const ROWS: u16 = 40;

/// One STATUS's health statistics beside the cutoffs they are judged against.
#[derive(Clone, Copy, Debug, Default)]
pub struct HealthPoint {
    pub t_s: f64,
    pub rct_run: f64,
    pub rct_cutoff: f64,
    pub apt_count: f64,
    pub apt_cutoff: f64,
}

pub struct Dash {
    pub ctl: Controller,
    pub health: BTreeMap<String, VecDeque<HealthPoint>>,
}

impl Dash {
    pub fn new(app: App, rotate: Option<Duration>) -> Self {
        // The monitor's demo rotates scenarios after one pass over all views.
        let cycle =
            rotate.map(|r| (Instant::now(), r / View::ALL.len() as u32, Duration::from_secs(3600)));
        let demo = rotate.is_some();
        Dash { ctl: Controller::new(app, cycle, demo), health: BTreeMap::new() }
    }

    pub fn scenario(&self) -> Option<&'static str> {
        self.ctl.current_scenario().map(|s| s.name())
    }

    pub fn apply(&mut self, u: Update) {
        let point = match &u {
            Update::Status { source, t_s, status: s } => Some((
                source.clone(),
                HealthPoint {
                    t_s: *t_s,
                    rct_run: s.rct_max_run as f64,
                    rct_cutoff: s.rct_cutoff as f64,
                    apt_count: s.apt_max_count as f64,
                    apt_cutoff: s.apt_cutoff as f64,
                },
            )),
            Update::Row(r) => r.rct_cutoff.zip(r.apt_cutoff).map(|(rc, ac)| {
                let p = HealthPoint {
                    t_s: r.time_ms as f64 / 1000.0,
                    rct_run: r.rct_max_run as f64,
                    rct_cutoff: rc as f64,
                    apt_count: r.apt_max_count as f64,
                    apt_cutoff: ac as f64,
                };
                (r.source.clone(), p)
            }),
            Update::Restarted { old, .. } => {
                self.health.remove(old);
                None
            }
            _ => None,
        };
        if let Some((source, p)) = point {
            let h = self.health.entry(source).or_default();
            h.push_back(p);
            while h.len() > speckle_monitor::app::HISTORY {
                h.pop_front();
            }
        }
        self.ctl.app.apply(u);
    }

    /// Every view, as the terminal monitor draws it, plus the raw tap in every encoding.
    pub fn snapshot(&mut self, seq: u64) -> Snapshot {
        let mut term = Terminal::new(TestBackend::new(COLS, ROWS)).expect("a test backend");
        let (view, format) = (self.ctl.app.view, self.ctl.app.raw_format);
        let mut render = |app: &mut App, v: View| {
            app.view = v;
            let frame = term.draw(|f| speckle_monitor::view::draw(f, app)).expect("drawn");
            text(frame.buffer)
        };
        let app = &mut self.ctl.app;
        let views = View::ALL.iter().map(|v| (v.title().to_string(), render(app, *v))).collect();
        let raw = Format::ALL
            .iter()
            .map(|f| {
                app.raw_format = *f;
                (f.name().to_string(), render(app, View::Raw))
            })
            .collect();
        app.view = view;
        app.raw_format = format;
        let alarm = app.channels.iter().any(|c| c.alarms().any());
        Snapshot { seq, banner: app.banner.clone(), scenario: self.scenario(), alarm, views, raw }
    }

    /// Byte counts of the raw tap kept by the monitor (the Raw view's bytes).
    pub fn histogram(&self) -> [u64; 256] {
        let mut h = [0u64; 256];
        for b in &self.ctl.app.raw {
            h[*b as usize] += 1;
        }
        h
    }
}

/// A buffer's text, one line per row; a wide glyph (emoji) covers the cell after it.
fn text(buf: &ratatui::buffer::Buffer) -> String {
    use unicode_width::UnicodeWidthStr;
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut x = 0;
        while x < area.width {
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            x += sym.width().max(1) as u16;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[derive(Serialize, Clone, Debug)]
pub struct Snapshot {
    pub seq: u64,
    pub banner: String,
    pub scenario: Option<&'static str>,
    /// Any channel has an alarm latched.
    pub alarm: bool,
    /// View title → the view's text.
    pub views: BTreeMap<String, String>,
    /// Raw-tap encoding → the Raw view in it.
    pub raw: BTreeMap<String, String>,
}

/// The dashboard shared between the data thread and the request threads.
pub struct Shared {
    pub dash: Mutex<Dash>,
    /// The latest snapshot as JSON, with its sequence number.
    latest: Mutex<(u64, Arc<String>)>,
    fresh: Condvar,
}

impl Shared {
    pub fn latest(&self) -> (u64, Arc<String>) {
        self.latest.lock().unwrap().clone()
    }

    /// Waits up to `timeout` for a snapshot newer than `seen`.
    pub fn wait_newer(&self, seen: u64, timeout: Duration) -> Option<(u64, Arc<String>)> {
        let g = self.latest.lock().unwrap();
        let (g, _) = self.fresh.wait_timeout_while(g, timeout, |l| l.0 <= seen).unwrap();
        (g.0 > seen).then(|| g.clone())
    }
}

/// Where the data comes from.
pub enum Feed {
    Socket(PathBuf),
    /// Simulated demo boards, rotating scenario every period.
    Demo {
        rotate: Duration,
        seed: u64,
    },
}

/// Starts the sources and the thread that applies their updates and publishes snapshots.
pub fn start(feed: &Feed) -> Result<Arc<Shared>, String> {
    let (tx, rx) = mpsc::channel::<Update>();
    let (ctl_tx, ctl_rx) = mpsc::channel::<SimControl>();
    let (banner, rotate) = match feed {
        Feed::Socket(p) => {
            spawn_socket(p.clone(), tx);
            (format!("socket {}", p.display()), None)
        }
        Feed::Demo { rotate, seed } => {
            let first = speckle_monitor::control::demo_scenarios()[0];
            spawn_sims(vec![SimSource::new(first, *seed)?], tx, ctl_rx);
            (format!("demo: scenario {}", first.name()), Some(*rotate))
        }
    };
    let app = App::new(EmojiTable::default_table(), true, banner);
    let shared = Arc::new(Shared {
        dash: Mutex::new(Dash::new(app, rotate)),
        latest: Mutex::new((0, Arc::new("{}".into()))),
        fresh: Condvar::new(),
    });
    let s = shared.clone();
    std::thread::spawn(move || {
        let mut next = Instant::now();
        let mut seq = 0u64;
        loop {
            let wait = next.saturating_duration_since(Instant::now());
            let got = rx.recv_timeout(wait);
            if let Err(mpsc::RecvTimeoutError::Disconnected) = got {
                std::thread::sleep(wait.max(Duration::from_millis(10)));
            }
            let mut d = s.dash.lock().unwrap();
            if let Ok(u) = got {
                d.apply(u);
            }
            while let Ok(u) = rx.try_recv() {
                d.apply(u);
            }
            if let Action::Restart(i, sc) = d.ctl.tick(Instant::now()) {
                let _ = ctl_tx.send(SimControl::Restart(i, sc));
            }
            if Instant::now() >= next {
                seq += 1;
                let json = serde_json::to_string(&d.snapshot(seq)).expect("serialisable");
                drop(d);
                *s.latest.lock().unwrap() = (seq, Arc::new(json));
                s.fresh.notify_all();
                next = Instant::now() + SNAPSHOT_EVERY;
            }
        }
    });
    Ok(shared)
}
