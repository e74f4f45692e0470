//! The full speckle-audit battery (SP 800-22's fifteen tests and paranoid_crypto's two) over the
//! conditioned output, sequence by sequence, for the Audit view: each test's latest p-value, its
//! history and its pass proportion over the last sequences.
//!
//! Sequences are 2^17 bits (16 KiB), far shorter than the 10^6 bits `speckle audit` uses, so that a
//! simulated board fills one in seconds: the tests that need more (Universal, Serial at m = 16,
//! Random Excursions most of the time) show as not applicable. The battery runs on the monitor's
//! thread when a sequence completes (tens of milliseconds).

use speckle_audit::report::Report;
use speckle_audit::stats::unpack_bits;
use speckle_audit::tests::BATTERY;
use speckle_audit::Auditor;
use std::collections::VecDeque;

/// Bits per sequence.
pub const SEQ_BITS: usize = 1 << 17;
/// Sequences the pass proportion is taken over; the auditor starts afresh after this many.
pub const WINDOW: usize = 64;
/// Latest p-values kept per test for the history.
pub const HISTORY: usize = 24;

/// One test's line in the view.
#[derive(Clone, Debug)]
pub struct TestLine {
    pub name: &'static str,
    /// Rows of the test (148 for the templates); the p-value shown is their smallest.
    pub rows: usize,
    /// The smallest p-value of the test on the latest sequence; None when it did not apply.
    pub latest: Option<f64>,
    /// The last HISTORY values of `latest`, oldest first.
    pub history: VecDeque<Option<f64>>,
    /// p-values ≥ α over the window, across the test's rows, and how many there were.
    pub passed: usize,
    pub tested: usize,
    /// Any of its rows fails the audit's verdict over the window.
    pub fails: bool,
}

/// Conditioned bytes gathered into sequences and the battery's results.
pub struct Battery {
    pending: Vec<u8>,
    auditor: Auditor,
    pub lines: Vec<TestLine>,
    pub sequences: u64,
    report: Option<Report>,
}

impl Default for Battery {
    fn default() -> Self {
        let lines = BATTERY
            .iter()
            .map(|t| TestLine {
                name: t.name,
                rows: (t.labels)(SEQ_BITS).len(),
                latest: None,
                history: VecDeque::new(),
                passed: 0,
                tested: 0,
                fails: false,
            })
            .collect();
        Battery {
            pending: Vec::new(),
            auditor: Auditor::new(SEQ_BITS),
            lines,
            sequences: 0,
            report: None,
        }
    }
}

impl Battery {
    /// Adds conditioned bytes; runs the battery on every sequence they complete.
    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        while self.pending.len() >= SEQ_BITS / 8 {
            let seq: Vec<u8> = self.pending.drain(..SEQ_BITS / 8).collect();
            self.run(&unpack_bits(&seq));
        }
    }

    /// Bytes gathered towards the next sequence.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The section 4 report over the window, once a sequence is complete.
    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    fn run(&mut self, bits: &[u8]) {
        if self.auditor.sequences() == WINDOW {
            self.auditor = Auditor::new(SEQ_BITS);
        }
        self.auditor.add_sequence(bits);
        self.sequences += 1;
        let report = self.auditor.report();
        let mut row = 0;
        for line in &mut self.lines {
            let rows = row..row + line.rows;
            let latest =
                self.auditor.last()[rows.clone()].iter().flatten().copied().reduce(f64::min);
            line.latest = latest;
            line.history.push_back(latest);
            while line.history.len() > HISTORY {
                line.history.pop_front();
            }
            let r = &report.rows[rows];
            line.passed = r.iter().map(|r| r.passed).sum();
            line.tested = r.iter().map(|r| r.tested).sum();
            line.fails = r.iter().any(|r| r.fails);
            row += line.rows;
        }
        self.report = Some(report);
    }
}

/// A p-value history as a bar per sequence: the lower the p-value, the lower the bar; `·` where
/// the test did not apply.
pub fn sparkline(history: &VecDeque<Option<f64>>) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    history.iter().map(|p| p.map_or('·', |p| BARS[((p * 8.0) as usize).min(7)])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize, mut x: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn every_test_gets_a_line_and_a_history() {
        let mut b = Battery::default();
        b.push(&bytes(SEQ_BITS / 8 * 2 + 100, 7));
        assert_eq!(b.sequences, 2);
        assert_eq!(b.pending(), 100);
        assert_eq!(b.lines.len(), BATTERY.len());
        let freq = &b.lines[0];
        assert_eq!((freq.name, freq.history.len(), freq.tested), ("Frequency", 2, 2));
        assert!(freq.latest.unwrap() > 0.0);
        let templates = b.lines.iter().find(|l| l.name == "NonOverlappingTemplate").unwrap();
        assert_eq!((templates.rows, templates.tested), (148, 296));
        let universal = b.lines.iter().find(|l| l.name == "Universal").unwrap();
        assert_eq!((universal.latest, universal.tested), (None, 0));
        assert_eq!(sparkline(&universal.history), "··");
    }

    #[test]
    fn constant_output_fails() {
        let mut b = Battery::default();
        b.push(&vec![0xAA; SEQ_BITS / 8]);
        let runs = b.lines.iter().find(|l| l.name == "Runs").unwrap();
        assert!(runs.fails && runs.latest.unwrap() < 1e-10);
        assert!(!b.report().unwrap().passed);
    }
}
