//! `speckle_holdback` under Verilator against `speckle_model::holdback`, clock by clock, 10^6
//! clocks per profile: random `in_valid` and `out_ready` with phases of long consumer stalls (so the
//! buffer fills and drops) and of full-rate draining, and occasional `flush`. Checked every clock:
//! `out_valid`, `out_bit` when valid, and the `dropped` strobe. A separate test pins the release
//! rule: the first sample leaves exactly when 2W + 16 newer ones are in. The pair form (profile
//! ecp5-ddr, `out_pair` for `out_bit`, depth and capacity in pairs) gets both tests too.

mod datapath;

use datapath::{rng, Dut, DDR_PROFILES, PROFILES};
use rand::RngExt;
use speckle_model::holdback::{Holdback, HoldbackOf};
use speckle_model::params::CoreParams;

/// Four times the smallest power of two above `depth` (hdl-gen's `holdback::address_bits`).
fn capacity(depth: u32) -> usize {
    4 << (32 - depth.leading_zeros())
}

#[test]
fn holdback_matches_model_clock_by_clock() {
    for (seed, profile) in PROFILES.iter().enumerate() {
        let p = CoreParams::profile(profile).unwrap();
        let mut dut = Dut::open(profile, "speckle_holdback");
        let names = ["in_bit", "in_valid", "flush", "out_bit", "out_valid", "out_ready", "dropped"];
        let [in_bit, in_valid, flush, out_bit, out_valid, out_ready, dropped] =
            names.map(|n| dut.port(n));
        let mut model = Holdback::new(p.holdback() as usize, capacity(p.holdback()));
        let mut r = rng(60 + seed as u64);
        let (mut pv, mut pr) = (0.25, 1.0);
        let (mut drops, mut outs, mut flushes) = (0u64, 0u64, 0u64);
        for t in 0..1_000_000u64 {
            if r.random_bool(2e-5) {
                pv = [0.25, 0.5, 1.0][r.random_range(0..3)];
                pr = [0.0, 0.1, 0.9, 1.0][r.random_range(0..4)];
            }
            let v = r.random_bool(pv);
            let b = r.random_bool(0.5);
            let rd = r.random_bool(pr);
            let fl = r.random_bool(3e-5);
            for (p, x) in [(in_valid, v), (in_bit, b), (out_ready, rd), (flush, fl)] {
                dut.m.set(p, x as u64);
            }
            dut.m.eval();
            assert_eq!(dut.bit(out_valid), model.out_valid(), "{profile}: out_valid at clock {t}");
            if let Some(want) = model.out_bit() {
                assert_eq!(dut.bit(out_bit), want, "{profile}: out_bit at clock {t}");
            }
            let step = model.clock(v.then_some(b), rd, fl);
            dut.tick();
            assert_eq!(dut.bit(dropped), step.dropped, "{profile}: dropped at clock {t}");
            drops += step.dropped as u64;
            outs += step.out.is_some() as u64;
            flushes += fl as u64;
        }
        assert!(
            drops > 1000 && outs > 100_000 && flushes > 5,
            "{profile}: {drops} drops, {outs} outputs, {flushes} flushes"
        );
    }
}

#[test]
fn first_sample_leaves_after_depth_newer_samples() {
    let p = CoreParams::ice40();
    let mut dut = Dut::open("ice40", "speckle_holdback");
    let (in_valid, out_valid, out_ready) =
        (dut.port("in_valid"), dut.port("out_valid"), dut.port("out_ready"));
    dut.m.set(out_ready, 0);
    dut.m.set(in_valid, 1);
    let mut pushed = 0;
    loop {
        dut.m.eval();
        if dut.bit(out_valid) {
            break;
        }
        dut.tick();
        pushed += 1;
        assert!(pushed < 10_000, "holdback never released");
    }
    assert_eq!(
        pushed,
        p.holdback() + 1,
        "release when the oldest has 2W + 16 newer samples behind it"
    );
}

/// Pairs the pair form holds back: every sample waits for at least 2W + 16 newer ones.
fn pair_depth(p: &CoreParams) -> u32 {
    p.holdback().div_ceil(2)
}

#[test]
fn holdback_pair_matches_model_clock_by_clock() {
    for profile in DDR_PROFILES {
        let p = CoreParams::profile(profile).unwrap();
        let depth = pair_depth(&p);
        let mut dut = Dut::open(profile, "speckle_holdback");
        let names =
            ["in_pair", "in_valid", "flush", "out_pair", "out_valid", "out_ready", "dropped"];
        let [in_pair, in_valid, flush, out_pair, out_valid, out_ready, dropped] =
            names.map(|n| dut.port(n));
        let mut model = HoldbackOf::<[bool; 2]>::new(depth as usize, capacity(depth));
        let mut r = rng(65);
        let (mut pv, mut pr) = (1.0, 1.0);
        let (mut drops, mut outs, mut flushes, mut full_clocks) = (0u64, 0u64, 0u64, 0u64);
        for t in 0..1_000_000u64 {
            // Phases of ~20k clocks; a stalled consumer fills the 8192 pairs and drops.
            if r.random_bool(5e-5) {
                pv = [0.25, 0.5, 1.0, 1.0][r.random_range(0..4)];
                pr = [0.0, 0.1, 0.9, 1.0][r.random_range(0..4)];
            }
            let v = r.random_bool(pv);
            let pair = [r.random_bool(0.5), r.random_bool(0.5)];
            let rd = r.random_bool(pr);
            let fl = r.random_bool(3e-5);
            let word = pair[0] as u64 | (pair[1] as u64) << 1;
            for (p, x) in
                [(in_valid, v as u64), (in_pair, word), (out_ready, rd as u64), (flush, fl as u64)]
            {
                dut.m.set(p, x);
            }
            dut.m.eval();
            assert_eq!(dut.bit(out_valid), model.out_valid(), "out_valid at clock {t}");
            if let Some(want) = model.out_item() {
                let want = want[0] as u64 | (want[1] as u64) << 1;
                assert_eq!(dut.m.get(out_pair), want, "out_pair at clock {t}");
            }
            full_clocks += (model.len() == capacity(depth)) as u64;
            let step = model.clock(v.then_some(pair), rd, fl);
            dut.tick();
            assert_eq!(dut.bit(dropped), step.dropped, "dropped at clock {t}");
            drops += step.dropped as u64;
            outs += step.out.is_some() as u64;
            flushes += fl as u64;
        }
        assert!(
            drops > 1000 && outs > 100_000 && flushes > 5 && full_clocks > 1000,
            "{drops} drops, {outs} outputs, {flushes} flushes, {full_clocks} clocks full"
        );
    }
}

/// The oldest pair leaves with ceil((2W + 16) / 2) newer pairs behind it: its later sample has at
/// least 2W + 16 newer samples, tested, behind it.
#[test]
fn first_pair_leaves_after_depth_newer_pairs() {
    let profile = "ecp5-ddr";
    let p = CoreParams::profile(profile).unwrap();
    let mut dut = Dut::open(profile, "speckle_holdback");
    let (in_valid, out_valid, out_ready) =
        (dut.port("in_valid"), dut.port("out_valid"), dut.port("out_ready"));
    dut.m.set(out_ready, 0);
    dut.m.set(in_valid, 1);
    let mut pushed = 0;
    loop {
        dut.m.eval();
        if dut.bit(out_valid) {
            break;
        }
        dut.tick();
        pushed += 1;
        assert!(pushed < 10_000, "holdback never released");
    }
    assert_eq!(
        pushed,
        pair_depth(&p) + 1,
        "release when the oldest pair has D/2 newer pairs behind it"
    );
}
