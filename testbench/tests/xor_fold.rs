//! `speckle_xor_fold` under Verilator against `speckle_model::xor_fold`: 10^6 clocks per profile
//! of random input bits with random `in_valid` and `out_ready` (including long stalls); the stream
//! of bits accepted at the output must equal the model's fold of the bits accepted at the input.

mod datapath;

use datapath::{drive_stream, DDR_PROFILES, PROFILES};
use speckle_model::params::CoreParams;
use speckle_model::xor_fold::XorFold;

#[test]
fn xor_fold_stream_matches_model() {
    for (seed, profile) in PROFILES.iter().enumerate() {
        let p = CoreParams::profile(profile).unwrap();
        let (ins, outs) = drive_stream(profile, "speckle_xor_fold", 50 + seed as u64, 1_000_000);
        let want = XorFold::run(p.fold_k, ins.iter().copied());
        assert!(ins.len() > 100_000, "{profile}: only {} inputs accepted", ins.len());
        assert!(
            want.len() - outs.len() <= 1,
            "{profile}: {} outputs, model {}",
            outs.len(),
            want.len()
        );
        assert_eq!(outs[..], want[..outs.len()], "{profile}: output stream differs from the model");
    }
}

/// The pair form in `ecp5-ddr`: pairs accepted at the input, read bit 0 then bit 1, must fold to
/// the same stream as the single-lane model over those samples.
#[test]
fn xor_fold_pair_stream_matches_model() {
    use datapath::{rng, Dut};
    use rand::RngExt;
    for profile in DDR_PROFILES {
        let p = CoreParams::profile(profile).unwrap();
        let mut dut = Dut::open(profile, "speckle_xor_fold");
        let names = ["in_pair", "in_valid", "in_ready", "out_bit", "out_valid", "out_ready"];
        let [in_pair, in_valid, in_ready, out_bit, out_valid, out_ready] =
            names.map(|n| dut.port(n));
        let mut r = rng(58);
        let (mut ins, mut outs) = (Vec::new(), Vec::new());
        let (mut pv, mut pr) = (0.5, 0.5);
        for _ in 0..300_000 {
            if r.random_bool(0.005) {
                pv = [0.05, 0.5, 0.9, 1.0][r.random_range(0..4)];
                pr = [0.0, 0.3, 0.8, 1.0][r.random_range(0..4)];
            }
            let (v, pair, rd) = (r.random_bool(pv), r.random_range(0..4u64), r.random_bool(pr));
            dut.m.set(in_valid, v as u64);
            dut.m.set(in_pair, pair);
            dut.m.set(out_ready, rd as u64);
            dut.m.eval();
            if dut.bit(out_valid) && rd {
                outs.push(dut.bit(out_bit));
            }
            if v && dut.bit(in_ready) {
                ins.extend([pair & 1 == 1, pair & 2 == 2]);
            }
            dut.tick();
        }
        let want = XorFold::run(p.fold_k, ins.iter().copied());
        assert!(ins.len() > 100_000, "only {} samples accepted", ins.len());
        assert!(want.len() - outs.len() <= 1, "{} outputs, model {}", outs.len(), want.len());
        assert_eq!(outs[..], want[..outs.len()], "output stream differs from the model");
    }
}
