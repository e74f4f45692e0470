//! Agreement with NIST's ea_non_iid: every estimator, H_original, H_bitstring and the assessed
//! min-entropy within 0.001 bit of the tool's own results on the same inputs. The inputs are made
//! here (tests/common/models.rs); NIST's results on them are committed in tests/fixtures/, made
//! by tests/fixtures/regen.sh, which records the tool's commit and command.

mod common;

use common::models;
use serde_json::Value;
use speckle_assess::{assess, Dataset};

const TOLERANCE: f64 = 0.001;

fn close(what: &str, ours: Option<f64>, nist: &Value) -> Result<(), String> {
    match (ours, nist.as_f64()) {
        (None, None) => Ok(()),
        (Some(a), Some(b)) if (a - b).abs() <= TOLERANCE => Ok(()),
        (a, b) => Err(format!("{what}: speckle-assess {a:?}, NIST {b:?}")),
    }
}

fn check(name: &str) {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let (samples, bits) = models::generate(name).unwrap();
    assert_eq!(
        format!("{:016x}", models::fnv1a(&samples)),
        fx["input"]["fnv1a"].as_str().unwrap(),
        "{name}: the generator no longer makes the input NIST assessed; run tests/fixtures/regen.sh"
    );
    assert_eq!(bits as u64, fx["input"]["bits_per_sample"].as_u64().unwrap());
    let a = assess(&Dataset::new(&samples, bits).unwrap(), false);
    let mut errors = Vec::new();
    for e in &a.estimators {
        let n = &fx["estimators"][e.id];
        errors.extend(close(&format!("{} H_original", e.id), e.h_original, &n["h_original"]).err());
        errors.extend(
            close(&format!("{} H_bitstring", e.id), e.h_bitstring, &n["h_bitstring"]).err(),
        );
    }
    errors.extend(close("H_original", Some(a.h_original), &fx["h_original"]).err());
    errors.extend(close("H_bitstring", a.h_bitstring, &fx["h_bitstring"]).err());
    errors.extend(close("assessed", Some(a.h_assessed), &fx["h_assessed"]).err());
    assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
}

macro_rules! fixtures {
    ($($name:ident),*) => {
        $(#[test] fn $name() { check(stringify!($name)); })*

        /// Every generated input has its fixture test (and no fixture is left unchecked).
        #[test]
        fn every_model_has_a_fixture_test() {
            let tested = [$(stringify!($name)),*];
            assert_eq!(tested, models::NAMES);
            let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
            let mut files: Vec<String> = std::fs::read_dir(dir).unwrap()
                .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".json").map(String::from))
                .collect();
            files.sort();
            let mut names: Vec<String> = tested.iter().map(|s| s.to_string()).collect();
            names.sort();
            assert_eq!(files, names);
        }
    };
}

fixtures!(
    fair_bits_1m,
    optimal_bits,
    thermal_bits,
    bias_bits,
    markov_bits,
    intensity_u8,
    intensity_u4,
    three_level_u2,
    two_value_u8,
    sp800_90b_6_3_1_example
);
