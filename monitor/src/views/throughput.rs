//! Raw samples in, conditioned bytes out (rates per STATUS interval from the board's own counters,
//! or the daemon's rates), and every place bytes are lost.

use crate::app::App;
use crate::view::{style, Tone};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if app.channels.is_empty() {
        f.render_widget(Paragraph::new("waiting for data"), area);
        return;
    }
    for (ch, band) in app.channels.iter().zip(super::bands(area, app.channels.len())) {
        let [text, spark] =
            Layout::vertical([Constraint::Length(5), Constraint::Min(1)]).areas(band);
        let (rin, rout) = ch.rates.back().copied().unwrap_or((0.0, 0.0));
        let d = ch.decoder;
        let mut lines = Vec::new();
        if let Some(r) = &ch.row {
            lines.push(Line::from(format!(
                "in {:.0} B/s  out {:.0} B/s  (daemon)  total in {} B out {} B",
                r.in_bytes_per_s, r.out_bytes_per_s, r.bytes_in, r.bytes_out
            )));
            lines.push(Line::from(format!(
                "losses: lost {}  bad CRC {}  resync {} B  discarded blocks {}  board dropped {}",
                r.lost, r.bad_crc, r.resync_bytes, r.discarded_blocks, r.board_dropped
            )));
        } else {
            let eff = if rin > 0.0 { rout * 8.0 / rin } else { 0.0 };
            lines.push(Line::from(format!(
                "raw in {:.3} MS/s   conditioned out {:.1} kB/s   ({eff:.4} bit/sample)",
                rin / 1e6,
                rout / 1e3
            )));
            lines.push(Line::from(format!(
                "link {} B in, {} frames ok; conditioned bytes audited {}",
                ch.bytes_in, d.frames_ok, ch.conditioned_bytes
            )));
            let dropped = ch.status.map(|s| s.dropped).unwrap_or(0);
            let losses = d.lost + d.bad_crc + d.resync_bytes + dropped as u64;
            lines.push(
                Line::from(format!(
                    "losses: lost frames {}  bad CRC {}  resync {} B  holdback dropped {dropped}",
                    d.lost, d.bad_crc, d.resync_bytes
                ))
                .style(style(app, if losses > 0 { Tone::Warn } else { Tone::Good })),
            );
        }
        lines.push(Line::from("conditioned out, per STATUS interval:"));
        let b = Block::default().borders(Borders::TOP).title(format!("{} throughput", ch.name));
        f.render_widget(Paragraph::new(lines).block(b), text);
        let data: Vec<u64> = ch.rates.iter().map(|r| r.1.max(0.0) as u64).collect();
        let w = spark.width as usize;
        let tail = &data[data.len().saturating_sub(w)..];
        f.render_widget(Sparkline::default().data(tail).style(style(app, Tone::Good)), spark);
    }
}
