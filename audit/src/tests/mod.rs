//! The battery: SP 800-22's fifteen tests with their default parameters, and two of
//! paranoid_crypto's bit-stream tests that SP 800-22 lacks. One file per test; each takes one
//! sequence of bits (0/1 bytes) and returns its p-values or why it does not apply.

pub mod approximate_entropy;
pub mod block_frequency;
pub mod cusum;
pub mod dft;
pub mod frequency;
pub mod gf2;
pub mod large_rank;
pub mod lc_scatter;
pub mod linear_complexity;
pub mod longest_run;
pub mod non_overlapping;
pub mod overlapping;
pub mod random_excursions;
pub mod random_excursions_variant;
pub mod rank;
pub mod runs;
pub mod serial;
#[cfg(test)]
pub mod spec_examples;
pub mod universal;

/// One test of the battery. `labels(n)` names its p-values for sequences of n bits (one row of
/// the report each); `run` gives them in that order, or the reason the test does not apply.
pub struct Test {
    pub name: &'static str,
    pub source: Source,
    pub labels: fn(usize) -> Vec<String>,
    pub run: fn(&[u8]) -> Result<Vec<f64>, String>,
}

/// Where a test is defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Source {
    Sp800_22,
    ParanoidCrypto,
}

fn one(_: usize) -> Vec<String> {
    vec![String::new()]
}

/// The battery, in STS's report order, then the extra tests.
pub const BATTERY: &[Test] = &[
    Test {
        name: "Frequency",
        source: Source::Sp800_22,
        labels: one,
        run: |b| Ok(vec![frequency::test(b)]),
    },
    Test {
        name: "BlockFrequency",
        source: Source::Sp800_22,
        labels: one,
        run: |b| Ok(vec![block_frequency::test(b, block_frequency::DEFAULT_M)]),
    },
    Test {
        name: "CumulativeSums",
        source: Source::Sp800_22,
        labels: |_| vec!["forward".into(), "backward".into()],
        run: |b| Ok(cusum::test(b).to_vec()),
    },
    Test { name: "Runs", source: Source::Sp800_22, labels: one, run: |b| Ok(vec![runs::test(b)]) },
    Test {
        name: "LongestRun",
        source: Source::Sp800_22,
        labels: one,
        run: |b| longest_run::test(b).map(|p| vec![p]),
    },
    Test {
        name: "Rank",
        source: Source::Sp800_22,
        labels: one,
        run: |b| rank::test_default(b).map(|p| vec![p]),
    },
    Test { name: "FFT", source: Source::Sp800_22, labels: one, run: |b| Ok(vec![dft::test(b)]) },
    Test {
        name: "NonOverlappingTemplate",
        source: Source::Sp800_22,
        labels: |_| {
            non_overlapping::aperiodic_templates(non_overlapping::M)
                .iter()
                .map(|t| t.iter().map(|b| char::from(b'0' + b)).collect())
                .collect()
        },
        run: non_overlapping::test,
    },
    Test {
        name: "OverlappingTemplate",
        source: Source::Sp800_22,
        labels: one,
        run: |b| overlapping::test(b).map(|p| vec![p]),
    },
    Test {
        name: "Universal",
        source: Source::Sp800_22,
        labels: one,
        run: |b| universal::test(b).map(|p| vec![p]),
    },
    Test {
        name: "ApproximateEntropy",
        source: Source::Sp800_22,
        labels: one,
        run: |b| approximate_entropy::test(b).map(|p| vec![p]),
    },
    Test {
        name: "RandomExcursions",
        source: Source::Sp800_22,
        labels: |_| random_excursions::STATES.iter().map(|x| format!("x={x:+}")).collect(),
        run: |b| random_excursions::test(b).map(|p| p.to_vec()),
    },
    Test {
        name: "RandomExcursionsVariant",
        source: Source::Sp800_22,
        labels: |_| random_excursions_variant::STATES.iter().map(|x| format!("x={x:+}")).collect(),
        run: |b| random_excursions_variant::test(b).map(|p| p.to_vec()),
    },
    Test {
        name: "Serial",
        source: Source::Sp800_22,
        labels: |_| vec!["del1".into(), "del2".into()],
        run: |b| serial::test(b).map(|p| p.to_vec()),
    },
    Test {
        name: "LinearComplexity",
        source: Source::Sp800_22,
        labels: one,
        run: |b| linear_complexity::test(b).map(|p| vec![p]),
    },
    Test {
        name: "LargeMatrixRank",
        source: Source::ParanoidCrypto,
        labels: |n| {
            let mut v = Vec::new();
            let mut s = large_rank::MIN_SIZE;
            while s * s <= n {
                v.push(format!("{s}x{s}"));
                s *= 2;
            }
            v
        },
        run: |b| large_rank::test(b).map(|v| v.into_iter().map(|(_, p)| p).collect()),
    },
    Test {
        name: "LinearComplexityScatter",
        source: Source::ParanoidCrypto,
        labels: |_| lc_scatter::STEPS.iter().map(|s| format!("step={s}")).collect(),
        run: lc_scatter::test,
    },
];
