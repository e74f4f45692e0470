//! Crash safety of the telemetry (docs/telemetry.md, "Crash safety"): `speckle run` on the simulated
//! board is SIGKILLed at random moments and restarted, again and again; then `speckle telemetry
//! recover` runs, and an independent reader (pyarrow, from the venv `make telemetry-reader` builds)
//! reads every parquet file.
//!
//! Which rows existed: the test follows each run's status socket, where the daemon sends a row only
//! after the telemetry took it. "Older than the bound" for a run killed at K (the test's clock,
//! read just before the kill; the daemon stamps `time_ms` from the same clock): `time_ms <= K -
//! bound`, the bound being `--telemetry-flush`.

mod common;

use parquet::record::Field;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const KILLS: usize = 24;
/// `--telemetry-flush`, in ms.
const BOUND_MS: i64 = 1000;
/// Runs last from this to this many ms before their SIGKILL: some die while the daemon starts
/// (recovering the previous run's journal), most while it writes, rotates and converts.
const RUN_MS: (u64, u64) = (50, 3000);
const READER_ENV: &str = "SPECKLE_TELEMETRY_PYTHON";
const NO_SKIP_ENV: &str = "SPECKLE_NO_SKIP";

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// The Python with pyarrow that reads the files: `make`'s venv; outside make, a python3 that has
/// pyarrow, or none (the test then says so and checks with the Rust reader only).
fn reader_python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(READER_ENV) {
        return Some(p.into());
    }
    let why = format!(
        "{READER_ENV} is not set: `make telemetry-reader` builds the pyarrow venv (host/tests/telemetry-reader.txt) and `make test` sets it"
    );
    if std::env::var_os(NO_SKIP_ENV).is_some() {
        panic!("the independent parquet reader is required ({NO_SKIP_ENV} is set): {why}");
    }
    let system = Command::new("python3")
        .args(["-c", "import pyarrow.parquet"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if system {
        return Some("python3".into());
    }
    eprintln!(
        "SKIPPED: the pyarrow reading of telemetry_kill (the Rust reader still checks): {why}"
    );
    None
}

/// A run of the daemon: when it started and was killed, and the rows (seq, time_ms) its status
/// socket carried.
struct Run {
    start_ms: i64,
    kill_ms: i64,
    seen: Vec<(u64, i64)>,
}

/// Follows the status socket at `path` until the daemon dies (or `stop` before it connected).
fn witness(path: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<(u64, i64)>> {
    std::thread::spawn(move || {
        let stream = loop {
            match UnixStream::connect(&path) {
                Ok(s) => break s,
                Err(_) if stop.load(Ordering::SeqCst) => return Vec::new(),
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        };
        let mut seen = Vec::new();
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            seen.push((v["seq"].as_u64().unwrap(), v["time_ms"].as_i64().unwrap()));
        }
        seen
    })
}

fn speckle(dir: &Path, tele: &Path, log: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal"])
        .args(["--output", &format!("file:{}", dir.join("out.bin").display())])
        .args(["--status-socket", dir.join("status.sock").to_str().unwrap()])
        .args(["--telemetry-dir", tele.to_str().unwrap()])
        .args(["--telemetry-flush", &format!("{}", BOUND_MS as f64 / 1000.0)])
        .args(["--telemetry-rotate", "0.5"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

/// (seq → time_ms) of every row in the files, read by pyarrow; panics on an unreadable file or a
/// repeated seq.
fn read_with_pyarrow(python: &Path, tele: &Path) -> BTreeMap<u64, i64> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/read_telemetry.py");
    let out = Command::new(python)
        .args([script, tele.to_str().unwrap()])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pyarrow reader failed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rows = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("row ")) {
        let f: Vec<&str> = line.split(' ').collect();
        let (seq, t) = (f[2].parse().unwrap(), f[3].parse().unwrap());
        assert!(rows.insert(seq, t).is_none(), "seq {seq} twice (pyarrow, {})", f[1]);
    }
    rows
}

#[test]
fn no_row_older_than_the_flush_bound_is_lost_to_sigkill() {
    let python = reader_python();
    let dir = common::tmpdir("telemetry-kill");
    let tele = dir.join("tele");
    let seed = now_ms() as u64;
    eprintln!("telemetry_kill: {KILLS} kills, run lengths {RUN_MS:?} ms, seed {seed}");
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let t0 = Instant::now();
    let mut runs = Vec::new();
    for k in 0..KILLS {
        let stop = Arc::new(AtomicBool::new(false));
        let start_ms = now_ms();
        let mut child = speckle(&dir, &tele, &dir.join(format!("run-{k}.log")));
        let follow = witness(dir.join("status.sock"), stop.clone());
        std::thread::sleep(Duration::from_millis(RUN_MS.0 + next() % (RUN_MS.1 - RUN_MS.0)));
        let kill_ms = now_ms();
        stop.store(true, Ordering::SeqCst);
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(libc::SIGKILL),
            "run {k} ended before its kill: {}",
            std::fs::read_to_string(dir.join(format!("run-{k}.log"))).unwrap()
        );
        runs.push(Run { start_ms, kill_ms, seen: follow.join().unwrap() });
    }
    let recover = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["telemetry", "recover", tele.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&recover.stderr);
    assert!(recover.status.success(), "{said}");
    let left: Vec<String> = common::telemetry_files(&tele)
        .iter()
        .map(|p| p.strip_prefix(&tele).unwrap().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".parquet") && n != ".speckle-telemetry.lock")
        .collect();
    assert!(left.is_empty(), "left after recovery: {left:?}");

    // The Rust reader and pyarrow must agree on every row.
    let (files, rows) = common::read_telemetry(&tele);
    let mut ours = BTreeMap::new();
    for r in &rows {
        let (Field::Long(seq), Field::TimestampMillis(t)) = (&r["seq"], &r["time_ms"]) else {
            panic!("seq/time_ms columns: {:?} {:?}", r["seq"], r["time_ms"])
        };
        assert!(ours.insert(*seq as u64, *t).is_none(), "seq {seq} twice");
    }
    if let Some(python) = &python {
        assert_eq!(read_with_pyarrow(python, &tele), ours, "pyarrow and the parquet crate differ");
    }

    // No repeat (above), no gap: seq runs 1..=N across every restart.
    let n = ours.len() as u64;
    assert!(n > 0, "no rows at all");
    assert_eq!(ours.keys().copied().collect::<Vec<_>>(), (1..=n).collect::<Vec<_>>(), "gaps");

    let (mut old, mut young_lost, mut ages) = (0, 0, Vec::new());
    for (k, run) in runs.iter().enumerate() {
        for &(seq, t) in &run.seen {
            let kept = ours.get(&seq) == Some(&t);
            if t <= run.kill_ms - BOUND_MS {
                old += 1;
                assert!(kept, "run {k}: seq {seq} (time {t}, killed at {}) lost", run.kill_ms);
            } else if !kept {
                young_lost += 1;
            }
        }
        // Age at the kill of the run's newest row in the files (rows from its start to its kill).
        let newest = ours.values().filter(|&&t| t >= run.start_ms && t <= run.kill_ms).max();
        if let Some(t) = newest {
            ages.push(run.kill_ms - t);
        }
    }
    // The journal takes a row before the socket sees it, so a kill loses none of these at any age.
    assert_eq!(young_lost, 0, "rows seen on the socket younger than the bound were lost");
    // Where the kills landed, as the restarts saw it: a journal to recover, a conversion cut short
    // (an unfinished .tmp), a record cut short (a torn tail).
    let logs: Vec<String> = (0..KILLS)
        .map(|k| std::fs::read_to_string(dir.join(format!("run-{k}.log"))).unwrap())
        .chain([said.to_string()])
        .collect();
    let count = |what: &str| logs.iter().filter(|l| l.contains(what)).count();
    eprintln!(
        "telemetry_kill: restarts that recovered journals: {}, of which after a kill mid-conversion: {}, with a torn tail: {}; corrupt: {}",
        count("journal(s) into"),
        count("unfinished .tmp"),
        count("torn tail"),
        count("CORRUPT")
    );
    assert_eq!(count("CORRUPT"), 0, "a kill must not corrupt a journal, only cut its tail");
    ages.sort();
    eprintln!(
        "telemetry_kill: {KILLS} kills in {:.1} s; {n} rows in {files} files; {old} socket-witnessed rows older than {BOUND_MS} ms all kept, 0 younger lost; newest kept row's age at the kill: median {} ms, max {} ms over {} runs with rows",
        t0.elapsed().as_secs_f64(),
        ages.get(ages.len() / 2).unwrap_or(&0),
        ages.last().unwrap_or(&0),
        ages.len()
    );
    assert!(old >= KILLS as u64, "only {old} witnessed rows older than the bound: runs too short");
    std::fs::remove_dir_all(&dir).unwrap();
}
