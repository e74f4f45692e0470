//! Prints, for every scenario, how many samples after the onset the core's `alarm` output and the
//! front end's TX_DISABLE rose and which alarms were latched at the deadline, on the Verilated
//! front end and core (when built) and on the Rust models: the measured table of
//! docs/simulation.md.
//! `cargo run -p speckle-sim --example scenario_report [SEED]`

use speckle_sim::bench::{measure, Measured};
use speckle_sim::{board_params, open_fpga, CoreChoice, SCENARIOS};

fn main() {
    let seed: u64 =
        std::env::args().nth(1).map(|s| s.parse().expect("SEED must be an integer")).unwrap_or(1);
    let params = board_params(1_000_000).unwrap();
    let run = |choice, sc| -> Option<Measured> {
        Some(measure(sc, seed, open_fpga(choice, "ice40", &params).ok()?).unwrap())
    };
    let after = |m: &Option<Measured>, f: fn(&Measured) -> Option<u64>| match m {
        None => "n/a".to_string(),
        Some(m) => f(m).map_or("never".to_string(), |r| r.to_string()),
    };
    let rose = |m: &Option<Measured>| after(m, |m| m.rose_after);
    let tx_off = |m: &Option<Measured>| after(m, |m| m.tx_disable_after);
    println!("| scenario | alarm rose after (samples), RTL / models | TX_DISABLE rose after, RTL / models | latched at the deadline (RTL / models) |");
    println!("|---|---|---|---|");
    for sc in SCENARIOS {
        let (r, m) = (run(CoreChoice::Rtl, sc), run(CoreChoice::Model, sc));
        let names = |m: &Option<Measured>| match m {
            None => "n/a".to_string(),
            Some(m) if !m.alarms.any() => "none".to_string(),
            Some(m) => m.alarms.names().join(" + "),
        };
        let latched = if names(&r) == names(&m) {
            names(&m)
        } else {
            format!("{} / {}", names(&r), names(&m))
        };
        println!(
            "| {} | {} / {} | {} / {} | {} |",
            sc.name(),
            rose(&r),
            rose(&m),
            tx_off(&r),
            tx_off(&m),
            latched
        );
    }
}
