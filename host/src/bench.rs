//! `speckle bench`: per-stage host throughput on generated data, side by side with Debian's
//! `rngtest` (FIPS 140-2 tests) and `b3sum` on the same input in the same run; medians of `--reps`
//! repetitions; writes a markdown report (docs/host-bench.md).

use crate::cli::{BenchArgs, Whiten};
use crate::wordhealth::WordHealth;
use sha3::Digest;
use speckle_model::adaptp_ht::AdaptProp;
use speckle_model::markov_ht::Markov;
use speckle_model::params::CoreParams;
use speckle_model::protocol::{encode, Decoder, Frame, FrameType};
use speckle_model::repcnt_ht::RepCount;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

/// xorshift64*: fast, deterministic filler that passes FIPS 140-2 (so rngtest does full work).
fn generate(bytes: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(bytes + 8);
    while out.len() < bytes {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(bytes);
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Median MB/s (10^6 bytes of *input* per second) of `f` over `reps` runs.
fn measure(reps: usize, bytes: usize, mut f: impl FnMut() -> u64) -> (f64, u64) {
    let mut rates = Vec::new();
    let mut check = 0;
    for _ in 0..reps {
        let t = Instant::now();
        check = std::hint::black_box(f());
        rates.push(bytes as f64 / t.elapsed().as_secs_f64() / 1e6);
    }
    (median(rates), check)
}

struct Stage {
    name: &'static str,
    mb_s: f64,
    note: String,
}

fn tool_version(cmd: &str, arg: &str) -> Option<String> {
    let out = Command::new(cmd).arg(arg).output().ok()?;
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    Some(text.lines().next().unwrap_or("").trim().to_string())
}

/// rngtest on the same bytes: wall-clock rate of the whole process, and its own "FIPS tests speed".
fn rngtest(data: &[u8]) -> Result<(f64, f64), String> {
    let t = Instant::now();
    let mut child = Command::new("rngtest")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("rngtest not runnable ({e}): install Debian's rng-tools5"))?;
    child.stdin.take().unwrap().write_all(data).map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let wall = data.len() as f64 / t.elapsed().as_secs_f64() / 1e6;
    let err = String::from_utf8_lossy(&out.stderr);
    let fips = err
        .lines()
        .find(|l| l.contains("FIPS tests speed"))
        .and_then(|l| l.split("avg=").nth(1))
        .and_then(|s| s.split(';').next())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("rngtest printed no FIPS tests speed: {err}"))?;
    Ok((wall, fips * 1024.0 * 1024.0 / 8.0 / 1e6))
}

fn b3sum(path: &std::path::Path, threads: Option<&str>, bytes: usize) -> Option<f64> {
    let mut c = Command::new("b3sum");
    if let Some(n) = threads {
        c.args(["--num-threads", n]);
    }
    let t = Instant::now();
    let ok = c.arg(path).stdout(Stdio::null()).status().ok()?.success();
    ok.then(|| bytes as f64 / t.elapsed().as_secs_f64() / 1e6)
}

