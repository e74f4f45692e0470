//! Physical model of the entropy source, from emitters to the RD pin (docs/simulation.md has the
//! equations and the reasons for each default).
//!
//! N incoherent emitters each make a fully developed speckle pattern at the fibre's output; their
//! fields drift independently, so the photodiode sees the sum of N independent exponential
//! intensities: a gamma-distributed intensity with contrast 1/sqrt(N). The photocurrent gets shot
//! and TIA thermal noise, is clipped where the TIA saturates, AC-coupled and compared against zero
//! by the limiting amplifier.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

/// Elementary charge, C.
const Q_E: f64 = 1.602_176_634e-19;

/// Nominal speckle field correlation time, s: a property of the emitters' phase drift, not of the
/// sampler, so a faster sampler sees more correlated samples. 41.7 ns is the value the model has
/// always had at the original 6 MS/s ice40 sampler (a quarter of its 166.7 ns period), kept so
/// that every figure measured before still describes the same source (docs/entropy.md §1).
pub const TAU_C_S: f64 = 0.25 / 6.0e6;

/// Periodic interference bursts added to the TIA output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Emi {
    pub period_s: f64,
    pub width_s: f64,
    pub amplitude_ua: f64,
}

/// Everything the physics depends on. Powers are at the photodiode.
#[derive(Clone, Debug, PartialEq)]
pub struct PhysicsParams {
    pub sample_rate_hz: f64,
    pub n_emitters: usize,
    /// Emitters lit (the others failed).
    pub emitters_alive: usize,
    pub power_per_emitter_mw: f64,
    /// Fibre-to-module coupling, 1 = as aligned.
    pub coupling: f64,
    /// Speckle field correlation time set by the emitters' phase drift.
    pub tau_c_s: f64,
    pub responsivity_a_per_w: f64,
    /// TIA input-referred current noise density.
    pub tia_noise_pa_rthz: f64,
    /// Receiver noise bandwidth (the module's, not the sample rate: the comparator sees it all).
    pub bandwidth_hz: f64,
    /// Photocurrent at which the TIA clips.
    pub tia_sat_ua: f64,
    /// AC coupling time constant in front of the limiting amplifier.
    pub ac_tau_s: f64,
    /// Comparator input offset; positive makes ones rarer.
    pub comparator_offset_ua: f64,
    pub ambient_mw: f64,
    /// Ambient light modulation depth (0..=1) at `flicker_hz` (twice the mains frequency).
    pub flicker_depth: f64,
    pub flicker_hz: f64,
    pub emi: Option<Emi>,
    /// RD stuck at a level (a failed limiting amplifier or a shorted pin).
    pub stuck: Option<bool>,
    /// The module forces RD low while LOS is asserted, as most SFP receivers do.
    pub squelch_on_los: bool,
    /// LOS asserts when the averaged RX power falls below this, deasserts above `los_deassert_mw`.
    pub los_assert_mw: f64,
    pub los_deassert_mw: f64,
    /// Averaging time of the module's LOS detector and of its RX power monitor.
    pub los_tau_s: f64,
    // The module's own housekeeping, reported in SFF-8472 diagnostics.
    pub temperature_c: f64,
    pub vcc_v: f64,
    pub tx_bias_ma: f64,
    pub tx_power_mw: f64,
}

impl PhysicsParams {
    /// The design point: 4 emitters, -7 dBm at the photodiode, fast phase drift ([`TAU_C_S`]),
    /// sampled at `sample_rate_hz` (a board's clock_hz / oversample).
    pub fn nominal(sample_rate_hz: f64) -> Self {
        PhysicsParams {
            sample_rate_hz,
            n_emitters: 4,
            emitters_alive: 4,
            power_per_emitter_mw: 0.05,
            coupling: 1.0,
            tau_c_s: TAU_C_S,
            responsivity_a_per_w: 0.9,
            tia_noise_pa_rthz: 10.0,
            bandwidth_hz: 1.0e9,
            tia_sat_ua: 1000.0,
            ac_tau_s: 1.0e-3,
            comparator_offset_ua: 0.0,
            ambient_mw: 0.0,
            flicker_depth: 0.0,
            flicker_hz: 100.0,
            emi: None,
            stuck: None,
            squelch_on_los: true,
            los_assert_mw: 0.001,
            los_deassert_mw: 0.0015,
            los_tau_s: 10e-6,
            temperature_c: 40.0,
            vcc_v: 3.3,
            tx_bias_ma: 6.0,
            tx_power_mw: 0.3,
        }
    }

    /// Mean optical power at the photodiode with the laser enabled, mW.
    pub fn mean_power_mw(&self) -> f64 {
        self.coupling * self.emitters_alive.min(self.n_emitters) as f64 * self.power_per_emitter_mw
            + self.ambient_mw
    }
}

/// The live state of the source; one [`Source::step`] per RD sample.
#[derive(Clone, Debug)]
pub struct Source {
    pub p: PhysicsParams,
    rng: Xoshiro256PlusPlus,
    /// Complex speckle field of each emitter, normalised so that E|field|² = 1.
    field: Vec<(f64, f64)>,
    ac_mean_ua: f64,
    power_avg_mw: f64,
    los: bool,
    /// Samples since the start.
    pub t: u64,
    /// (τ_c, ρ, innovation scale) of the OU update, recomputed only when τ_c changes.
    ou: (f64, f64, f64),
}

