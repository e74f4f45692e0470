//! Restart sanity check (SP 800-90B §3.1.4) on a `speckle capture --restart` file: r restarts of
//! c samples each, one row per restart. Restarting must not make the first samples predictable,
//! so (1) no value may dominate any row or column beyond what H_I allows, and (2) the estimators
//! run on the rows and on the columns must each give at least H_I / 2.

use crate::data::Dataset;
use crate::estimators;
use serde::Serialize;
use std::fmt::Write;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Restart {
    pub restarts: usize,
    pub samples_per_restart: usize,
    pub h_initial: f64,
    /// Largest count of one value in any row (one restart's `samples_per_restart` samples).
    pub x_max: usize,
    /// The count above which a row fails the frequency test.
    pub x_cutoff: usize,
    /// The same for the columns (`restarts` samples each); equal to the rows' in the square
    /// 1000 × 1000 layout SP 800-90B uses.
    pub x_max_columns: usize,
    pub x_cutoff_columns: usize,
    /// Least estimate over the rows (the data as captured) and over the columns (transposed).
    pub h_rows: f64,
    pub h_columns: f64,
    /// Why the check failed; `None` when it passed.
    pub failure: Option<String>,
}

/// ln P(X = j) for X ~ Binomial(n, p), for every j.
fn binomial_ln_pmf(n: usize, p: f64) -> Vec<f64> {
    let mut ln = vec![0.0; n + 1];
    ln[0] = n as f64 * (1.0 - p).ln();
    for j in 1..=n {
        ln[j] = ln[j - 1] + ((n - j + 1) as f64 / j as f64).ln() + p.ln() - (1.0 - p).ln();
    }
    ln
}

/// The frequency test's cutoff: the smallest x with P(X_max > x) <= α for one row or column of
/// `c` samples from a source with most likely value p = 2^-H_I.
///
/// NIST's ea_restart estimates this quantile by simulating 5,000,000 rows from a random seed, so
/// its cutoff can move by one between runs. Here it is computed: exactly for p >= 1/2 (two
/// effective values, X_max = max(X, c - X) with X binomial), and for p < 1/2 by a union bound
/// over the ⌈1/p⌉ values, which can only raise the cutoff by a count or two (documented in
/// docs/assess.md).
pub fn cutoff(c: usize, h_i: f64, alpha: f64) -> usize {
    let p = 2f64.powf(-h_i);
    let pmf: Vec<f64> = binomial_ln_pmf(c, p).into_iter().map(f64::exp).collect();
    let k_eff = (1.0 / p).ceil() as usize;
    // Tail P(X > x) of the commonest value's count, and of the others' for the union bound.
    let tail = |x: usize| pmf[x + 1..].iter().sum::<f64>();
    for x in c.div_ceil(2)..c {
        let over = if k_eff <= 2 {
            tail(x) + pmf[..c - x].iter().sum::<f64>()
        } else {
            k_eff as f64 * tail(x)
        };
        if over <= alpha {
            return x;
        }
    }
    c
}

/// Runs the check with r = `rows`, c = `cols` on `d`, which must hold r × c samples.
pub fn check(d: &Dataset, h_i: f64, rows: usize, cols: usize) -> Result<Restart, String> {
    if rows == 0 || cols == 0 || d.len() != rows * cols {
        return Err(format!(
            "a restart file holds restarts × samples per restart = {rows} × {cols} samples, this one {}",
            d.len()
        ));
    }
    if !(h_i > 0.0 && h_i <= d.bits_per_sample as f64) {
        return Err(format!(
            "H_I must be above 0 and at most {} bits, not {h_i}",
            d.bits_per_sample
        ));
    }
    let s = &d.symbols;
    let cols_data: Vec<u8> =
        (0..cols).flat_map(|j| (0..rows).map(move |i| s[i * cols + j])).collect();
    let max_count = |line: &[u8]| {
        let mut counts = [0usize; 256];
        line.iter()
            .map(|&v| {
                counts[v as usize] += 1;
                counts[v as usize]
            })
            .max()
            .unwrap_or(0)
    };
    let x_max = s.chunks(cols).map(max_count).max().unwrap_or(0);
    let x_max_columns = cols_data.chunks(rows).map(max_count).max().unwrap_or(0);
    let alpha = 1.0 - (0.99f64.ln() / (rows + cols) as f64).exp();
    let (x_cutoff, x_cutoff_columns) = (cutoff(cols, h_i, alpha), cutoff(rows, h_i, alpha));
    let least = |v: &[u8]| {
        estimators::run(v, d.alphabet)
            .iter()
            .flatten()
            .fold(d.bits_per_sample as f64, |a, &h| a.min(h))
    };
    let (h_rows, h_columns) =
        if d.alphabet == 1 { (0.0, 0.0) } else { (least(s), least(&cols_data)) };
    let failure = if x_max > x_cutoff {
        Some(format!("a value occurs {x_max} times in one row, more than the cutoff {x_cutoff}"))
    } else if x_max_columns > x_cutoff_columns {
        Some(format!(
            "a value occurs {x_max_columns} times in one column, more than the cutoff {x_cutoff_columns}"
        ))
    } else if h_rows.min(h_columns) < h_i / 2.0 {
        Some(format!(
            "min(H_r, H_c) = {:.6} is below H_I / 2 = {:.6}",
            h_rows.min(h_columns),
            h_i / 2.0
        ))
    } else {
        None
    };
    Ok(Restart {
        restarts: rows,
        samples_per_restart: cols,
        h_initial: h_i,
        x_max,
        x_cutoff,
        x_max_columns,
        x_cutoff_columns,
        h_rows,
        h_columns,
        failure,
    })
}

impl Restart {
    pub fn text(&self, what: &str) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "{what}: restart sanity check, {} restarts × {} samples, H_I = {}",
            self.restarts, self.samples_per_restart, self.h_initial
        );
        let _ = writeln!(
            o,
            "X_max: rows {} (cutoff {}), columns {} (cutoff {})",
            self.x_max, self.x_cutoff, self.x_max_columns, self.x_cutoff_columns
        );
        let _ = writeln!(
            o,
            "H_r: {:.6}  H_c: {:.6}  (must be >= H_I / 2 = {:.6})",
            self.h_rows,
            self.h_columns,
            self.h_initial / 2.0
        );
        let _ = writeln!(
            o,
            "{}",
            self.failure
                .as_deref()
                .map_or("restart sanity check passed".into(), |f| format!("FAILED: {f}"))
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cutoff against an independent exact computation (Python, math.comb): with α =
    /// 1 - 0.99^(1/2000), 1000 samples per row, the smallest x with P(max(X, 1000 - X) > x) <= α
    /// is 572 for H_I = 1 (p = 1/2) and 769 for H_I = 0.5 (p = 0.7071).
    #[test]
    fn cutoff_matches_exact_binomial() {
        let alpha = 1.0 - (0.99f64.ln() / 2000.0).exp();
        assert_eq!(cutoff(1000, 1.0, alpha), 572);
        assert_eq!(cutoff(1000, 0.5, alpha), 769);
    }

    #[test]
    fn rejects_a_file_of_the_wrong_size() {
        let d = Dataset::new(&[0, 1, 1], 1).unwrap();
        assert!(check(&d, 0.5, 2, 2).unwrap_err().contains("2 × 2"));
    }
}
