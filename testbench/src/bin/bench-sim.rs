//! `make bench-sim`: simulation speed of the whole core (rtl/<profile>/speckle_core.v) under
//! Verilator (through rtl-sim) and under rust-hdl's own simulator, same design, same stimulus, in
//! one run, writing the medians to docs/simulation-speed.md.
//!
//! Both simulators also record every output port after every cycle of the rust-hdl run's length;
//! the report says whether the two traces agree, so the figures compare two simulations of one
//! design rather than of two different things.
//!
//! Usage: bench-sim [--reps N] [--verilator-cycles N] [--rust-hdl-cycles N] [--out FILE]

use hdl_gen::blocks::holdback::address_bits;
use hdl_gen::blocks::speckle_core::SpeckleCore;
use rust_hdl::prelude::*;
use speckle_model::params::{CoreParams, PROFILES};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RESET_CYCLES: u64 = 4;
const OUTPUTS: [&str; 5] = ["uart_tx", "alarm", "gate_open", "startup_done", "activity"];

struct Opts {
    reps: usize,
    verilator_cycles: u64,
    rust_hdl_cycles: u64,
    out: Option<String>,
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts { reps: 5, verilator_cycles: 200_000, rust_hdl_cycles: 6_000, out: None };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        let num = |v: String| v.parse::<u64>().map_err(|e| format!("{a} {v}: {e}"));
        match a.as_str() {
            "--reps" => o.reps = num(val()?)?.max(1) as usize,
            "--verilator-cycles" => o.verilator_cycles = num(val()?)?,
            "--rust-hdl-cycles" => o.rust_hdl_cycles = num(val()?)?,
            "--out" => o.out = Some(val()?),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; valid: --reps N, --verilator-cycles N, --rust-hdl-cycles N, --out FILE"
                ))
            }
        }
    }
    Ok(o)
}

/// The raw-source stimulus: an xorshift bit stream on `rd`, the same for both simulators.
fn rd_bits(n: u64) -> Vec<bool> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x & 1 == 1
        })
        .collect()
}

/// Output ports packed into one byte per cycle, in OUTPUTS order.
type Trace = Vec<u8>;

fn verilator_run(
    profile: &str,
    rd: &[bool],
    keep: usize,
) -> Result<(Duration, Trace), rtl_sim::Error> {
    let mut m = rtl_sim::Model::new(profile, "speckle_core")?;
    let [clock, reset, rd_p, uart_rx] = ["clock", "reset", "rd", "uart_rx"].map(|n| m.port(n));
    let (clock, reset, rd_p, uart_rx) = (clock?, reset?, rd_p?, uart_rx?);
    let outs: Vec<rtl_sim::PortId> = OUTPUTS.iter().map(|n| m.port(n)).collect::<Result<_, _>>()?;
    m.set(uart_rx, 1);
    m.set(reset, 1);
    for _ in 0..RESET_CYCLES {
        m.tick(clock);
    }
    m.set(reset, 0);
    let mut trace = Vec::with_capacity(keep);
    let start = Instant::now();
    for (i, &bit) in rd.iter().enumerate() {
        m.set(rd_p, bit as u64);
        m.tick(clock);
        if i < keep {
            trace.push(
                outs.iter().enumerate().fold(0u8, |acc, (k, p)| acc | ((m.get(*p) as u8) << k)),
            );
        }
    }
    Ok((start.elapsed(), trace))
}

fn rust_hdl_run<const A: usize>(
    p: &CoreParams,
    rd: Vec<bool>,
) -> Result<(Duration, Trace), String> {
    let result: Arc<Mutex<(Duration, Trace)>> = Arc::default();
    let sink = result.clone();
    let mut sim: Simulation<SpeckleCore<A>> = Simulation::new();
    sim.add_clock(5, |x: &mut Box<SpeckleCore<A>>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<SpeckleCore<A>>| {
        let mut x = sim.init()?;
        x.uart_rx.next = true;
        x.reset.next = true;
        wait_clock_cycles!(sim, clock, x, RESET_CYCLES);
        x.reset.next = false;
        let mut trace = Vec::with_capacity(rd.len());
        let start = Instant::now();
        for &bit in &rd {
            x.rd.next = bit;
            wait_clock_cycle!(sim, clock, x);
            let bits = [
                x.uart_tx.val(),
                x.alarm.val(),
                x.gate_open.val(),
                x.startup_done.val(),
                x.activity.val(),
            ];
            trace.push(bits.iter().enumerate().fold(0u8, |acc, (k, b)| acc | ((*b as u8) << k)));
        }
        *sink.lock().unwrap() = (start.elapsed(), trace);
        sim.done(x)
    });
    let uut = Box::new(SpeckleCore::<A>::new(p));
    sim.run(uut, u64::MAX).map_err(|e| format!("rust-hdl simulation failed: {e:?}"))?;
    let r = result.lock().unwrap();
    Ok((r.0, r.1.clone()))
}

