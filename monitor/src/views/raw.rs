//! A live view of the raw tap (RAW frames of a separate raw-mode board, never bytes bound for a
//! sink) in the chosen encoding, flowing vertically (rows, newest at the bottom) or horizontally
//! (columns, newest at the right).

use crate::app::App;
use crate::encode::{encode, Format};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// Lays glyphs (each `cell` columns wide) into `rows` lines of `cols` cells, row-major when
/// vertical, column-major when horizontal; the newest glyph lands last.
pub fn layout(glyphs: &[String], cols: usize, rows: usize, vertical: bool) -> Vec<String> {
    let n = (cols * rows).min(glyphs.len());
    let g = &glyphs[glyphs.len() - n..];
    let mut out = vec![String::new(); rows];
    if vertical {
        for (i, line) in g.chunks(cols.max(1)).enumerate() {
            out[i] = line.concat();
        }
    } else {
        for (i, x) in g.iter().enumerate() {
            out[i % rows.max(1)].push_str(x);
        }
    }
    out
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let cell = if app.raw_format == Format::Emoji { 2 } else { 1 };
    let bytes: Vec<u8> = app.raw.iter().copied().collect();
    let glyphs = encode(&bytes, app.raw_format, &app.emoji);
    let rows = area.height.saturating_sub(1) as usize;
    let cols = area.width as usize / cell;
    let lines: Vec<Line> =
        layout(&glyphs, cols, rows, app.raw_vertical).into_iter().map(Line::from).collect();
    let extra = if app.raw_format == Format::Emoji {
        format!(", {} bits/glyph of {}", app.emoji.bits_per_glyph(), app.emoji.len())
    } else {
        String::new()
    };
    let title = format!(
        "raw tap · {} · {}{extra} · {} B",
        app.raw_format.name(),
        if app.raw_vertical { "vertical" } else { "horizontal" },
        bytes.len()
    );
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::TOP).title(title)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::layout;

    #[test]
    fn vertical_fills_rows_and_horizontal_fills_columns_newest_last() {
        let g: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        // 3 columns × 2 rows hold the newest 6 glyphs: 4..9.
        assert_eq!(layout(&g, 3, 2, true), ["456", "789"]);
        assert_eq!(layout(&g, 3, 2, false), ["468", "579"]);
        // Fewer glyphs than cells: the screen fills from the top left.
        assert_eq!(layout(&g[..2], 3, 2, true), ["01", ""]);
    }
}
