//! Combining the estimates (SP 800-90B §3.1.3 and §6.2 as NIST's ea_non_iid applies them):
//! H_original is the least literal estimate; for samples with more than two values the bit
//! string is assessed too, and the result is min(H_original, bits_per_sample × H_bitstring).

use crate::data::Dataset;
use crate::estimators::{self, ESTIMATORS};
use serde::Serialize;
use std::fmt::Write;

/// NIST's `-t`: at most this many bits go into the H_bitstring assessment.
pub const TRUNCATED_BITS: usize = 1_000_000;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Estimate {
    pub id: &'static str,
    pub section: &'static str,
    pub name: &'static str,
    /// Per sample, on the samples themselves; absent where the estimator does not apply.
    pub h_original: Option<f64>,
    /// Per bit, on the bit string; only for samples with more than two values.
    pub h_bitstring: Option<f64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Assessment {
    pub samples: usize,
    pub bits_per_sample: u8,
    /// Distinct sample values present.
    pub values: usize,
    pub estimators: Vec<Estimate>,
    pub h_original: f64,
    pub h_bitstring: Option<f64>,
    /// The assessed min-entropy per sample: min(H_original, bits_per_sample × H_bitstring).
    pub h_assessed: f64,
    /// Why the figures are what they are, where that is not the estimators' doing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Assesses `d`. With `truncate`, the bit string is cut to [`TRUNCATED_BITS`] (NIST's `-t`).
pub fn assess(d: &Dataset, truncate: bool) -> Assessment {
    assess_bits_limited(d, truncate.then_some(TRUNCATED_BITS))
}

fn assess_bits_limited(d: &Dataset, bit_limit: Option<usize>) -> Assessment {
    let w = d.bits_per_sample as f64;
    if d.alphabet == 1 {
        // NIST's tool refuses such a file ("no entropy awarded"); a stuck source has none.
        let estimators = ESTIMATORS
            .iter()
            .map(|&(id, section, name)| Estimate {
                id,
                section,
                name,
                h_original: Some(0.0),
                h_bitstring: None,
            })
            .collect();
        return Assessment {
            samples: d.len(),
            bits_per_sample: d.bits_per_sample,
            values: 1,
            estimators,
            h_original: 0.0,
            h_bitstring: None,
            h_assessed: 0.0,
            note: Some("every sample has the same value: no entropy".into()),
        };
    }
    let literal = estimators::run(&d.symbols, d.alphabet);
    let bitstring = d.needs_bitstring().then(|| {
        let bits = &d.bits[..bit_limit.unwrap_or(usize::MAX).min(d.bits.len())];
        estimators::run(bits, 2)
    });
    // `+ 0.0` turns the -0.0 of -log2(1) into 0.
    let estimators: Vec<Estimate> = ESTIMATORS
        .iter()
        .enumerate()
        .map(|(i, &(id, section, name))| Estimate {
            id,
            section,
            name,
            h_original: literal[i].map(|h| h + 0.0),
            h_bitstring: bitstring.as_ref().and_then(|b| b[i]).map(|h| h + 0.0),
        })
        .collect();
    let h_original = estimators.iter().filter_map(|e| e.h_original).fold(w, f64::min);
    let h_bitstring = bitstring
        .as_ref()
        .map(|_| estimators.iter().filter_map(|e| e.h_bitstring).fold(1.0, f64::min));
    let h_assessed = h_original.min(h_bitstring.map_or(w, |h| w * h));
    Assessment {
        samples: d.len(),
        bits_per_sample: d.bits_per_sample,
        values: d.alphabet,
        estimators,
        h_original,
        h_bitstring,
        h_assessed,
        note: None,
    }
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |h| format!("{h:.6}"))
}

impl Assessment {
    /// The human-readable report of `speckle assess`.
    pub fn text(&self, what: &str) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "{what}: {} samples, {} bit(s) per sample, {} distinct value(s)",
            self.samples, self.bits_per_sample, self.values
        );
        let _ = writeln!(
            o,
            "{:<8} {:<22} {:>11} {:>12}",
            "section", "estimator", "H_original", "H_bitstring"
        );
        for e in &self.estimators {
            let _ = writeln!(
                o,
                "{:<8} {:<22} {:>11} {:>12}",
                e.section,
                e.name,
                cell(e.h_original),
                cell(e.h_bitstring)
            );
        }
        let _ = writeln!(o, "H_original: {:.6}", self.h_original);
        if let Some(hb) = self.h_bitstring {
            let _ = writeln!(o, "H_bitstring: {hb:.6}");
        }
        let _ = writeln!(o, "min-entropy per sample: {:.6}", self.h_assessed);
        if let Some(n) = &self.note {
            let _ = writeln!(o, "note: {n}");
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NIST's `-t`: only the first bits of the bit string are assessed for H_bitstring, the
    /// literal estimates are untouched, and the combination uses the truncated figure.
    #[test]
    fn truncation_limits_only_the_bit_string() {
        let mut x = 3u32;
        let raw: Vec<u8> = (0..4000)
            .map(|i| {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                // A clean first half, a stuck second half: truncation must not see the latter.
                if i < 2000 {
                    (x >> 29) as u8
                } else {
                    7
                }
            })
            .collect();
        let d = Dataset::new(&raw, 3).unwrap();
        let full = assess_bits_limited(&d, None);
        let cut = assess_bits_limited(&d, Some(6000));
        let expect =
            estimators::run(&d.bits[..6000], 2).iter().flatten().fold(1.0, |a: f64, &h| a.min(h));
        assert_eq!(cut.h_bitstring, Some(expect));
        assert!(cut.h_bitstring > full.h_bitstring, "{cut:?} {full:?}");
        assert_eq!(cut.h_original, full.h_original);
        assert_eq!(cut.h_assessed, cut.h_original.min(3.0 * expect));
    }
}
