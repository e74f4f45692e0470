//! The verdicts on synthetic measurements: a missed goal, a failed end-to-end check, a core whose
//! STATUS disagrees with its sampler, and an end-to-end rate above its bound each fail, naming the
//! board; healthy figures pass.

use super::*;
use crate::blocks::Terms;
use crate::core_run::EndToEnd;
use speckle_model::params::CoreParams;

fn row(name: &str, terms: [f64; 4], end_to_end: f64, goal: f64) -> BoardRow {
    BoardRow {
        name: name.into(),
        profile: "ice40".into(),
        hz: 30_000_000,
        baud: 6_000_000,
        bridge: "FT2232H".into(),
        terms,
        end_to_end,
        goal,
    }
}

fn measured(check: Result<String, String>, status_rate: f64) -> BTreeMap<String, Measured> {
    let terms = Terms {
        samples_per_clock: 0.2,
        debias_fold_yield: 1.0,
        debias_fold_bits_per_clock: 1.0,
        digests_per_clock: 1.0 / 3232.0,
        link_bits_per_clock: 0.15,
        link_clocks_per_byte: 50.0,
    };
    let e2e = EndToEnd {
        clocks: 1,
        checks: vec![("digests bit-exact against the model chain", check)],
        bits_per_clock: 0.078,
        status_samples_per_clock: status_rate,
        frames: 2,
        status_frames: 3,
    };
    BTreeMap::from([("ice40".to_string(), Measured { p: CoreParams::ice40(), terms, e2e })])
}

#[test]
fn the_smallest_term_bounds_and_the_next_is_named_with_its_margin() {
    let r = row("icebreaker", [2.341, 11.7, 2.376, 4.6], 2.341, 2.0);
    assert_eq!(r.bound(), (2.341, "sampler"));
    let (margin, next) = r.next();
    assert_eq!(next, "conditioner");
    assert!((margin - 1.495).abs() < 0.01, "{margin}");
    assert!(r.met());
}

#[test]
fn healthy_figures_give_no_failure() {
    let rows = [row("icebreaker", [2.341, 11.7, 2.376, 4.6], 2.341, 2.0)];
    assert_eq!(failures(&rows, &measured(Ok("fine".into()), 0.2)), Vec::<String>::new());
}

#[test]
fn a_missed_goal_fails_naming_the_board() {
    // The bound misses; then the bound meets but the measured end-to-end rate misses.
    for (terms, e2e) in [([1.9, 11.7, 2.376, 4.6], 1.9), ([2.341, 11.7, 2.376, 4.6], 1.95)] {
        let rows = [row("hx8k-breakout", terms, e2e, 2.0)];
        assert!(!rows[0].met());
        let f = failures(&rows, &measured(Ok("fine".into()), 0.2));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].starts_with("hx8k-breakout: goal 2 Mbit/s missed"), "{f:?}");
    }
}

#[test]
fn a_failed_check_a_status_mismatch_and_a_rate_above_its_bound_fail() {
    let rows = [row("icebreaker", [2.341, 11.7, 2.376, 4.6], 2.40, 2.0)];
    let f = failures(&rows, &measured(Err("digest 7 differs".into()), 0.19));
    assert_eq!(f.len(), 3, "{f:?}");
    assert!(f[0].contains("icebreaker (ice40 core): end-to-end check `digests bit-exact"), "{f:?}");
    assert!(f[0].ends_with("digest 7 differs"), "{f:?}");
    assert!(f[1].contains("STATUS counts 0.190000 samples per clock"), "{f:?}");
    assert!(
        f[2].starts_with("icebreaker: end-to-end 2.400 Mbit/s exceeds the sampler bound"),
        "{f:?}"
    );
}
