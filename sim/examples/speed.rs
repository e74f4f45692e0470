//! Board simulation speed, Verilated core and CoreModel side by side in one run (median of 5):
//! `cargo run --release -p speckle-sim --example speed`. Real time is 6 M samples/s (ice40, 24 MHz).

use speckle_sim::{board_params, open_core, Bench, CoreChoice, Scenario};
use std::time::Instant;

fn rate(choice: CoreChoice, samples: u64) -> Option<f64> {
    let params = board_params(1_000_000).unwrap();
    let mut runs: Vec<f64> = (0..5)
        .map(|i| {
            let (core, _) = open_core(choice, "ice40", &params).ok()?;
            let mut b = Bench::new(Scenario::Optimal, i, core);
            let t = Instant::now();
            b.run(samples);
            Some(samples as f64 / t.elapsed().as_secs_f64())
        })
        .collect::<Option<_>>()?;
    runs.sort_by(f64::total_cmp);
    Some(runs[2])
}

fn main() {
    println!("physics    {:>8.3} M samples/s", physics_only() / 1e6);
    for (name, choice, n) in [("CoreModel", CoreChoice::Model, 2_000_000), ("Verilator", CoreChoice::Rtl, 200_000)] {
        match rate(choice, n) {
            Some(r) => println!("{name:<10} {:>8.3} M samples/s  ({:.2}x real time)", r / 1e6, r / 6e6),
            None => println!("{name:<10} unavailable"),
        }
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
