//! The physics model's min-entropy per raw sample at a board's sample rate (docs/entropy.md §1–§2).
//!
//! The speckle fields drift with a fixed correlation time (`physics::TAU_C_S`), so how much one
//! raw sample tells about the next depends on the sample period: a faster sampler sees more
//! correlated samples. Two figures per rate, both computed from [`PhysicsParams::nominal`]:
//!
//! - `h_iid`: −log2 max(P(1), P(0)) with P(1) = P(gamma(N) > N), the min-entropy of a sample on
//!   its own, what the claim would be worth if samples were independent;
//! - `h_given_fields`: the average conditional min-entropy of a sample given the emitters' complete
//!   fields one sample period earlier, −log2 E[max(p, 1 − p)], p = P(RD = 1 | fields). The fields
//!   are a Markov process and hold everything the past says about the next sample, so no
//!   predictor, whatever part of the past it sees (the earlier bits included), guesses a sample
//!   better on average: this is the lower bound the claim must stay under at each rate.
//!
//! - `h_run`: −log2 of the larger of P(0 | 8 zeros before) and P(1 | 8 ones before), counted on
//!   a simulated stream. A constant run is the most probable sequence of a positively correlated
//!   source, so this is the rate at which the most probable long sequence loses probability: the
//!   figure SP 800-90B's min-entropy (of the whole sequence) tends to, and lower than the average
//!   `h_given_fields` once neighbours correlate.
//!
//! The first two neglect the receiver noise (0.4 µA rms against 45 µA per unit of speckle intensity), which
//! only blurs the comparator's threshold and so can only add entropy.

use crate::physics::{PhysicsParams, Source};
use crate::scenario::{Scenario, Timing};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use speckle_model::params::CoreParams;

/// The ULX3S's core clock: it runs the ecp5 profile at 24 MHz (issue #18).
pub const ULX3S_CLOCK_HZ: u64 = 24_000_000;

/// The boards, the profile each runs and its core's parameters (a board is its profile at its own
/// core clock, the baud divided down with it).
pub fn boards() -> [(&'static str, &'static str, CoreParams); 3] {
    let ecp5 = CoreParams::ecp5();
    let ulx3s = CoreParams {
        clock_hz: ULX3S_CLOCK_HZ,
        baud: ecp5.baud * ULX3S_CLOCK_HZ / ecp5.clock_hz,
        ..ecp5
    };
    [
        ("iCEBreaker, HX8K breakout", "ice40", CoreParams::ice40()),
        ("ULX3S", "ecp5", ulx3s),
        ("ECP5-EVN", "ecp5", ecp5),
    ]
}

/// The model's figures at one sample rate.
#[derive(Clone, Copy, Debug)]
pub struct ModelEntropy {
    pub sample_rate_hz: f64,
    /// Correlation time in sample periods.
    pub tau_c_samples: f64,
    /// Intensity correlation of consecutive samples, exp(−2 dt / τ_c) (Siegert).
    pub intensity_corr: f64,
    pub p_one: f64,
    pub h_iid: f64,
    pub h_given_fields: f64,
    pub h_run: f64,
}

/// Preceding equal samples that make a run in [`ModelEntropy::h_run`].
pub const RUN: usize = 8;

/// −log2 max over b of P(b | the `RUN` samples before were all b), counted on `raw`.
pub fn h_run(raw: &[u8]) -> f64 {
    let mut count = [[0u64; 2]; 2];
    for w in raw.windows(RUN + 1) {
        let b = w[0];
        if w[..RUN].iter().all(|&x| x == b) {
            count[b as usize][(w[RUN] == b) as usize] += 1;
        }
    }
    let p = |c: [u64; 2]| c[1] as f64 / (c[0] + c[1]).max(1) as f64;
    -p(count[0]).max(p(count[1])).log2()
}

/// P(Poisson(m) ≤ k).
fn poisson_cdf(m: f64, k: u64) -> f64 {
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..=k {
        term *= m / i as f64;
        sum += term;
    }
    sum
}

/// P(Σ_{k<n} |z_k|² > t) for independent z_k ~ CN(μ_k, s²) with Σ|μ_k|² = `mu2`: a scaled
/// non-central χ² with 2n degrees of freedom, whose tail is the Poisson mixture
/// Σ_j Pois(j; mu2/s²) · P(Pois(t/s²) ≤ n + j − 1).
pub fn speckle_tail(n: u64, mu2: f64, s2: f64, t: f64) -> f64 {
    let (a, b) = (mu2 / s2, t / s2);
    let jmax = (a + 12.0 * a.sqrt() + 30.0) as u64;
    let mut w = (-a).exp();
    let mut sum = 0.0;
    for j in 0..=jmax {
        if j > 0 {
            w *= a / j as f64;
        }
        sum += w * poisson_cdf(b, n + j - 1);
    }
    sum.min(1.0)
}

