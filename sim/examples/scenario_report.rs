//! Prints, for every scenario, how many samples after the onset the core's `alarm` output rose and
//! which alarms were latched at the deadline: the measured columns of docs/simulation.md.
//! `cargo run -p speckle-sim --example scenario_report [SEED]`

use speckle_model::protocol::{Command, Decoder, Payload};
use speckle_sim::scenario::ONSET_SAMPLES;
use speckle_sim::{board_params, open_core, Bench, CoreChoice, SCENARIOS};

fn main() {
    let seed: u64 = std::env::args().nth(1).map(|s| s.parse().expect("SEED must be an integer")).unwrap_or(1);
    let params = board_params(1_000_000).unwrap();
    println!("| scenario | required | within (samples) | alarm rose after (samples) | latched at deadline | core |");
    println!("|---|---|---|---|---|---|");
    for sc in SCENARIOS {
        let (core, _) = open_core(CoreChoice::Auto, "ice40", &params).unwrap();
        let mut b = Bench::new(sc, seed, core);
        let (detect, within) = sc.expect(&b.base);
        let mut rose = None;
        while b.t < ONSET_SAMPLES + within {
            b.step();
            if rose.is_none() && b.core.alarm() {
                rose = Some(b.t as i64 - ONSET_SAMPLES as i64);
            }
        }
        b.core.take_tx();
        b.core.push_host_bytes(&Command::RequestStatus.encode(1));
        let frames = Decoder::new().feed(&b.run(20_000));
        let alarms = frames
            .iter()
            .find_map(|f| match f.payload() {
                Ok(Payload::Status(s)) => Some(s.alarms.names().join("+")),
                _ => None,
            })
            .unwrap_or_default();
        let rose = rose.map_or("never".to_string(), |r| r.to_string());
        let alarms = if alarms.is_empty() { "none".to_string() } else { alarms };
        println!("| {} | {} | {} | {} | {} | {} |", sc.name(), detect, within, rose, alarms, b.core.kind());
    }
}
