//! Writes the cross-check inputs into a directory: `NAME.bin` (bytes) for each deterministic
//! file and `e.txt` (10^6 ASCII digits of e). crosscheck/run-sts.sh feeds them to NIST's STS to
//! make the committed fixtures.

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: crosscheck_inputs DIR");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in common::crosscheck_inputs() {
        std::fs::write(format!("{dir}/{name}.bin"), bytes).unwrap();
    }
    let e: String = common::e_bits(1_000_000).iter().map(|&b| char::from(b'0' + b)).collect();
    std::fs::write(format!("{dir}/e.txt"), e).unwrap();
}