pub fn run(a: BenchArgs) -> Result<(), String> {
    if a.mib == 0 || a.reps == 0 {
        return Err("--mib and --reps must be at least 1".into());
    }
    match a.whiten {
        Some(Whiten::Gpu) => return gpu_bench(&a),
        Some(Whiten::Auto) => return Err("bench --whiten auto: choose gpu (CPU vs GPU whitening) or cpu (host stages, the default)".into()),
        Some(Whiten::Cpu) | None if a.write_doc => return Err("--write-doc belongs to --whiten gpu (it writes docs/gpu-bench.md)".into()),
        Some(Whiten::Cpu) | None => {}
    }
    let bytes = a.mib << 20;
    let data = generate(bytes, 0x5eed);
    let p = CoreParams::ice40();
    let c = p.cutoffs();
    let block = p.n_in as usize / 8;
    let mut stages = Vec::new();

    let wire: Vec<u8> = data
        .chunks(p.conditioned_payload_len())
        .enumerate()
        .flat_map(|(i, ch)| encode(&Frame::new(FrameType::Conditioned, i as u16, ch.to_vec())))
        .collect();
    let (r, n) = measure(a.reps, bytes, || Decoder::new().feed(&wire).len() as u64);
    stages.push(Stage {
        name: "deframe + CRC-32 (`Decoder`)",
        mb_s: r,
        note: format!(
            "{n} frames of {}-byte payload (the ice40 profile's); rate counts payload bytes",
            p.conditioned_payload_len()
        ),
    });

    // The samples as the word-parallel tests take them (a RAW payload is already this, LSB-first).
    let words: Vec<u64> =
        data.chunks_exact(8).map(|w| u64::from_le_bytes(w.try_into().unwrap())).collect();
    let (r, n) = measure(a.reps, bytes, || {
        let mut h = WordHealth::new(p.window, c.rct, c.apt, c.markov_lo, c.markov_hi);
        h.push(&words);
        h.failures.rct + h.failures.apt + h.failures.markov
    });
    stages.push(Stage {
        name: "RCT + APT + Markov, word-parallel (`wordhealth`)",
        mb_s: r,
        note: format!("{n} failures; 8 samples per byte"),
    });

    let model_bytes = bytes.min(2 << 20);
    let (r, n) = measure(a.reps, model_bytes, || {
        let (mut rc, mut ap, mut mk) = (
            RepCount::new(c.rct),
            AdaptProp::new(p.window, c.apt),
            Markov::new(p.window, c.markov_lo, c.markov_hi),
        );
        let mut fails = 0u64;
        for &b in &data[..model_bytes] {
            for i in 0..8 {
                let s = (b >> i) & 1 == 1;
                fails += (rc.sample(s).fail | ap.sample(s).fail | mk.sample(s).fail) as u64;
            }
        }
        fails
    });
    stages.push(Stage {
        name: "RCT + APT + Markov, per-sample block models",
        mb_s: r,
        note: format!("{n} failures; {} MiB (slow path, used by raw mode)", model_bytes >> 20),
    });

    let (r, _) = measure(a.reps, bytes, || {
        data.chunks_exact(block).map(|b| sha3::Sha3_256::digest(b)[0] as u64).sum()
    });
    stages.push(Stage {
        name: "SHA3-256 of n_in = 640-bit blocks",
        mb_s: r,
        note: format!("{block}-byte blocks, the FPGA's construction"),
    });
    let (r, _) = measure(a.reps, bytes, || {
        data.chunks_exact(block).map(|b| blake3::hash(b).as_bytes()[0] as u64).sum()
    });
    stages.push(Stage {
        name: "BLAKE3 of n_in = 640-bit blocks",
        mb_s: r,
        note: format!("{block}-byte blocks (`--conditioner blake3`)"),
    });
    let (r, _) = measure(a.reps, bytes, || blake3::hash(&data).as_bytes()[0] as u64);
    let blake3_bulk = r;
    stages.push(Stage {
        name: "BLAKE3 bulk, one hash of the whole input",
        mb_s: r,
        note: "blake3 crate, one thread (what b3sum does per file)".into(),
    });

    let mut rng = Vec::new();
    for _ in 0..a.reps {
        rng.push(rngtest(&data)?);
    }
    let rng_wall = median(rng.iter().map(|x| x.0).collect());
    let rng_fips = median(rng.iter().map(|x| x.1).collect());

    let tmp = std::env::temp_dir().join(format!("speckle-bench-{}.bin", std::process::id()));
    std::fs::write(&tmp, &data).map_err(|e| e.to_string())?;
    let b3 = |t: Option<&str>| -> Option<f64> {
        let v: Option<Vec<f64>> = (0..a.reps).map(|_| b3sum(&tmp, t, bytes)).collect();
        v.map(median)
    };
    let (b3_one, b3_all) = (b3(Some("1")), b3(None));
    let _ = std::fs::remove_file(&tmp);

    let report = render(&a, bytes, &stages, rng_wall, rng_fips, b3_one, b3_all, blake3_bulk);
    std::fs::write(&a.report, &report)
        .map_err(|e| format!("cannot write {}: {e}", a.report.display()))?;
    print!("{report}");
    Ok(())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "{cpu}, {cores} cores available, Linux {}, load average at start {}",
        kernel.trim(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    )
}

