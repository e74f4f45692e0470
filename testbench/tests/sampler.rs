//! `speckle_sampler` under Verilator against `speckle_model::sampler`, clock by clock: random RD
//! every clock and occasional resets, 10^6 clocks per profile. The model fixes which clock's RD
//! becomes each sample, so this checks the synchroniser depth and the sampling phase, not just the
//! sample values.

mod datapath;

use datapath::{rng, Dut, DDR_PROFILES, PROFILES};
use rand::RngExt;
use speckle_model::params::CoreParams;
use speckle_model::sampler::Sampler;

#[test]
fn sampler_matches_model_clock_by_clock() {
    for (seed, profile) in PROFILES.iter().enumerate() {
        let p = CoreParams::profile(profile).unwrap();
        let mut dut = Dut::open(profile, "speckle_sampler");
        let (rd, reset, sample, valid) =
            (dut.port("rd"), dut.port("reset"), dut.port("sample"), dut.port("sample_valid"));
        let mut model = Sampler::new(p.oversample);
        model.clock(false, true);
        let mut r = rng(seed as u64);
        let mut samples = 0u64;
        for t in 0..1_000_000u64 {
            let b = r.random_bool(0.5);
            let rst = r.random_bool(1e-4);
            dut.m.set(rd, b as u64);
            dut.m.set(reset, rst as u64);
            dut.tick();
            let want = model.clock(b, rst);
            let got = (dut.bit(sample), dut.bit(valid));
            assert_eq!(got.1, want.sample_valid, "{profile}: sample_valid at clock {t}");
            if want.sample_valid {
                assert_eq!(got.0, want.sample, "{profile}: sample value at clock {t}");
                samples += 1;
            }
        }
        let expected = 1_000_000 / p.oversample as u64;
        assert!(samples + 1000 > expected && samples <= expected, "{profile}: {samples} samples");
    }
}

/// The pair form in `ecp5-ddr`: a pair every clock after reset, each lane RD delayed by the same
/// two fabric flip-flops, bit 0 (rising edge) and bit 1 (falling edge) never swapped.
#[test]
fn ddr_sampler_matches_model_clock_by_clock() {
    use speckle_model::sampler::SamplerDdr;
    for profile in DDR_PROFILES {
        assert!(CoreParams::profile(profile).unwrap().ddr);
        let mut dut = Dut::open(profile, "speckle_sampler");
        let (rd, reset, sample, valid) =
            (dut.port("rd_pair"), dut.port("reset"), dut.port("sample"), dut.port("sample_valid"));
        let mut model = SamplerDdr::default();
        model.clock(0, true);
        let mut r = rng(77);
        let (mut pairs, mut resets, mut lanes_differ) = (0u64, 0u32, 0u64);
        for t in 0..200_000u64 {
            let b: u8 = r.random_range(0..4);
            let rst = r.random_bool(1e-3);
            resets += rst as u32;
            dut.m.set(rd, b as u64);
            dut.m.set(reset, rst as u64);
            dut.tick();
            let (want, want_valid) = model.clock(b, rst);
            assert_eq!(dut.bit(valid), want_valid, "sample_valid at clock {t}");
            if want_valid {
                assert_eq!(dut.m.get(sample), want as u64, "sample pair at clock {t}");
                pairs += 1;
                lanes_differ += (want == 1 || want == 2) as u64;
            }
        }
        assert!(resets > 100 && pairs > 190_000 && lanes_differ > 80_000, "{pairs} pairs");
    }
}
