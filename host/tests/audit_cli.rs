//! `speckle audit` end to end: a conditioned capture passes, a raw one from the simulated board
//! (P(1) ≈ 0.43 by the model) fails with a non-zero exit, bad parameters give one clear line.

mod common;

use common::BoardDouble;
use sha3::{Digest, Sha3_256};
use std::process::{Command, Output};

fn speckle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_speckle")).arg("audit").args(args).output().unwrap()
}

/// `n` 32-byte blocks of SHA3-256 in counter mode: what a working conditioner looks like.
fn conditioned_blocks(n: usize) -> Vec<[u8; 32]> {
    (0..n as u64).map(|i| Sha3_256::digest(i.to_le_bytes()).into()).collect()
}

#[test]
fn a_conditioned_capture_passes() {
    let dir = common::tmpdir("audit-cond");
    // Three sequences of 10^6 bits as CONDITIONED frames of a capture replayed as a source.
    let blocks = conditioned_blocks(3 * 1_000_000 / 256 + 1);
    let mut b = BoardDouble::new();
    b.status(0);
    for blk in &blocks {
        b.block_of(*blk);
    }
    let cap = dir.join("cap.bin");
    std::fs::write(&cap, &b.bytes).unwrap();
    let out = speckle(&["--source", &format!("file:{}", cap.display()), "--sequences", "3"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("VERDICT: PASS"), "{stdout}");
    for name in [
        "Frequency",
        "NonOverlappingTemplate 000000001",
        "RandomExcursionsVariant x=-9",
        "Universal",
        "LinearComplexityScatter",
    ] {
        assert!(stdout.contains(name), "{name} missing:\n{stdout}");
    }

    // The same bytes as a plain file, two sequences, as JSON, logged to CSV and SQLite.
    let flat: Vec<u8> = blocks.iter().flatten().copied().collect();
    let file = dir.join("cond.bin");
    std::fs::write(&file, &flat).unwrap();
    let (csv, db) = (dir.join("log.csv"), dir.join("log.sqlite"));
    let out = speckle(&[
        file.to_str().unwrap(),
        "--sequences",
        "2",
        "--bits",
        "600000",
        "--json",
        "--log-csv",
        csv.to_str().unwrap(),
        "--log-sqlite",
        db.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], true);
    assert_eq!(v["sequences"], 2);
    let rows = v["rows"].as_array().unwrap();
    assert!(rows.len() > 180, "{} rows", rows.len());
    assert!(rows.iter().all(|r| r["fails"] == false));
    let log = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(log.lines().count(), 1 + rows.len(), "header and one line per row");
    assert!(log.lines().nth(1).unwrap().contains(",2,600000,true,Frequency,"), "{log}");
    assert!(std::fs::read(&db).unwrap().starts_with(b"SQLite format 3\0"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_raw_capture_of_the_simulated_board_fails() {
    let out = speckle(&["--source", "sim:optimal", "--raw", "--sequences", "1", "--bits", "20000"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("audit failed"), "{stderr}");
    let freq = stdout.lines().find(|l| l.contains(" Frequency")).expect("a Frequency row");
    assert!(freq.contains("FAIL"), "{freq}");
}

#[test]
fn bad_parameters_give_one_clear_line() {
    let dir = common::tmpdir("audit-bad");
    let file = dir.join("short.bin");
    std::fs::write(&file, [0x55u8; 1000]).unwrap();
    let f = file.to_str().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (&[f, "--bits", "1001"], "--bits 1001 is not a multiple of 8"),
        (&[f, "--bits", "8000", "--sequences", "2"], "ends in sequence 2 of 2"),
        (
            &[f, "--raw", "--bits", "100", "--sequences", "1"],
            "raw input is one sample per byte, 0 or 1",
        ),
    ];
    for (args, want) in cases {
        let out = speckle(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: no report on bad input");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