#[allow(clippy::too_many_arguments)]
fn render(
    a: &BenchArgs,
    bytes: usize,
    stages: &[Stage],
    rng_wall: f64,
    rng_fips: f64,
    b3_one: Option<f64>,
    b3_all: Option<f64>,
    blake3_bulk: f64,
) -> String {
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let mut s = format!(
        "# Host pipeline benchmark\n\nGenerated by `speckle bench --mib {} --reps {}` ({profile} build; `make host-bench` regenerates it). \
         Every figure is the median of {} runs over the same {} MiB of generated data (xorshift64*), measured in one run \
         of the command; MB/s = 10^6 bytes of input per second.\n\nMachine: {}. rngtest: {}. b3sum: {}.\n\n",
        a.mib,
        a.reps,
        a.reps,
        bytes >> 20,
        machine(),
        tool_version("rngtest", "--version").unwrap_or_else(|| "not installed".into()),
        tool_version("b3sum", "--version").unwrap_or_else(|| "not installed".into()),
    );
    s += "| stage | MB/s | notes |\n|---|---:|---|\n";
    for st in stages {
        s += &format!("| {} | {:.1} | {} |\n", st.name, st.mb_s, st.note);
    }
    s += &format!("| rngtest, whole process (FIPS 140-2, same input on stdin) | {rng_wall:.1} | wall clock |\n");
    s += &format!("| rngtest, its own \"FIPS tests speed\" (avg) | {rng_fips:.1} | test time only, as rngtest reports it |\n");
    let fmt = |x: Option<f64>| {
        x.map(|v| format!("{v:.1}")).unwrap_or_else(|| "n/a (b3sum not installed)".into())
    };
    s += &format!(
        "| b3sum --num-threads 1, same input from a file | {} | wall clock incl. process start |\n",
        fmt(b3_one)
    );
    s += &format!(
        "| b3sum (default threads) | {} | wall clock incl. process start |\n",
        fmt(b3_all)
    );
    let health =
        stages.iter().find(|x| x.name.contains("word-parallel")).map(|x| x.mb_s).unwrap_or(0.0);
    s += "\n## Goals\n\n| goal | measured | met |\n|---|---|---|\n";
    let ratio = health / rng_fips;
    s += &format!(
        "| health stage ≥ 10× rngtest (vs its FIPS tests speed) | {ratio:.1}× | {} |\n",
        if ratio >= 10.0 { "yes" } else { "no" }
    );
    let ratio_wall = health / rng_wall;
    s += &format!(
        "| health stage ≥ 10× rngtest (vs its wall clock) | {ratio_wall:.1}× | {} |\n",
        if ratio_wall >= 10.0 { "yes" } else { "no" }
    );
    match b3_one {
        Some(b) => {
            let r = blake3_bulk / b;
            s += &format!(
                "| BLAKE3 ≥ 0.8× b3sum (one thread each) | {r:.2}× | {} |\n",
                if r >= 0.8 { "yes" } else { "no" }
            );
        }
        None => s += "| BLAKE3 ≥ 0.8× b3sum | b3sum not installed | not measured |\n",
    }
    s += "\nThe health stage compared is the word-parallel one (`host/src/wordhealth.rs`), whose failure counts \
          `host/tests/wordhealth.rs` proves equal to the block models'; raw mode in the daemon runs the per-sample \
          models, which are far faster than any UART (2 Mbaud ≈ 0.2 MB/s).\n";
    s
}

/// The page docs/gpu-bench.md is generated from; `make bench-gpu` (gpu-offload's `whiten-bench`)
/// writes the same `to_page()`, so the file has one source whichever command wrote it.
pub const GPU_BENCH_DOC: &str = "docs/gpu-bench.md";

#[cfg(not(feature = "gpu"))]
fn gpu_bench(_: &BenchArgs) -> Result<(), String> {
    Err(crate::features::missing("bench --whiten gpu", "gpu"))
}

/// `speckle bench --whiten gpu`: gpu-offload's side-by-side run; a GPU output that differs from the
/// CPU output makes every figure void, so the command fails.
#[cfg(feature = "gpu")]
fn gpu_bench(a: &BenchArgs) -> Result<(), String> {
    let cfg = gpu_offload::BenchConfig { bytes: a.mib << 20, reps: a.reps, ..Default::default() };
    let report = gpu_offload::run_bench(&cfg).map_err(|e| format!("GPU benchmark: {e}"))?;
    let page = report.to_page();
    print!("{page}");
    if a.write_doc {
        std::fs::write(GPU_BENCH_DOC, &page)
            .map_err(|e| format!("cannot write {GPU_BENCH_DOC}: {e}"))?;
        tracing::info!("wrote {GPU_BENCH_DOC}");
    }
    if !report.all_match() {
        return Err(
            "GPU whitening output differs from the CPU output; the figures are not valid".into()
        );
    }
    Ok(())
}
