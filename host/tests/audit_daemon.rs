//! `speckle run --audit` end to end: the daemon audits a sampled copy of what it hands out and
//! writes each completed audit to its log and, as a row of its own, to the parquet telemetry.

mod common;

use parquet::record::Field;
use std::process::Command;

#[test]
fn the_daemon_audits_its_output_and_logs_each_audit_to_telemetry() {
    let _serial = common::one_at_a_time();
    let dir = common::tmpdir("audit-daemon");
    let tele = dir.join("tele");
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal", "--duration", "15"])
        .args(["--audit", "--audit-bits", "8000", "--audit-sequences", "2", "--audit-cpu", "20"])
        .args(["--output", &format!("file:{}", dir.join("out.bin").display())])
        .args(["--telemetry-dir", tele.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    let audits = err.matches("audit of the output: 2 sequences of 8000 bits: ").count();
    assert!(audits >= 1, "{err}");
    let (_, rows) = common::read_telemetry(&tele);
    let audit_rows: Vec<_> =
        rows.iter().filter(|r| r["source"] == Field::Str("audit".into())).collect();
    assert_eq!(audit_rows.len(), audits, "one telemetry row per logged audit:\n{err}");
    for r in &audit_rows {
        assert_eq!(r["mode"], Field::Str("audit".into()));
        assert_eq!(r["provenance"], Field::Str("simulated".into()));
        let Field::Str(json) = &r["audit"] else { panic!("{:?}", r["audit"]) };
        let report: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!((report["sequences"].as_u64(), report["bits"].as_u64()), (Some(2), Some(8000)));
        let Field::Bool(healthy) = r["healthy"] else { panic!() };
        assert_eq!(Some(healthy), report["passed"].as_bool());
        assert!(report["rows"].as_array().unwrap().len() > 100);
    }
    // Other sources' rows carry no audit.
    assert!(rows
        .iter()
        .filter(|r| r["source"] != Field::Str("audit".into()))
        .all(|r| r["audit"] == Field::Str(String::new())));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_audit_plan_is_refused_before_anything_opens() {
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal", "--audit", "--audit-bits", "999"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(!res.status.success());
    assert!(err.contains("--audit-bits 999: give a multiple of 8"), "{err}");
    assert!(!err.contains("simulated board on"), "{err}");
}
