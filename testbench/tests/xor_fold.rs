//! `speckle_xor_fold` under Verilator against `speckle_model::xor_fold`: 10^6 clocks per profile
//! of random input bits with random `in_valid` and `out_ready` (including long stalls); the stream
//! of bits accepted at the output must equal the model's fold of the bits accepted at the input.

mod datapath;

use datapath::{drive_stream, PROFILES};
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
