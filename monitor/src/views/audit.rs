//! The rolling statistical audit of the conditioned output (crate::audit), with p-values.

use crate::app::App;
use crate::audit::{ALPHA, AUDIT_MIN_BYTES, AUDIT_WINDOW};
use crate::view::{style, Tone};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let mut lines = vec![Line::from(format!(
        "window {} of {} bytes ({} seen); fail when p < {ALPHA}",
        app.audit.len(),
        AUDIT_WINDOW,
        app.audit.total_bytes
    ))];
    match app.audit.run() {
        None => lines.push(Line::from(format!(
            "collecting: the tests need {AUDIT_MIN_BYTES} bytes of conditioned output"
        ))),
        Some(results) => {
            lines.push(Line::from(format!("{:<22}{:<26}{:>10}", "test", "statistic", "p-value")));
            for r in results {
                let t = if r.passed() { Tone::Good } else { Tone::Bad };
                lines.push(Line::from(vec![
                    Span::raw(format!("{:<22}{:<26}", r.name, r.statistic)),
                    Span::styled(
                        format!("{:>10.6} {}", r.p, if r.passed() { "pass" } else { "FAIL" }),
                        style(app, t),
                    ),
                ]));
            }
        }
    }
    lines
        .push(Line::from("conditioned bytes are audited here only; the monitor writes no entropy"));
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::default().borders(Borders::TOP).title("output audit (SP 800-22)")),
        area,
    );
}
