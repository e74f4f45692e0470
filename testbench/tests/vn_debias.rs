//! `speckle_vn_debias` under Verilator against `speckle_model::vn_debias`: 10^6 clocks per profile
//! of random input bits with random `in_valid` and `out_ready` (including long stalls); the stream
//! of bits accepted at the output must equal the model's output for the bits accepted at the input.

mod datapath;

use datapath::{drive_stream, PROFILES};
use speckle_model::params::CoreParams;
use speckle_model::vn_debias::VnDebias;

#[test]
fn vn_debias_stream_matches_model() {
    for (seed, profile) in PROFILES.iter().enumerate() {
        let p = CoreParams::profile(profile).unwrap();
        let (ins, outs) = drive_stream(profile, "speckle_vn_debias", 40 + seed as u64, 1_000_000);
        let want = VnDebias::run(!p.vn_enable, ins.iter().copied());
        assert!(ins.len() > 100_000, "{profile}: only {} inputs accepted", ins.len());
        // At most one output may still sit in the output register when the run stops.
        assert!(
            want.len() - outs.len() <= 1,
            "{profile}: {} outputs, model {}",
            outs.len(),
            want.len()
        );
        assert_eq!(outs[..], want[..outs.len()], "{profile}: output stream differs from the model");
    }
}
