//! `--summary`: one stderr line per second, for people watching `make run`.

use crate::row::Row;
use std::time::{Duration, Instant};

/// A source as the summary names it: bytes that cannot be entropy are marked as such.
fn label(r: &Row) -> String {
    match r.provenance.as_str() {
        "board" => r.source.clone(),
        other => format!("{} [{other}, not entropy]", r.source),
    }
}

pub struct Summary {
    on: bool,
    last: Instant,
    last_written: u64,
    first_hex: Option<String>,
    health: std::collections::BTreeMap<String, String>,
}

impl Summary {
    pub fn new(on: bool) -> Self {
        Summary {
            on,
            last: Instant::now(),
            last_written: 0,
            first_hex: None,
            health: Default::default(),
        }
    }
    pub fn row(&mut self, r: &Row) {
        let h = if r.healthy { "healthy".to_string() } else { format!("STOPPED ({})", r.reason) };
        self.health.insert(
            label(r),
            format!("{h}, frames {} bad_crc {} lost {}", r.frames_ok, r.bad_crc, r.lost),
        );
    }
    pub fn out(&mut self, bytes: &[u8]) {
        if self.first_hex.is_none() {
            self.first_hex = Some(bytes.iter().take(16).map(|b| format!("{b:02x}")).collect());
        }
    }
    pub fn tick(&mut self, written: u64) {
        if !self.on || self.last.elapsed() < Duration::from_secs(1) {
            return;
        }
        let rate = (written - self.last_written) as f64 / self.last.elapsed().as_secs_f64();
        let sources: Vec<String> = self.health.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let first = self.first_hex.take().map(|h| format!(", first bytes {h}")).unwrap_or_default();
        tracing::info!("{written} B out ({rate:.0} B/s){first}; {}", sources.join("; "));
        self.last = Instant::now();
        self.last_written = written;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_marks_sources_that_cannot_be_entropy() {
        let row = |source: &str, provenance: &str| Row {
            source: source.into(),
            provenance: provenance.into(),
            ..Row::default()
        };
        assert_eq!(
            label(&row("serial:/dev/ttyUSB0@1000000", "board")),
            "serial:/dev/ttyUSB0@1000000"
        );
        assert_eq!(label(&row("sim:optimal", "simulated")), "sim:optimal [simulated, not entropy]");
        assert_eq!(label(&row("file:cap.bin", "replay")), "file:cap.bin [replay, not entropy]");
    }
}
