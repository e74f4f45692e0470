//! Per-source charts of optical intensity and raw bit bias, with the limits drawn as horizontal
//! lines: the module's RX-power low alarm (low signal) and high alarm (over-power, where the
//! interlock trips), and the bias at which the APT cutoff fails a window.

use crate::app::{App, Channel, HISTORY};
use crate::view::{color, style, Tone};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if app.channels.is_empty() {
        f.render_widget(Paragraph::new("waiting for data"), area);
        return;
    }
    for (ch, band) in app.channels.iter().zip(super::bands(area, app.channels.len())) {
        let [left, right] =
            Layout::horizontal([Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)]).areas(band);
        intensity(f, left, app, ch);
        bias(f, right, app, ch);
    }
}

fn points(v: &std::collections::VecDeque<f64>) -> Vec<(f64, f64)> {
    let off = HISTORY.saturating_sub(v.len());
    v.iter().enumerate().map(|(i, &y)| ((off + i) as f64, y)).collect()
}

fn hline(y: f64) -> Vec<(f64, f64)> {
    vec![(0.0, y), (HISTORY as f64, y)]
}

/// Tone of a value against (low bad, high bad) limits.
fn tone(v: Option<f64>, lo: f64, hi: f64) -> Tone {
    match v {
        None => Tone::Dim,
        Some(x) if x < lo || x > hi => Tone::Bad,
        Some(_) => Tone::Good,
    }
}

#[allow(clippy::too_many_arguments)] // one call site per chart; a struct would only rename them
fn chart(
    f: &mut Frame,
    area: Rect,
    app: &App,
    head: Line,
    data: &[(f64, f64)],
    lines: &[(f64, Color)],
    y: [f64; 2],
    t: Tone,
) {
    let [h, c] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    f.render_widget(Paragraph::new(head), h);
    let mut sets = vec![Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(style(app, t))
        .data(data)];
    let hl: Vec<Vec<(f64, f64)>> = lines.iter().map(|(v, _)| hline(*v)).collect();
    for (pts, (_, col)) in hl.iter().zip(lines) {
        sets.push(
            Dataset::default()
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(color(app, *col))
                .data(pts),
        );
    }
    let chart = Chart::new(sets)
        .block(Block::default().borders(Borders::LEFT | Borders::BOTTOM))
        .x_axis(Axis::default().bounds([0.0, HISTORY as f64]))
        .y_axis(Axis::default().bounds(y).labels([format!("{:.2}", y[0]), format!("{:.2}", y[1])]));
    f.render_widget(chart, c);
}

fn intensity(f: &mut Frame, area: Rect, app: &App, ch: &Channel) {
    let Some(d) = ch.sfp else {
        f.render_widget(Paragraph::new(format!("{}: no SFP diagnostics", ch.name)), area);
        return;
    };
    let lim = d.thresholds().rx_power_mw;
    let now = ch.intensity.back().copied();
    let t = tone(now, lim.low_alarm, lim.high_alarm);
    let head = Line::from(vec![
        Span::raw(format!("{} RX ", ch.name)),
        Span::styled(format!("{:.3}mW", now.unwrap_or(0.0)), style(app, t)),
        Span::raw(format!(" lo {} hi {}", lim.low_alarm, lim.high_alarm)),
    ]);
    let top = ch.intensity.iter().copied().fold(lim.high_alarm, f64::max) * 1.1;
    chart(
        f,
        area,
        app,
        head,
        &points(&ch.intensity),
        &[(lim.low_alarm, Color::Blue), (lim.high_alarm, Color::Red)],
        [0.0, top],
        t,
    );
}

fn bias(f: &mut Frame, area: Rect, app: &App, ch: &Channel) {
    let (lo, hi) = ch.bias_limits();
    let now = ch.bias.back().copied();
    let t = tone(now, lo, hi);
    let head = Line::from(vec![
        Span::raw("P(1) "),
        Span::styled(now.map(|b| format!("{b:.3}")).unwrap_or_else(|| "n/a".into()), style(app, t)),
        Span::raw(format!(" limits {lo:.3}/{hi:.3}")),
    ]);
    chart(
        f,
        area,
        app,
        head,
        &points(&ch.bias),
        &[(lo, Color::Yellow), (hi, Color::Yellow)],
        [0.0, 1.0],
        t,
    );
}
