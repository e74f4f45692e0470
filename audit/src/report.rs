//! SP 800-22 §4: across many sequences, the proportion of sequences passing each test (with the
//! 3σ interval of §4.2.1) and the uniformity of their p-values (χ² over ten bins, §4.2.2); the
//! finalAnalysisReport-style table and the audit's verdict.

use crate::stats::igamc;
use crate::tests::{Source, BATTERY};
use serde::Serialize;
use statrs::distribution::{Binomial, DiscreteCDF};

/// Significance level of each test on one sequence (§4.2.1's α).
pub const ALPHA: f64 = 0.01;
/// §4.2.2: uniformity is judged only over at least 55 p-values, and fails below 0.0001.
pub const MIN_UNIFORMITY_SAMPLES: usize = 55;
pub const UNIFORMITY_THRESHOLD: f64 = 0.0001;
/// The whole audit's false-alarm budget, split evenly over its rows (Bonferroni).
pub const FAMILY_ALPHA: f64 = 0.001;

/// One row of the report: one p-value of one test, over every sequence it applied to.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub test: &'static str,
    pub label: String,
    pub source: Source,
    pub p_values: Vec<f64>,
    /// Sequences the test refused (too short, too few cycles), with the last reason.
    pub not_applicable: usize,
    pub reason: Option<String>,
}

/// The section 4 figures of a row.
#[derive(Debug, Clone, Serialize)]
pub struct RowSummary {
    pub test: &'static str,
    pub label: String,
    pub source: Source,
    pub histogram: [u32; 10],
    pub passed: usize,
    pub tested: usize,
    pub not_applicable: usize,
    pub reason: Option<String>,
    pub min_p: Option<f64>,
    /// §4.2.1: the proportion is below p̂ − 3√(p̂(1−p̂)/m).
    pub proportion_flag: bool,
    /// §4.2.2's P-value_T; None under 55 p-values.
    pub uniformity: Option<f64>,
    pub uniformity_flag: bool,
    /// The audit's verdict on this row (see `summarise`).
    pub fails: bool,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub sequences: usize,
    pub bits: usize,
    pub rows: Vec<RowSummary>,
    pub passed: bool,
}

/// Rows for sequences of `bits` bits, in battery order.
pub fn empty_rows(bits: usize) -> Vec<Row> {
    BATTERY
        .iter()
        .flat_map(|t| {
            (t.labels)(bits).into_iter().map(move |label| Row {
                test: t.name,
                label,
                source: t.source,
                p_values: Vec::new(),
                not_applicable: 0,
                reason: None,
            })
        })
        .collect()
}

/// §4.2.1's lower bound of the acceptable proportion for m sequences.
pub fn proportion_lower_bound(m: usize) -> f64 {
    let p = 1.0 - ALPHA;
    p - 3.0 * (p * (1.0 - p) / m as f64).sqrt()
}

/// §4.2.2: P-value_T = igamc(9/2, χ²/2) over ten equal bins of [0, 1].
pub fn uniformity(histogram: &[u32; 10]) -> f64 {
    let s: u32 = histogram.iter().sum();
    let e = s as f64 / 10.0;
    let chi2: f64 = histogram.iter().map(|&f| (f as f64 - e).powi(2) / e).sum();
    igamc(4.5, chi2 / 2.0)
}

fn histogram(p: &[f64]) -> [u32; 10] {
    let mut h = [0u32; 10];
    for &x in p {
        h[((x * 10.0) as usize).min(9)] += 1;
    }
    h
}

/// Summarises the rows. NIST's own flags (3σ proportion, uniformity below 0.0001) are reported as
/// STS does, but they are per row: over ~190 rows a good generator trips one in most audits. The
/// verdict therefore judges each row at FAMILY_ALPHA / rows, on three probabilities under the
/// null hypothesis: the binomial tail of so few passing sequences, the uniformity P-value_T (55
/// or more p-values), and the chance that the smallest p-value of m sequences is that small,
/// 1 − (1 − p_min)^m. The last one is what fails a single biased sequence at once.
pub fn summarise(rows: &[Row], sequences: usize, bits: usize) -> Report {
    let alpha_row = FAMILY_ALPHA / rows.len().max(1) as f64;
    let out: Vec<RowSummary> = rows
        .iter()
        .map(|r| {
            let m = r.p_values.len();
            let h = histogram(&r.p_values);
            let passed = r.p_values.iter().filter(|&&p| p >= ALPHA).count();
            let min_p = r.p_values.iter().copied().reduce(f64::min);
            let unif = (m >= MIN_UNIFORMITY_SAMPLES).then(|| uniformity(&h));
            let mut fails = false;
            if m > 0 {
                let tail = Binomial::new(1.0 - ALPHA, m as u64).map(|b| b.cdf(passed as u64));
                fails |= tail.map_or(true, |t| t < alpha_row);
                fails |= unif.is_some_and(|u| u < alpha_row);
                let pm = min_p.unwrap_or(1.0);
                fails |= 1.0 - (1.0 - pm).powi(m as i32) < alpha_row;
            }
            RowSummary {
                test: r.test,
                label: r.label.clone(),
                source: r.source,
                histogram: h,
                passed,
                tested: m,
                not_applicable: r.not_applicable,
                reason: r.reason.clone(),
                min_p,
                proportion_flag: m > 0 && (passed as f64 / m as f64) < proportion_lower_bound(m),
                uniformity: unif,
                uniformity_flag: unif.is_some_and(|u| u < UNIFORMITY_THRESHOLD),
                fails,
            }
        })
        .collect();
    let passed = !out.iter().any(|r| r.fails) && out.iter().any(|r| r.tested > 0);
    Report { sequences, bits, rows: out, passed }
}