impl Source {
    pub fn new(p: PhysicsParams, seed: u64) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let field = (0..p.n_emitters)
            .map(|_| {
                let (a, b): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
                (a * std::f64::consts::FRAC_1_SQRT_2, b * std::f64::consts::FRAC_1_SQRT_2)
            })
            .collect();
        let mean = p.mean_power_mw();
        let ac_mean_ua = (mean * p.responsivity_a_per_w * 1e3).min(p.tia_sat_ua);
        Source {
            p,
            rng,
            field,
            ac_mean_ua,
            power_avg_mw: mean,
            los: false,
            t: 0,
            ou: (f64::NAN, 0.0, 0.0),
        }
    }

    /// LOS output of the module (after its averaging and hysteresis).
    pub fn los(&self) -> bool {
        self.los
    }
    /// RX power the module's monitor reports, mW (averaged over `los_tau_s`).
    pub fn rx_power_mw(&self) -> f64 {
        self.power_avg_mw
    }

    /// Advances one sample period; `laser_enable` gates the emitters (the interlock). Returns RD.
    pub fn step(&mut self, laser_enable: bool) -> bool {
        let p = &self.p;
        let dt = 1.0 / p.sample_rate_hz;
        let t_s = self.t as f64 * dt;
        self.t += 1;
        // Ornstein–Uhlenbeck field: keeps E|field|² = 1 and gives |g1(τ)| = exp(-τ/τc).
        if self.ou.0 != p.tau_c_s {
            let rho = (-dt / p.tau_c_s).exp();
            self.ou = (p.tau_c_s, rho, (1.0 - rho * rho).sqrt() * std::f64::consts::FRAC_1_SQRT_2);
        }
        let (_, rho, kick) = self.ou;
        let mut speckle = 0.0;
        let alive = p.emitters_alive.min(p.n_emitters);
        for (k, f) in self.field.iter_mut().enumerate() {
            let (a, b): (f64, f64) =
                (self.rng.sample(StandardNormal), self.rng.sample(StandardNormal));
            *f = (rho * f.0 + kick * a, rho * f.1 + kick * b);
            if k < alive {
                speckle += f.0 * f.0 + f.1 * f.1;
            }
        }
        let emitters_mw =
            if laser_enable { p.coupling * p.power_per_emitter_mw * speckle } else { 0.0 };
        let ambient_mw = if p.ambient_mw == 0.0 {
            0.0
        } else {
            p.ambient_mw
                * (1.0 + p.flicker_depth * (2.0 * std::f64::consts::PI * p.flicker_hz * t_s).sin())
        };
        let optical_mw = emitters_mw + ambient_mw;

        let i_ua = optical_mw * p.responsivity_a_per_w * 1e3;
        let shot_var = 2.0 * Q_E * (i_ua * 1e-6) * p.bandwidth_hz;
        let thermal = p.tia_noise_pa_rthz * 1e-12 * p.bandwidth_hz.sqrt();
        let sigma_ua = (shot_var + thermal * thermal).sqrt() * 1e6;
        let noise: f64 = self.rng.sample(StandardNormal);
        let mut tia_ua = i_ua.min(p.tia_sat_ua) + sigma_ua * noise;
        if let Some(e) = p.emi {
            if (t_s % e.period_s) < e.width_s {
                tia_ua += e.amplitude_ua;
            }
        }
        self.ac_mean_ua += (tia_ua - self.ac_mean_ua) * (dt / p.ac_tau_s).min(1.0);
        let compared = tia_ua - self.ac_mean_ua > p.comparator_offset_ua;

        self.power_avg_mw += (optical_mw - self.power_avg_mw) * (dt / p.los_tau_s).min(1.0);
        if self.los {
            self.los = self.power_avg_mw < p.los_deassert_mw;
        } else {
            self.los = self.power_avg_mw < p.los_assert_mw;
        }
        match p.stuck {
            Some(level) => level,
            None if self.los && p.squelch_on_los => false,
            None => compared,
        }
    }

    /// A uniform draw from the source's own generator, for scenario randomness that must follow
    /// the seed.
    pub fn uniform(&mut self) -> f64 {
        self.rng.random()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean and contrast (std/mean) of the summed speckle intensity.
    fn intensity_stats(n: usize, samples: usize) -> (f64, f64) {
        let mut p = PhysicsParams::nominal(6e6);
        p.n_emitters = n;
        p.emitters_alive = n;
        let mut s = Source::new(p, 9);
        let mut xs = Vec::with_capacity(samples);
        for _ in 0..samples {
            s.step(true);
            xs.push(s.field.iter().map(|f| f.0 * f.0 + f.1 * f.1).sum::<f64>());
        }
        let mean = xs.iter().sum::<f64>() / samples as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / samples as f64;
        (mean, var.sqrt() / mean)
    }

    #[test]
    fn summed_speckle_has_contrast_one_over_sqrt_n() {
        for n in [1, 4, 9] {
            let (mean, c) = intensity_stats(n, 200_000);
            assert!((mean / n as f64 - 1.0).abs() < 0.02, "n={n} mean {mean}");
            assert!((c - 1.0 / (n as f64).sqrt()).abs() < 0.03, "n={n} contrast {c}");
        }
    }

    #[test]
    fn nominal_bits_are_balanced_enough_and_los_follows_power() {
        let mut s = Source::new(PhysicsParams::nominal(6e6), 1);
        let ones = (0..100_000).filter(|_| s.step(true)).count();
        let p1 = ones as f64 / 100_000.0;
        assert!((0.35..0.65).contains(&p1), "P(1) = {p1}");
        assert!(!s.los());
        for _ in 0..2000 {
            s.step(false);
        }
        assert!(s.los(), "laser off: LOS within 2000 samples, power {}", s.rx_power_mw());
    }
}
