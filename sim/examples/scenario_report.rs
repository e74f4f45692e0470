//! Prints, for every scenario, how many samples after the onset the core's `alarm` output rose and
//! which alarms were latched at the deadline: the measured columns of docs/simulation.md.
//! `cargo run -p speckle-sim --example scenario_report [SEED]`

use speckle_sim::bench::measure;
use speckle_sim::{board_params, open_core, CoreChoice, SCENARIOS};

fn main() {
    let seed: u64 = std::env::args().nth(1).map(|s| s.parse().expect("SEED must be an integer")).unwrap_or(1);
    let params = board_params(1_000_000).unwrap();
    println!("| scenario | required | within (samples) | alarm rose after (samples) | latched at deadline | core |");
    println!("|---|---|---|---|---|---|");
    for sc in SCENARIOS {
        let (core, _) = open_core(CoreChoice::Auto, "ice40", &params).unwrap();
        let kind = core.kind();
        let (detect, within) = sc.expect(&speckle_sim::physics::PhysicsParams::nominal(6e6));
        let m = measure(sc, seed, core).unwrap();
        let rose = m.rose_after.map_or("never".to_string(), |r| r.to_string());
        let names = m.alarms.names().join("+");
        let alarms = if names.is_empty() { "none".to_string() } else { names };
        println!("| {} | {} | {} | {} | {} | {} |", sc.name(), detect, within, rose, alarms, kind);
    }
}
