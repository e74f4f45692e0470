//! Board simulation speed, every combination of logic side by side in one run, repetitions
//! interleaved so that a machine whose load changes slows all of them alike (median of 9):
//! `cargo run --release -p speckle-sim --example speed`. Real time is 6 M samples/s (ice40, 24 MHz).

use speckle_sim::frontend::{ModelFrontEnd, RtlFrontEnd};
use speckle_sim::{board_params, open_core, Bench, CoreChoice, FrontEndSim, Scenario};
use std::time::Instant;

/// Repetitions of each configuration; the median is reported.
const REPS: u64 = 9;

struct Config {
    name: &'static str,
    core: CoreChoice,
    rtl_front: bool,
    samples: u64,
}

const CONFIGS: [Config; 3] = [
    Config {
        name: "CoreModel + front-end model",
        core: CoreChoice::Model,
        rtl_front: false,
        samples: 2_000_000,
    },
    Config {
        name: "Verilated core + front-end model",
        core: CoreChoice::Rtl,
        rtl_front: false,
        samples: 200_000,
    },
    Config {
        name: "Verilated core + Verilated front end",
        core: CoreChoice::Rtl,
        rtl_front: true,
        samples: 200_000,
    },
];

/// Samples per second of one run, or None when the configuration cannot run here.
fn once(c: &Config, seed: u64) -> Option<f64> {
    let params = board_params(1_000_000).unwrap();
    let (core, _) = open_core(c.core, "ice40", &params).ok()?;
    let front: Box<dyn FrontEndSim> = if c.rtl_front {
        Box::new(RtlFrontEnd::open("ice40").ok()?)
    } else {
        Box::new(ModelFrontEnd::new(params.clock_hz))
    };
    let mut b = Bench::new(Scenario::Optimal, seed, core, front);
    let t = Instant::now();
    b.run(c.samples);
    Some(c.samples as f64 / t.elapsed().as_secs_f64())
}

fn main() {
    println!("{:<38} {:>8.3} M samples/s", "physics alone", physics_only() / 1e6);
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); CONFIGS.len()];
    for seed in 0..REPS {
        for (c, r) in CONFIGS.iter().zip(rates.iter_mut()) {
            r.extend(once(c, seed));
        }
    }
    for (c, r) in CONFIGS.iter().zip(&rates) {
        // Sorted copies: `rates` keeps the run order for the pairing below.
        let mut r = r.clone();
        if r.is_empty() {
            println!("{:<38} unavailable", c.name);
            continue;
        }
        r.sort_by(f64::total_cmp);
        let median = r[r.len() / 2];
        println!(
            "{:<38} {:>8.3} M samples/s  ({:.3}x real time)",
            c.name,
            median / 1e6,
            median / 6e6
        );
    }
    // The cost of the Verilated front end, pair by pair: each pair ran back to back, so a change
    // of the machine's load between repetitions cancels out.
    if rates[1].len() == rates[2].len() && !rates[1].is_empty() {
        let mut ratio: Vec<f64> =
            rates[2].iter().zip(&rates[1]).map(|(with, without)| with / without).collect();
        ratio.sort_by(f64::total_cmp);
        println!("Verilated front end / front-end model beside the Verilated core: {:.3} (median of {} back-to-back pairs)", ratio[ratio.len() / 2], ratio.len());
    }
}

fn physics_only() -> f64 {
    let p = speckle_sim::physics::PhysicsParams::nominal(6e6);
    let mut s = speckle_sim::physics::Source::new(p, 1);
    let t = Instant::now();
    let mut ones = 0u64;
    for _ in 0..2_000_000 {
        ones += s.step(true) as u64;
    }
    std::hint::black_box(ones);
    2e6 / t.elapsed().as_secs_f64()
}
