//! The word-parallel health tests give the same failure counts as the per-sample block models.

use proptest::prelude::*;
use speckle::wordhealth::{Failures, WordHealth};
use speckle_model::adaptp_ht::AdaptProp;
use speckle_model::markov_ht::Markov;
use speckle_model::params::cutoffs;
use speckle_model::repcnt_ht::RepCount;

fn models(words: &[u64], w: u32, c: (u32, u32, u32, u32)) -> Failures {
    let (mut r, mut a, mut m) =
        (RepCount::new(c.0), AdaptProp::new(w, c.1), Markov::new(w, c.2, c.3));
    let mut f = Failures::default();
    for x in words {
        for i in 0..64 {
            let s = (x >> i) & 1 == 1;
            f.rct += r.sample(s).fail as u64;
            f.apt += a.sample(s).fail as u64;
            f.markov += m.sample(s).fail as u64;
        }
    }
    f
}

/// Words from segments: random, constant (long runs), biased, alternating (Markov high).
fn stream() -> impl Strategy<Value = Vec<u64>> {
    let seg = prop_oneof![
        proptest::collection::vec(any::<u64>(), 1..40),
        (any::<bool>(), 1usize..4).prop_map(|(b, n)| vec![if b { u64::MAX } else { 0 }; n]),
        proptest::collection::vec((any::<u64>(), any::<u64>()), 1..40)
            .prop_map(|v| v.into_iter().map(|(a, b)| a | b).collect()),
        (1usize..40).prop_map(|n| vec![0xAAAA_AAAA_AAAA_AAAA; n]),
        (0u32..64, any::<bool>()).prop_map(|(k, b)| vec![if b {
            !0u64 << k
        } else {
            (1u64 << k) - 1
        }]),
    ];
    proptest::collection::vec(seg, 1..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn word_health_equals_the_models(words in stream(), small in any::<bool>()) {
        // Production cutoffs, and a small window with a short RCT cutoff so every path is hit.
        let (w, c) = if small {
            (128, (9, 100, 40, 90))
        } else {
            let c = cutoffs(0.5, 30, 1024);
            (1024, (c.rct, c.apt, c.markov_lo, c.markov_hi))
        };
        let mut fast = WordHealth::new(w, c.0, c.1, c.2, c.3);
        // Arbitrary chunking must not matter.
        for chunk in words.chunks(7) {
            fast.push(chunk);
        }
        prop_assert_eq!(fast.failures, models(&words, w, c));
    }
}
