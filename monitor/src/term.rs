//! The terminal loop: sources on their own threads, updates drained every tick, keys read with a
//! timeout so auto-cycling keeps going while nobody types.

use crate::app::App;
use crate::control::{Action, Controller, Key};
use crate::source::{spawn_sims, spawn_socket, SimControl, SimSource, Update};
use crate::Plan;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TICK: Duration = Duration::from_millis(100);

pub fn run(plan: Plan) -> Result<(), String> {
    let (tx, rx) = mpsc::channel::<Update>();
    let (ctl_tx, ctl_rx) = mpsc::channel::<SimControl>();
    let mut banner = match (&plan.socket, plan.demo) {
        (Some(p), _) => format!("socket {}", p.display()),
        (None, true) => format!("demo: scenario {}", plan.sims[0].name()),
        (None, false) => {
            plan.sims.iter().map(|s| format!("sim:{}", s.name())).collect::<Vec<_>>().join(" ")
        }
    };
    if let Some(unit) = &plan.journal {
        crate::journal::spawn(crate::journal::follow_command(unit), tx.clone());
        banner = format!("{banner} journal {unit}").trim().to_string();
    }
    if let Some(p) = &plan.socket {
        spawn_socket(p.clone(), tx.clone());
    }
    let sims = plan
        .sims
        .iter()
        .enumerate()
        .map(|(i, s)| SimSource::new(*s, plan.seed + i as u64))
        .collect::<Result<Vec<_>, _>>()?;
    if !sims.is_empty() {
        spawn_sims(sims, tx.clone(), ctl_rx);
    }
    let mut app = App::new(plan.emoji, crate::no_color(), banner);
    app.raw_format = plan.raw_format;
    let now = Instant::now();
    let mut ctl = Controller::new(app, plan.cycle.map(|(s, r)| (now, s, r)), plan.demo);

    let mut terminal = ratatui::try_init()
        .map_err(|e| format!("cannot set up the terminal (is stdout a terminal?): {e}"))?;
    let result = (|| -> Result<(), String> {
        loop {
            while let Ok(u) = rx.try_recv() {
                ctl.app.apply(u);
            }
            terminal.draw(|f| crate::view::draw(f, &ctl.app)).map_err(|e| e.to_string())?;
            let now = Instant::now();
            let action = if event::poll(TICK).map_err(|e| e.to_string())? {
                match event::read().map_err(|e| e.to_string())? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => {
                        let key = match k.code {
                            KeyCode::Char(c) => Key::Char(c),
                            KeyCode::Tab | KeyCode::Right => Key::Tab,
                            KeyCode::Esc => Key::Esc,
                            _ => Key::Other,
                        };
                        ctl.key(key, now)
                    }
                    _ => ctl.tick(now),
                }
            } else {
                ctl.tick(now)
            };
            match action {
                Action::Quit => return Ok(()),
                Action::Restart(i, s) => {
                    let _ = ctl_tx.send(SimControl::Restart(i, s));
                }
                Action::None => {}
            }
        }
    })();
    ratatui::restore();
    result
}
