//! `make audit-bench`: throughput of the battery in Mbit/s on one core, against nistrng (and STS
//! when `--sts DIR` names a built STS 2.1.2), in the same run, medians of several runs; rewrites
//! the figures between the bench markers of `--report` (docs/audit.md).
//!
//! usage: audit_bench --python PY [--sts DIR] [--report FILE]

#[path = "../tests/common/mod.rs"]
mod common;

use speckle_audit::stats::unpack_bits;
use speckle_audit::tests::BATTERY;
use speckle_audit::Auditor;
use std::process::Command;
use std::time::Instant;

const BITS: usize = 1_000_000;
const REPS: usize = 5;
const SUBSET: [&str; 5] = ["Frequency", "BlockFrequency", "Runs", "Rank", "FFT"];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn arg(name: &str) -> Option<String> {
    let a: Vec<String> = std::env::args().collect();
    a.iter().position(|x| x == name).map(|i| a[i + 1].clone())
}

fn main() {
    let python = arg("--python").expect("--python PY (mk/audit.mk's venv)");
    let bytes = common::sha3_counter("speckle-audit bench", BITS / 8);
    let bits = unpack_bits(&bytes);
    let dir = std::env::temp_dir().join(format!("speckle-audit-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("seq.bin");
    std::fs::write(&file, &bytes).unwrap();

    let time = |f: &mut dyn FnMut()| {
        median(
            (0..REPS)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed().as_secs_f64()
                })
                .collect(),
        )
    };
    let ours_all = time(&mut || Auditor::new(BITS).add_sequence(&bits));
    let ours_sp = time(&mut || {
        for t in BATTERY.iter().filter(|t| t.source == speckle_audit::tests::Source::Sp800_22) {
            let _ = (t.run)(&bits);
        }
    });
    let ours_subset = time(&mut || {
        for t in BATTERY.iter().filter(|t| SUBSET.contains(&t.name)) {
            let _ = (t.run)(&bits);
        }
    });
    let script_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/crosscheck");
    let out = Command::new(&python)
        .env("PYTHONPATH", script_dir)
        .arg(format!("{script_dir}/nistrng_bench.py"))
        .arg(&file)
        .arg(REPS.to_string())
        .output()
        .expect("run nistrng");
    assert!(out.status.success(), "nistrng: {}", String::from_utf8_lossy(&out.stderr));
    let nistrng_subset: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let sts = arg("--sts").map(|d| sts_seconds(&d, &file));
    std::fs::remove_dir_all(&dir).ok();

    let mbps = |s: f64| BITS as f64 / 1e6 / s;
    let mut t = String::new();
    t += &format!(
        "Measured by `make audit-bench{}` on one core ({}), one sequence of 10^6 bits of SHA3 \
         counter output, median of {REPS} runs (STS: of 3), release build.\n\n",
        if sts.is_some() { " STS_DIR=…" } else { "" },
        std::env::consts::ARCH
    );
    t += "| what | implementation | seconds per 10^6 bits | Mbit/s |\n|---|---|---|---|\n";
    let mut row =
        |w: &str, i: &str, s: f64| t += &format!("| {w} | {i} | {s:.3} | {:.3} |\n", mbps(s));
    row("whole battery: 15 SP 800-22 tests + 2 paranoid_crypto tests", "speckle-audit", ours_all);
    row("the 15 SP 800-22 tests", "speckle-audit", ours_sp);
    if let Some(s) = sts {
        row(
            "the 15 SP 800-22 tests (and file I/O)",
            "NIST STS 2.1.2 (`assess`, gcc -O0 as its makefile builds it)",
            s,
        );
    }
    row("Frequency, BlockFrequency, Runs, Rank, FFT", "speckle-audit", ours_subset);
    row("Frequency, BlockFrequency, Runs, Rank, FFT", "nistrng 1.2.3 (numpy)", nistrng_subset);
    print!("{t}");
    if let Some(report) = arg("--report") {
        let doc = std::fs::read_to_string(&report).expect("the report file");
        let (a, b) = ("<!-- audit-bench:start -->", "<!-- audit-bench:end -->");
        let (i, j) = (doc.find(a).expect("start marker"), doc.find(b).expect("end marker"));
        let new = format!("{}{a}\n{t}{}", &doc[..i], &doc[j..]);
        std::fs::write(&report, new).unwrap();
        eprintln!("wrote the figures into {report}");
    }
}

/// STS's whole battery on the file (binary, one stream), median of 3 runs.
fn sts_seconds(dir: &str, file: &std::path::Path) -> f64 {
    median(
        (0..3)
            .map(|_| {
                let t = Instant::now();
                let mut c = Command::new("sh")
                    .arg("-c")
                    .arg(format!(
                        "cd '{dir}' && printf '0\\n{}\\n1\\n0\\n1\\n1\\n' | ./assess {BITS} >/dev/null",
                        file.display()
                    ))
                    .spawn()
                    .expect("run STS");
                c.wait().unwrap();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}