/// The nominal model's min-entropy per raw sample at `sample_rate_hz`; `h_given_fields` averaged
/// over `draws` states drawn from the fields' stationary distribution, `h_run` counted on
/// `run_samples` samples of `optimal`.
pub fn model_entropy(
    sample_rate_hz: f64,
    draws: usize,
    run_samples: usize,
    seed: u64,
) -> ModelEntropy {
    let p = PhysicsParams::nominal(sample_rate_hz);
    let n = p.n_emitters as u64;
    let x = (-1.0 / (sample_rate_hz * p.tau_c_s)).exp();
    let rho2 = x * x;
    // The AC coupling slices at the mean intensity, n in units of one emitter's mean.
    let threshold = n as f64;
    let p_one = speckle_tail(n, 0.0, 1.0, threshold);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let guess: f64 = (0..draws)
        .map(|_| {
            // Σ|E_k|² of n stationary fields, each CN(0, 1).
            let intensity: f64 = (0..2 * n)
                .map(|_| {
                    let g: f64 = rng.sample(StandardNormal);
                    g * g / 2.0
                })
                .sum();
            let p1 = speckle_tail(n, rho2 * intensity, 1.0 - rho2, threshold);
            p1.max(1.0 - p1)
        })
        .sum::<f64>()
        / draws as f64;
    ModelEntropy {
        sample_rate_hz,
        tau_c_samples: p.tau_c_s * sample_rate_hz,
        intensity_corr: rho2,
        p_one,
        h_iid: -p_one.max(1.0 - p_one).log2(),
        h_given_fields: -guess.log2(),
        h_run: h_run(&raw_samples(Scenario::Optimal, sample_rate_hz, seed, run_samples)),
    }
}

/// `n` raw RD samples of `scenario` (its fault from power-on) at `sample_rate_hz`, one byte each
/// as `speckle capture --raw` writes them: the simulated board's source without the UART, so that
/// a rate the pty board does not run (its profile is ice40) can be captured and assessed too.
pub fn raw_samples(scenario: Scenario, sample_rate_hz: f64, seed: u64, n: usize) -> Vec<u8> {
    let base = PhysicsParams::nominal(sample_rate_hz);
    let timing = Timing { onset: 0, ..Timing::default() };
    let mut src = Source::new(base.clone(), seed);
    (0..n as u64)
        .map(|t| {
            src.p = scenario.physics_at_timing(&base, t, &timing);
            src.step(true) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_matches_the_gamma_tail_and_a_monte_carlo_of_the_shifted_fields() {
        // Zero mean: P(gamma(4) > 4) = e^-4 (1 + 4 + 8 + 32/3).
        let exact = (-4f64).exp() * (1.0 + 4.0 + 8.0 + 32.0 / 3.0);
        assert!((speckle_tail(4, 0.0, 1.0, 4.0) - exact).abs() < 1e-12);
        // Fields with means (1.2, 0), (0, 0.5), (0.3, 0.3), (0, 0) and variance 0.4 each.
        let mu = [(1.2, 0.0), (0.0, 0.5), (0.3, 0.3), (0.0, 0.0)];
        let mu2: f64 = mu.iter().map(|(a, b)| a * a + b * b).sum();
        let s = (0.4f64 / 2.0).sqrt();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let trials = 400_000;
        let hits = (0..trials)
            .filter(|_| {
                let i: f64 = mu
                    .iter()
                    .map(|&(a, b)| {
                        let (x, y): (f64, f64) =
                            (rng.sample(StandardNormal), rng.sample(StandardNormal));
                        (a + s * x).powi(2) + (b + s * y).powi(2)
                    })
                    .sum();
                i > 2.5
            })
            .count();
        let mc = hits as f64 / trials as f64;
        let tail = speckle_tail(4, mu2, 0.4, 2.5);
        assert!((mc - tail).abs() < 0.004, "Monte Carlo {mc}, series {tail}");
    }

    #[test]
    fn a_faster_sampler_sees_more_correlated_samples() {
        let slow = model_entropy(4.8e6, 20_000, 1_000_000, 1);
        let fast = model_entropy(48e6, 20_000, 1_000_000, 1);
        assert!((slow.h_iid - fast.h_iid).abs() < 1e-12, "P(1) does not depend on the rate");
        assert!(fast.intensity_corr > slow.intensity_corr);
        assert!(fast.h_given_fields < slow.h_given_fields - 0.05, "{fast:?} vs {slow:?}");
        assert!(slow.h_given_fields < slow.h_iid + 1e-9);
        assert!(fast.h_run < fast.h_given_fields, "{fast:?}");
        assert!((slow.h_run - slow.h_iid).abs() < 0.03, "{slow:?}");
    }
}
