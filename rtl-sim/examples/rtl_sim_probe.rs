//! Prints whether this build of rtl-sim has Verilated models, and proves it by clocking the
//! fixture accumulator: rtl-sim's rebuild test (tests/verilator_stamp.rs) runs it in a scratch
//! target dir before and after Verilator becomes reachable.

use rtl_sim::Model;

fn main() {
    if !rtl_sim::available() {
        println!("unavailable: {}", rtl_sim::unavailable_reason().unwrap_or(""));
        return;
    }
    let mut m = Model::new("fixture", "fixture_acc").expect("fixture model");
    let [clock, reset, enable, count] =
        ["clock", "reset", "enable", "count"].map(|n| m.port(n).unwrap());
    m.set(reset, 1);
    m.tick(clock);
    m.set(reset, 0);
    m.set(enable, 1);
    for _ in 0..5 {
        m.tick(clock);
    }
    println!(
        "verilated: count={} stamp={}",
        m.get(count),
        rtl_sim::verilator_stamp().replace('\n', " | ")
    );
}
