//! The rolling statistical audit of the conditioned output (crate::audit), with p-values.

use crate::app::App;
use crate::audit::{ALPHA, AUDIT_MIN_BYTES, AUDIT_WINDOW};
use crate::battery::{sparkline, HISTORY, SEQ_BITS, WINDOW};
use crate::view::{style, Tone};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// The speckle-audit battery: per test the smallest p-value of its rows on the latest sequence, the
/// history of that value, and the pass proportion over the window (crate::battery).
fn battery_lines(lines: &mut Vec<Line<'static>>, app: &App) {
    let b = &app.battery;
    lines.push(Line::from(format!(
        "battery (speckle-audit): {} sequences of {} bits, {} of {} bytes towards the next; last {WINDOW}:",
        b.sequences,
        SEQ_BITS,
        b.pending(),
        SEQ_BITS / 8
    )));
    if b.sequences == 0 {
        return;
    }
    for l in &b.lines {
        let (p, tone) = match l.latest {
            Some(p) => (format!("{p:>9.6}"), if l.fails { Tone::Bad } else { Tone::Good }),
            None => ("      n/a".to_string(), Tone::Warn),
        };
        let rows = if l.rows > 1 { format!("min of {}", l.rows) } else { String::new() };
        lines.push(Line::from(vec![
            Span::raw(format!("{:<24}{:<11}", l.name, rows)),
            Span::styled(p, style(app, tone)),
            Span::raw(format!(" {:<width$} ", sparkline(&l.history), width = HISTORY)),
            Span::styled(
                format!("{}/{}{}", l.passed, l.tested, if l.fails { " FAIL" } else { "" }),
                style(app, tone),
            ),
        ]));
    }
}

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
    // The daemon's own audit of what it handed out (`speckle run --audit`), first: on a socket
    // the monitor sees no conditioned byte, so this is the audit of that output.
    if let Some(r) = &app.daemon_audit {
        let verdict = if r.healthy { "pass".to_string() } else { format!("FAIL: {}", r.reason) };
        let detail = serde_json::from_str::<serde_json::Value>(&r.audit)
            .ok()
            .map(|j| format!("{} sequences of {} bits", j["sequences"], j["bits"]))
            .unwrap_or_default();
        lines.insert(
            0,
            Line::from(vec![
                Span::raw(format!("daemon's audit of its output ({detail}): ")),
                Span::styled(verdict, style(app, if r.healthy { Tone::Good } else { Tone::Bad })),
            ]),
        );
    }
    battery_lines(&mut lines, app);
    lines
        .push(Line::from("conditioned bytes are audited here only; the monitor writes no entropy"));
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::default().borders(Borders::TOP).title("output audit (SP 800-22)")),
        area,
    );
}
