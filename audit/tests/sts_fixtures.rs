//! Agreement with NIST's STS 2.1.2 to 1e-6 in every p-value of the fifteen tests, on the
//! deterministic cross-check inputs and on e's expansion (SP 800-22 appendix B's sequence).
//! STS's outputs are committed (tests/fixtures/sts/, made by crosscheck/run-sts.sh) because CI
//! cannot fetch and build STS; its inputs are regenerated here.

mod common;

use speckle_audit::stats::unpack_bits;
use speckle_audit::tests::{Source, BATTERY};
use std::collections::HashMap;

/// STS prints six decimals; 1e-6 allows its rounding and nothing more.
const TOL: f64 = 1e-6;

fn fixture(name: &str) -> HashMap<String, Vec<f64>> {
    let path = format!("{}/tests/fixtures/sts/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let mut it = l.split_whitespace();
            let test = it.next().unwrap().to_string();
            (test, it.map(|x| x.parse().unwrap()).collect())
        })
        .collect()
}

/// Compares every SP 800-22 test on `bits` with STS's p-values for the same sequence.
fn compare(name: &str, bits: &[u8]) {
    let sts = fixture(name);
    let mut compared = 0;
    for t in BATTERY.iter().filter(|t| t.source == Source::Sp800_22) {
        let want = sts.get(t.name).unwrap_or_else(|| panic!("{name}: STS has no {}", t.name));
        match (t.run)(bits) {
            Ok(got) => {
                assert_eq!(got.len(), want.len(), "{name} {}: number of p-values", t.name);
                for (i, (g, w)) in got.iter().zip(want).enumerate() {
                    assert!(
                        (g - w).abs() <= TOL,
                        "{name} {}[{i}]: ours {g:.7}, STS {w:.6}",
                        t.name
                    );
                    compared += 1;
                }
            }
            // STS reports a test that does not apply (too few cycles) as p-values of zero.
            Err(why) => assert!(
                want.iter().all(|&w| w == 0.0),
                "{name} {}: ours refused ({why}), STS {want:?}",
                t.name
            ),
        }
    }
    assert!(compared >= 15, "{name}: only {compared} p-values compared");
}

#[test]
fn agrees_with_sts_on_the_crosscheck_inputs() {
    for (name, bytes) in common::crosscheck_inputs() {
        compare(name, &unpack_bits(&bytes));
    }
}

#[test]
fn agrees_with_sts_on_e() {
    compare("e", &common::e_bits(1_000_000));
}
