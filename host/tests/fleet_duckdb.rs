//! docs/fleet.md's DuckDB queries, run as written against telemetry the daemon wrote in the fleet
//! layout (`ROOT/host=rig1/source=…/date=…/*.parquet`): DuckDB (pip, `make fleet-duckdb`'s venv,
//! host/tests/fleet-duckdb.txt) must read the hive partitions as columns and each query must give
//! what the run did: the stuck board's alarms, the SFP's RX power beside the module's thresholds,
//! the healthy board's released bytes and no credit for simulated bytes.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PYTHON_ENV: &str = "SPECKLE_DUCKDB_PYTHON";
const NO_SKIP_ENV: &str = "SPECKLE_NO_SKIP";
/// The root the queries name, replaced by the test's.
const DOC_ROOT: &str = "/srv/speckle";

/// `make`'s venv; outside make a python3 that has duckdb, or none (then the test says so).
fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(PYTHON_ENV) {
        return Some(p.into());
    }
    let why = format!(
        "{PYTHON_ENV} is not set: `make fleet-duckdb` builds the venv and `make test` sets it"
    );
    if std::env::var_os(NO_SKIP_ENV).is_some() {
        panic!("DuckDB is required ({NO_SKIP_ENV} is set): {why}");
    }
    let ok = Command::new("python3").args(["-c", "import duckdb"]).stderr(Stdio::null()).status();
    if ok.is_ok_and(|s| s.success()) {
        return Some("python3".into());
    }
    eprintln!("SKIPPED: fleet_duckdb: {why}");
    None
}

/// The `<!-- fleet-query: NAME -->` blocks of docs/fleet.md.
fn queries() -> Vec<(String, String)> {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/fleet.md")).unwrap();
    let mut out = Vec::new();
    for part in doc.split("<!-- fleet-query: ").skip(1) {
        let (name, rest) = part.split_once(" -->").unwrap();
        let sql = rest.split_once("```sql\n").unwrap().1.split_once("```").unwrap().0;
        out.push((name.to_string(), sql.to_string()));
    }
    out
}

/// Runs one query; its rows as JSON objects by column name.
fn duckdb(python: &Path, sql: &str) -> Vec<serde_json::Map<String, Value>> {
    const SCRIPT: &str = "import duckdb, json, sys\n\
        r = duckdb.sql(sys.stdin.read())\n\
        print(json.dumps([dict(zip(r.columns, row)) for row in r.fetchall()], default=str))";
    let mut child = Command::new(python)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), sql.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "duckdb failed on\n{sql}\n{err}");
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    rows.into_iter().map(|r| r.as_object().unwrap().clone()).collect()
}

fn of<'a>(
    rows: &'a [serde_json::Map<String, Value>],
    source: &str,
) -> Vec<&'a serde_json::Map<String, Value>> {
    rows.iter().filter(|r| r["source"] == source).collect()
}

fn num(v: &Value) -> f64 {
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or_else(|| panic!("{v}"))
}

#[test]
fn the_fleet_queries_of_docs_run_in_duckdb_on_the_daemons_partitioned_telemetry() {
    let Some(python) = python() else { return };
    let root = common::tmpdir("fleet-duckdb");
    let tele = root.join("host=rig1");
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal,sim:stuck", "--output", "file:/dev/null"])
        .args(["--telemetry-dir", tele.to_str().unwrap(), "--telemetry-rotate", "1"])
        .args(["--duration", "5"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    // The layout the queries rely on.
    let parts: Vec<String> = common::telemetry_files(&tele)
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .map(|p| p.parent().unwrap().strip_prefix(&tele).unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(parts.iter().any(|p| p.starts_with("source=sim%3Astuck/date=20")), "{parts:?}");
    assert!(parts.iter().any(|p| p.starts_with("source=sim%3Aoptimal/date=20")), "{parts:?}");

    let queries = queries();
    let names: Vec<&str> = queries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["alarms_per_source_per_day", "rx_power_trend", "credited_bytes", "kernel_credit_per_day"]
    );
    let run = |name: &str| {
        let sql = &queries.iter().find(|(n, _)| n == name).unwrap().1;
        assert!(sql.contains(DOC_ROOT), "{name} does not read {DOC_ROOT}");
        duckdb(&python, &sql.replace(DOC_ROOT, root.to_str().unwrap()))
    };

    let alarms = run("alarms_per_source_per_day");
    let (stuck, good) = (of(&alarms, "sim:stuck"), of(&alarms, "sim:optimal"));
    assert_eq!((stuck.len(), good.len()), (1, 1), "one day each: {alarms:?}");
    assert_eq!(stuck[0]["host"], "rig1", "the host column comes from the path");
    assert!(num(&stuck[0]["alarms_raised"]) >= 1.0, "{alarms:?}");
    assert!(num(&stuck[0]["rct_rows"]) >= 3.0, "{alarms:?}");
    assert_eq!(num(&stuck[0]["unhealthy_rows"]), num(&stuck[0]["rows"]), "{alarms:?}");
    assert_eq!(num(&good[0]["alarms_raised"]), 0.0, "{alarms:?}");

    let rx = run("rx_power_trend");
    let rx_good = of(&rx, "sim:optimal");
    assert!(!rx_good.is_empty(), "{rx:?}");
    let r = rx_good[0];
    let (lo, avg, hi) = (num(&r["rx_min_mw"]), num(&r["rx_avg_mw"]), num(&r["rx_max_mw"]));
    assert!(lo > 0.0 && lo <= avg && avg <= hi, "{r:?}");
    let (warn_hi, warn_lo) = (num(&r["rx_high_warning_mw"]), num(&r["rx_low_warning_mw"]));
    assert!(warn_lo < lo && hi < warn_hi, "a healthy module sits inside its warning window: {r:?}");

    let bytes = run("credited_bytes");
    let (stuck, good) = (of(&bytes, "sim:stuck"), of(&bytes, "sim:optimal"));
    assert_eq!(num(&stuck[0]["released_bytes"]), 0.0, "{bytes:?}");
    assert!(num(&good[0]["released_bytes"]) >= 256.0, "{bytes:?}");
    assert_eq!(good[0]["provenance"], "simulated");
    assert_eq!(num(&good[0]["creditable_bytes"]), 0.0, "simulated bytes are never credited");

    // The kernel sink refuses simulated sources, so what the kernel accepted is 0 bits, per host
    // and day, from the `kernel_credited_bits` column every row carries.
    let credit = run("kernel_credit_per_day");
    assert_eq!(credit.len(), 1, "one host, one day: {credit:?}");
    assert_eq!(credit[0]["host"], "rig1");
    assert_eq!(num(&credit[0]["credited_bits"]), 0.0, "{credit:?}");
    std::fs::remove_dir_all(&root).unwrap();
}