impl Report {
    /// The table, after STS's finalAnalysisReport.txt: ten-bin histogram, uniformity P-value,
    /// proportion, test; `*` marks NIST's flags, `FAIL` the rows that fail the verdict.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let rule = "-".repeat(100);
        s += &format!("{rule}\nRESULTS FOR THE UNIFORMITY OF P-VALUES AND THE PROPORTION OF PASSING SEQUENCES\n");
        s += &format!("{} sequences of {} bits\n{rule}\n", self.sequences, self.bits);
        s += " C1  C2  C3  C4  C5  C6  C7  C8  C9 C10  P-VALUE   PROPORTION  MIN-P      STATISTICAL TEST\n";
        s += &format!("{rule}\n");
        for r in &self.rows {
            let hist: String = r.histogram.iter().map(|c| format!("{c:3} ")).collect();
            let unif = match r.uniformity {
                Some(u) => format!("{u:.6}{}", if r.uniformity_flag { '*' } else { ' ' }),
                None => "   ----  ".into(),
            };
            let prop = if r.tested == 0 {
                "    ----    ".to_string()
            } else {
                format!(
                    "{:>5}/{:<5}{}",
                    r.passed,
                    r.tested,
                    if r.proportion_flag { '*' } else { ' ' }
                )
            };
            let minp = r.min_p.map_or("   ----   ".into(), |p| format!("{p:.4e}"));
            let name = if r.label.is_empty() {
                r.test.to_string()
            } else {
                format!("{} {}", r.test, r.label)
            };
            let extra = if r.source == Source::ParanoidCrypto { " (paranoid_crypto)" } else { "" };
            let na = match (&r.reason, r.not_applicable) {
                (Some(why), n) if n > 0 => format!("  [n/a in {n}: {why}]"),
                _ => String::new(),
            };
            let verdict = if r.fails { "  FAIL" } else { "" };
            s += &format!("{hist} {unif} {prop} {minp} {name}{extra}{verdict}{na}\n");
        }
        s += &format!("{rule}\n");
        let lb = proportion_lower_bound(self.sequences.max(1));
        s += &format!(
            "NIST: a proportion below {:.4} (for {} sequences, α = {ALPHA}) or a uniformity P-value \
             below {UNIFORMITY_THRESHOLD} is marked *.\n",
            lb, self.sequences
        );
        let failing: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.fails)
            .map(|r| format!("{} {}", r.test, r.label).trim().to_string())
            .collect();
        s += &if self.passed {
            format!("VERDICT: PASS (every row within its {FAMILY_ALPHA}/rows share of the false-alarm budget)\n")
        } else if failing.is_empty() {
            "VERDICT: FAIL (no test applied to these sequences)\n".to_string()
        } else {
            format!("VERDICT: FAIL ({} rows: {})\n", failing.len(), failing.join(", "))
        };
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportion_bound_for_1000_sequences_is_the_specs() {
        // §4.2.1's example: m = 1000, α = 0.01 gives 0.99 ± 0.0094392.
        assert!((proportion_lower_bound(1000) - (0.99 - 0.0094392)).abs() < 1e-7);
    }

    #[test]
    fn uniformity_of_flat_and_lopsided_histograms() {
        // A flat histogram has χ² = 0, so P-value_T = 1; all p-values in one bin is χ² = 9·s.
        assert_eq!(uniformity(&[10; 10]), 1.0);
        assert!(uniformity(&[100, 0, 0, 0, 0, 0, 0, 0, 0, 0]) < 1e-30);
    }

    fn row(p: Vec<f64>) -> Row {
        Row {
            test: "T",
            label: String::new(),
            source: Source::Sp800_22,
            p_values: p,
            not_applicable: 0,
            reason: None,
        }
    }

    #[test]
    fn one_tiny_p_value_fails_and_a_uniform_set_passes() {
        let good: Vec<f64> = (0..100).map(|i| (i as f64 + 0.5) / 100.0).collect();
        assert!(summarise(&[row(good.clone())], 100, 1000).passed);
        let mut bad = good;
        bad[3] = 1e-12;
        let r = summarise(&[row(bad)], 100, 1000);
        assert!(!r.passed && r.rows[0].fails);
    }

    #[test]
    fn too_few_passing_sequences_fail() {
        // 10 of 100 below α: binomial tail ~1e-6 under H0.
        let mut p: Vec<f64> = (0..100).map(|i| 0.01 + 0.98 * i as f64 / 100.0).collect();
        for x in p.iter_mut().take(10) {
            *x = 0.005;
        }
        let r = summarise(&[row(p)], 100, 1000);
        assert!(r.rows[0].proportion_flag && r.rows[0].fails);
    }
}
