//! The alarm and event log, newest at the bottom.

use crate::app::App;
use crate::view::{style, Tone};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    // Newest last and always on screen: take events from the newest back while their wrapped
    // lines still fit.
    let (rows, width) = (area.height.saturating_sub(1) as usize, area.width.max(1) as usize);
    let mut used = 0;
    let shown = app
        .events
        .iter()
        .rev()
        .take_while(|(t, src, text)| {
            let chars = t.chars().count() + src.chars().count() + text.chars().count() + 2;
            used += chars.div_ceil(width).max(1);
            used <= rows
        })
        .count();
    let lines: Vec<Line> = app
        .events
        .iter()
        .skip(app.events.len() - shown)
        .map(|(t, src, text)| {
            let tone = if text.contains("ALARM")
                || text.contains("INTERLOCK")
                || text.contains("interlock")
                || text.contains("failed")
            {
                Tone::Bad
            } else {
                Tone::Dim
            };
            Line::from(vec![
                Span::raw(format!("{t} {src} ")),
                Span::styled(text.clone(), style(app, tone)),
            ])
        })
        .collect();
    let title = format!("events ({})", app.events.len());
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::TOP).title(title)),
        area,
    );
}
