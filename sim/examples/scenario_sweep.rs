//! Every scenario's detection table (sim/tests/common::check) over many seeds: ~5 min, so it is an
//! example rather than a test (`make test` skips nothing, and one seed per scenario already runs in
//! sim/tests/scenarios.rs). `cargo run --release -p speckle-sim --example scenario_sweep [SCENARIO]
//! [--seeds N]`; exits non-zero on the first scenario whose table does not hold.

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seeds = 50u64;
    let mut only = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seeds" => {
                seeds = it.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| {
                    eprintln!("scenario_sweep: --seeds needs a number");
                    std::process::exit(2)
                })
            }
            name => only = Some(name.to_string()),
        }
    }
    let scenarios: Vec<_> = speckle_sim::SCENARIOS
        .into_iter()
        .filter(|s| only.as_deref().is_none_or(|o| o == s.name()))
        .collect();
    if scenarios.is_empty() {
        let names: Vec<_> = speckle_sim::SCENARIOS.iter().map(|s| s.name()).collect();
        eprintln!("scenario_sweep: unknown scenario {:?}; known: {}", only, names.join(", "));
        std::process::exit(2);
    }
    for sc in scenarios {
        for seed in 100..100 + seeds {
            common::check(sc, seed);
        }
        println!("{}: table holds for {seeds} seeds", sc.name());
    }
}
