//! The claim per raw sample (`h_claim`) at every board's sample rate (docs/entropy.md §2–§3): the
//! physics model's bound, the SP 800-90B assessment of a capture, and the health tests on the
//! healthy source. The speckle correlation time is fixed in seconds, so these are the checks that
//! fail when a profile samples faster than the modelled source can supply.

use speckle_assess::{assess, Dataset};
use speckle_sim::entropy::{boards, model_entropy, raw_samples};
use speckle_sim::{open_fpga, Bench, CoreChoice, Scenario};

#[test]
fn the_model_bound_is_above_the_claim_at_every_board_rate() {
    for (board, _, p) in boards() {
        let m = model_entropy(p.sample_rate_hz(), 20_000, 1_000_000, 1);
        assert!(
            m.h_given_fields.min(m.h_run) >= p.h_claim,
            "{board}: the model gives {:.3} bit per sample at {} MS/s, below the claim {}",
            m.h_given_fields.min(m.h_run),
            p.sample_rate_hz() / 1e6,
            p.h_claim
        );
    }
}

/// 100 000 samples of `optimal` at each board's rate; SP 800-90B's estimators, with their
/// confidence bounds at this length, must all stay at or above the claim.
#[test]
fn an_assessed_capture_meets_the_claim_at_every_board_rate() {
    for (board, _, p) in boards() {
        let rate = p.sample_rate_hz();
        let raw = raw_samples(Scenario::Optimal, rate, 1, 100_000);
        let a = assess(&Dataset::new(&raw, 1).unwrap(), false);
        let least = a
            .estimators
            .iter()
            .filter_map(|e| e.h_original.map(|h| (h, e.name)))
            .fold((f64::INFINITY, ""), |m, x| if x.0 < m.0 { x } else { m });
        assert!(
            a.h_assessed >= p.h_claim,
            "{board} at {} MS/s: assessed {:.3} bit per sample ({}), below the claim {}",
            rate / 1e6,
            a.h_assessed,
            least.1,
            p.h_claim
        );
    }
}

/// The healthy source must not trip the health tests, whose cutoffs assume the claim: a source
/// sampled faster than its speckle decorrelates makes too few transitions for the Markov test.
#[test]
fn the_healthy_source_raises_no_alarm_at_any_board_rate() {
    for (board, profile, p) in boards() {
        let fpga = open_fpga(CoreChoice::Model, profile, &p).unwrap();
        let mut b = Bench::new(Scenario::Optimal, 5, fpga.core, fpga.front);
        for _ in 0..2_000_000 {
            b.step();
            if b.t.is_multiple_of(4096) {
                b.core.take_tx();
            }
            assert!(
                !b.core.alarm(),
                "{board} at {} MS/s: the healthy source raised an alarm after {} samples",
                p.sample_rate_hz() / 1e6,
                b.t
            );
        }
    }
}
