//! Agreement with pip's nistrng to 1e-6 in p-value on the deterministic cross-check inputs, for
//! the five tests nistrng implements as SP 800-22 writes them (crosscheck/nistrng_pvalues.py;
//! the other ten are compared with STS in sts_fixtures.rs). `make test` makes nistrng's venv
//! (mk/audit.mk) and passes its python in SPECKLE_AUDIT_PYTHON.

mod common;

use speckle_audit::stats::unpack_bits;
use speckle_audit::tests::BATTERY;
use std::collections::HashMap;
use std::process::Command;

const PYTHON_ENV: &str = "SPECKLE_AUDIT_PYTHON";

#[test]
fn agrees_with_nistrng() {
    let Some(python) = std::env::var_os(PYTHON_ENV) else {
        let msg =
            format!("{PYTHON_ENV} is not set (make test sets it to mk/audit.mk's nistrng venv)");
        assert!(std::env::var_os("SPECKLE_NO_SKIP").is_none(), "{msg}");
        eprintln!("SKIPPED: {msg}");
        return;
    };
    let dir = std::env::temp_dir().join(format!("speckle-audit-xc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let inputs = common::crosscheck_inputs();
    let mut paths = Vec::new();
    for (name, bytes) in &inputs {
        let p = dir.join(format!("{name}.bin"));
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/crosscheck/nistrng_pvalues.py");
    let out =
        Command::new(&python).arg(script).args(&paths).output().expect("run nistrng's python");
    std::fs::remove_dir_all(&dir).ok();
    assert!(out.status.success(), "nistrng: {}", String::from_utf8_lossy(&out.stderr));
    let theirs: HashMap<String, HashMap<String, Vec<f64>>> =
        serde_json::from_slice(&out.stdout).expect("nistrng's JSON");
    let mut compared = 0;
    for ((name, bytes), path) in inputs.iter().zip(&paths) {
        let bits = unpack_bits(bytes);
        let per_test = &theirs[&path.display().to_string()];
        for (test, want) in per_test {
            let t = BATTERY.iter().find(|t| t.name == test).expect("a battery test");
            let got = (t.run)(&bits).unwrap();
            assert_eq!(got.len(), want.len(), "{name} {test}");
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() <= 1e-6, "{name} {test}: ours {g}, nistrng {w}");
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 5 * inputs.len(), "every input, five tests");
}
