//! Keys, auto-cycling and the demo's scenario rotation, kept apart from the terminal so tests can
//! drive them with an injected clock.

use crate::app::App;
use crate::cycle::AutoCycle;
use crate::view::View;
use speckle_sim::Scenario;
use std::time::{Duration, Instant};

/// The scenarios a demo shows first, in order; the rest of the sim's table follows.
pub const DEMO_ORDER: [&str; 5] = ["optimal", "stuck", "bias", "dark", "saturation"];

pub fn demo_scenarios() -> Vec<Scenario> {
    let mut v: Vec<Scenario> =
        DEMO_ORDER.iter().map(|n| Scenario::from_name(n).expect("demo scenarios exist")).collect();
    for s in speckle_sim::SCENARIOS {
        if !v.contains(&s) {
            v.push(s);
        }
    }
    v
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Tab,
    Esc,
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    None,
    Quit,
    /// Restart simulated source `0` with a scenario (demo rotation).
    Restart(usize, Scenario),
}

pub struct Controller {
    pub app: App,
    pub cycle: Option<AutoCycle>,
    /// Scenarios the demo rotates through and the index of the current one.
    demo: Option<(Vec<Scenario>, usize)>,
}

impl Controller {
    pub fn new(app: App, cycle: Option<(Instant, Duration, Duration)>, demo: bool) -> Self {
        let cycle = cycle.map(|(now, slide, resume)| AutoCycle::new(now, slide, resume));
        Controller { app, cycle, demo: demo.then(|| (demo_scenarios(), 0)) }
    }

    pub fn current_scenario(&self) -> Option<Scenario> {
        self.demo.as_ref().map(|(v, i)| v[*i])
    }

    pub fn key(&mut self, k: Key, now: Instant) -> Action {
        if let Some(c) = &mut self.cycle {
            c.on_input(now);
        }
        match k {
            Key::Char('q') | Key::Esc => return Action::Quit,
            Key::Tab => self.app.view = self.app.view.next(),
            Key::Char('f') if self.app.view == View::Raw => {
                self.app.raw_format = self.app.raw_format.next()
            }
            Key::Char('o') if self.app.view == View::Raw => {
                self.app.raw_vertical = !self.app.raw_vertical
            }
            Key::Char(c) => {
                if let Some(v) = View::from_key(c) {
                    self.app.view = v;
                }
            }
            Key::Other => {}
        }
        self.tick(now)
    }

    /// Advances the slide when due: the next view, and after the last view the demo's next
    /// scenario (a fresh board, so latched alarms and a tripped interlock start over).
    pub fn tick(&mut self, now: Instant) -> Action {
        let Some(c) = &mut self.cycle else {
            return Action::None;
        };
        self.app.paused = c.is_paused(now);
        if !c.tick(now) {
            return Action::None;
        }
        let next = self.app.view.next();
        self.app.view = next;
        if next == View::ALL[0] {
            if let Some((list, i)) = &mut self.demo {
                *i = (*i + 1) % list.len();
                self.app.banner = format!("demo: scenario {}", list[*i].name());
                return Action::Restart(0, list[*i]);
            }
        }
        Action::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::EmojiTable;

    #[test]
    fn demo_rotates_views_then_scenarios_and_input_pauses_it() {
        let t0 = Instant::now();
        let s = |x: u64| t0 + Duration::from_secs(x);
        let app = App::new(EmojiTable::default_table(), true, String::new());
        let mut c = Controller::new(
            app,
            Some((t0, Duration::from_secs(15), Duration::from_secs(60))),
            true,
        );
        assert_eq!(c.current_scenario().unwrap().name(), "optimal");
        let mut actions = Vec::new();
        for k in 1..=7 {
            actions.push(c.tick(s(15 * k)));
        }
        assert_eq!(c.app.view, View::Channels);
        assert_eq!(actions[..6], vec![Action::None; 6]);
        assert_eq!(actions[6], Action::Restart(0, Scenario::from_name("stuck").unwrap()));
        assert!(c.app.banner.contains("stuck"));
        // A key switches the view and pauses the cycle for 60 s.
        assert_eq!(c.key(Key::Char('e'), s(110)), Action::None);
        assert_eq!(c.app.view, View::Events);
        assert!(c.app.paused);
        assert_eq!(c.tick(s(169)), Action::None);
        assert_eq!(c.app.view, View::Events);
        c.tick(s(186));
        assert_eq!(c.app.view, View::Channels);
        assert_eq!(c.key(Key::Char('q'), s(190)), Action::Quit);
        let order: Vec<&str> = demo_scenarios().iter().map(|s| s.name()).collect();
        assert_eq!(order[..5], DEMO_ORDER);
        assert_eq!(order.len(), speckle_sim::SCENARIOS.len());
    }

    #[test]
    fn raw_keys_change_format_and_flow_only_in_the_raw_view() {
        let app = App::new(EmojiTable::default_table(), true, String::new());
        let mut c = Controller::new(app, None, false);
        let now = Instant::now();
        c.key(Key::Char('f'), now);
        assert_eq!(c.app.raw_format, crate::encode::Format::Hex);
        c.key(Key::Char('6'), now);
        assert_eq!(c.app.view, View::Raw);
        c.key(Key::Char('f'), now);
        c.key(Key::Char('o'), now);
        assert_eq!(c.app.raw_format, crate::encode::Format::Base64);
        assert!(!c.app.raw_vertical);
        c.key(Key::Tab, now);
        assert_eq!(c.app.view, View::Events);
    }
}
