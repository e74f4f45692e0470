//! One module per view; each renders from the [`crate::app::App`] state only.

pub mod audit;
pub mod channels;
pub mod events;
pub mod health;
pub mod raw;
pub mod sfp;
pub mod throughput;

use ratatui::layout::Rect;

/// Splits `area` into `n` equal horizontal bands (one per source).
pub fn bands(area: Rect, n: usize) -> Vec<Rect> {
    use ratatui::layout::{Constraint, Layout};
    Layout::vertical(vec![Constraint::Ratio(1, n.max(1) as u32); n.max(1)]).split(area).to_vec()
}