fn rust_hdl_dispatch(p: &CoreParams, rd: Vec<bool>) -> Result<(Duration, Trace), String> {
    macro_rules! sized {
        ($($a:literal),*) => {
            match address_bits(p.holdback()) {
                $($a => rust_hdl_run::<$a>(p, rd),)*
                other => Err(format!("holdback address width {other} not covered by bench-sim")),
            }
        };
    }
    sized!(8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
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
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    // Other work on the machine slows both simulators; the load average says how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?").to_string();
    format!("{cores} cores (nproc), {cpu}, 1-minute load average {load} at start")
}

fn main() {
    if let Err(e) = run() {
        eprintln!("bench-sim: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let o = parse_args()?;
    if !rtl_sim::available() {
        return Err(rtl_sim::unavailable_reason().unwrap_or("rtl-sim unavailable").to_string());
    }
    let mut rows = Vec::new();
    for profile in PROFILES {
        let p = CoreParams::profile(profile).map_err(|e| e.to_string())?;
        let rd_v = rd_bits(o.verilator_cycles);
        let rd_r = rd_bits(o.rust_hdl_cycles);
        let (mut vl, mut rh) = (Vec::new(), Vec::new());
        let mut agree = true;
        for rep in 0..o.reps {
            let (t, vtrace) = verilator_run(profile, &rd_v, o.rust_hdl_cycles as usize)
                .map_err(|e| e.to_string())?;
            vl.push(o.verilator_cycles as f64 / t.as_secs_f64());
            let (t, rtrace) = rust_hdl_dispatch(&p, rd_r.clone())?;
            rh.push(o.rust_hdl_cycles as f64 / t.as_secs_f64());
            agree &= vtrace == rtrace;
            eprintln!(
                "{profile} rep {rep}: verilator {:.0} cycles/s, rust-hdl {:.0} cycles/s",
                vl[rep], rh[rep]
            );
        }
        let (_, vtrace) =
            verilator_run(profile, &rd_r, o.rust_hdl_cycles as usize).map_err(|e| e.to_string())?;
        let changed: Vec<&str> = OUTPUTS
            .iter()
            .enumerate()
            .filter(|(k, _)| vtrace.windows(2).any(|w| (w[0] ^ w[1]) >> k & 1 == 1))
            .map(|(_, n)| *n)
            .collect();
        rows.push((profile, median(vl), median(rh), agree, changed.join(", ")));
    }
    let mut doc = format!(
        "# Simulation speed of `speckle_core`\n\n\
         Written by `make bench-sim` (testbench/src/bin/bench-sim.rs); do not edit by hand.\n\n\
         Machine: {}. Both simulators run the same design (Verilator on `rtl/<profile>/speckle_core.v`\n\
         through rtl-sim, C++ at -O2; rust-hdl 0.46's `Simulation` on the `SpeckleCore` block that\n\
         generated it, release build), one after the other in the same process, with the same\n\
         xorshift stimulus on `rd` after {RESET_CYCLES} reset cycles. Figures are medians of {} repetitions of\n\
         {} cycles (Verilator) and {} cycles (rust-hdl); the clock loop alone is timed.\n\n\
         | profile | Verilator cycles/s | rust-hdl cycles/s | speed-up | outputs agree over {} cycles | outputs that changed |\n\
         |---|---:|---:|---:|---|---|\n",
        machine(),
        o.reps,
        o.verilator_cycles,
        o.rust_hdl_cycles,
        o.rust_hdl_cycles
    );
    for (profile, v, r, agree, changed) in &rows {
        doc.push_str(&format!(
            "| {profile} | {v:.0} | {r:.0} | {:.0}× | {} | {} |\n",
            v / r,
            if *agree { "yes" } else { "NO" },
            if changed.is_empty() { "none" } else { changed }
        ));
    }
    doc.push_str(
        "\n\"Outputs agree\" compares `uart_tx`, `alarm`, `gate_open`, `startup_done` and `activity` after\n\
         every cycle of the rust-hdl run in both simulators; the last column says which of them toggled\n\
         at all in that span (a check over constant outputs would say little).\n",
    );
    print!("{doc}");
    if let Some(path) = o.out {
        std::fs::write(&path, doc).map_err(|e| format!("{path}: {e}"))?;
        eprintln!("bench-sim: wrote {path}");
    }
    if rows.iter().any(|r| !r.3) {
        return Err("Verilator and rust-hdl disagree on the core's outputs (see the table)".into());
    }
    Ok(())
}
