//! Health-test statistics from STATUS frames against the board's own cutoffs, startup state,
//! latched alarms and counters; plus the monitor's own raw-tap check.

use crate::app::{App, Channel};
use crate::view::{style, Tone};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use speckle_model::protocol::{Alarms, StateBits};

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let mut lines = Vec::new();
    for ch in &app.channels {
        lines.extend(channel_lines(app, ch));
    }
    if lines.is_empty() {
        lines.push(Line::from("waiting for STATUS"));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::TOP).title("health tests")),
        area,
    );
}

fn mark(app: &App, ok: bool) -> Span<'static> {
    if ok {
        Span::styled(" ok ", style(app, Tone::Good))
    } else {
        Span::styled("FAIL", style(app, Tone::Bad))
    }
}

fn channel_lines(app: &App, ch: &Channel) -> Vec<Line<'static>> {
    let (c, w) = ch.cutoffs();
    let (ok, why) = ch.verdict();
    let mut out = vec![Line::from(vec![
        Span::raw(format!("{} ", ch.name)),
        Span::styled(why, style(app, if ok { Tone::Good } else { Tone::Bad })),
    ])];
    // Max/min since the previous STATUS, and cumulative failures (from the board or the daemon row).
    let (run, count, mmin, mmax, fails, counters) = match (&ch.status, &ch.row) {
        (Some(s), _) => (
            s.rct_max_run,
            s.apt_max_count,
            s.markov_min,
            s.markov_max,
            (s.rct_failures, s.apt_failures, s.markov_failures),
            format!("samples {}  blocks {}  dropped {}", s.samples, s.blocks, s.dropped),
        ),
        (None, Some(r)) => (
            r.rct_max_run,
            r.apt_max_count,
            r.markov_min,
            r.markov_max,
            (r.rct_failures, r.apt_failures, r.markov_failures),
            format!(
                "samples {}  blocks {}  dropped {}  host fails {}/{}/{}",
                r.board_samples,
                r.board_blocks,
                r.board_dropped,
                r.host_rct_failures,
                r.host_apt_failures,
                r.host_markov_failures
            ),
        ),
        _ => return out,
    };
    if ch.status.is_none() && ch.row_cutoffs.is_none() {
        out.push(Line::from("cutoffs: ice40 profile (no STATUS seen yet)"));
    }
    let markov_ok = mmin == 0xFFFF || (mmin as u32 >= c.markov_lo && mmax as u32 <= c.markov_hi);
    let mmin_s = if mmin == 0xFFFF { "-".to_string() } else { mmin.to_string() };
    out.push(Line::from(vec![
        mark(app, (run as u32) < c.rct),
        Span::raw(format!(" RCT max run {run:>5} cutoff {:>5}  failures {}", c.rct, fails.0)),
    ]));
    out.push(Line::from(vec![
        mark(app, (count as u32) < c.apt),
        Span::raw(format!(
            " APT max count {count:>4} cutoff {:>4}/{w} failures {}",
            c.apt, fails.1
        )),
    ]));
    out.push(Line::from(vec![
        mark(app, markov_ok),
        Span::raw(format!(
            " Markov {mmin_s}..{mmax} allowed {}..{}  failures {}",
            c.markov_lo, c.markov_hi, fails.2
        )),
    ]));
    let state = ch.state();
    let alarms = ch.alarms();
    let latched = if alarms.any() { alarms.names().join(" + ") } else { "none".into() };
    out.push(Line::from(format!(
        "startup {}  gate {}  {counters}",
        if state.has(StateBits::STARTUP_DONE) { "passed" } else { "running" },
        if state.has(StateBits::GATE_OPEN) { "open" } else { "closed" }
    )));
    out.push(Line::from(vec![
        Span::raw("alarms latched: "),
        Span::styled(latched, style(app, if alarms.any() { Tone::Bad } else { Tone::Good })),
        Span::raw(if alarms.has(Alarms::EXTERNAL) { " (ext = SFP interlock)" } else { "" }),
    ]));
    if let Some(m) = ch.min_entropy {
        let parts = m
            .parts
            .map(|(mcv, markov, coll)| {
                format!(" (MCV {mcv:.3}, Markov {markov:.3}, collision {coll:.3})")
            })
            .unwrap_or_default();
        out.push(Line::from(vec![
            mark(app, !m.below()),
            Span::raw(format!(
                " raw min-entropy {:.3}{parts} claim {:.3}{}",
                m.estimate,
                m.claim,
                if m.below() { " BELOW CLAIM" } else { "" }
            )),
        ]));
    }
    if ch.status.is_some() {
        let r = &ch.raw_check;
        out.push(Line::from(vec![
            mark(app, r.rct_failures + r.apt_failures == 0),
            Span::raw(format!(
                " monitor raw-tap check: longest run {} RCT fails {} APT fails {}",
                r.longest_run, r.rct_failures, r.apt_failures
            )),
        ]));
    }
    out
}
