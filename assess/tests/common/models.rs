//! Deterministic test inputs for the NIST fixtures: seeded models of Speckle's source, written
//! here rather than taken from speckle-sim so that a change of the simulator cannot silently
//! change inputs whose NIST results are committed.
//!
//! The intensity model is the physics of docs/simulation.md in miniature: four emitters, each a
//! complex Gaussian field with AR(1) drift (correlation ρ per sample), intensity = Σ |field|²
//! (gamma with shape 4, mean 4); a comparator at `threshold` gives bits, a quantiser gives
//! multi-bit samples. `tau` (in samples) sets ρ = exp(-1 / tau) for the field.

/// splitmix64: tiny, seedable, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Standard normal (Box-Muller, one of the pair).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Speckle intensity samples (mean 4) with field correlation time `tau` samples.
pub fn intensity(n: usize, tau: f64, seed: u64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    let rho = (-1.0 / tau).exp();
    let innov = (1.0 - rho * rho).sqrt();
    // Each field component has variance 1/2, so |field|² is exponential with mean 1.
    let sd = std::f64::consts::FRAC_1_SQRT_2;
    let mut f: Vec<f64> = (0..8).map(|_| r.normal() * sd).collect();
    (0..n)
        .map(|_| {
            for x in f.iter_mut() {
                *x = rho * *x + innov * sd * r.normal();
            }
            f.iter().map(|x| x * x).sum()
        })
        .collect()
}

/// A named fixture input: (samples, bits per sample).
pub fn generate(name: &str) -> Option<(Vec<u8>, u8)> {
    let bits = |i: Vec<f64>, t: f64| i.into_iter().map(|x| u8::from(x > t)).collect::<Vec<u8>>();
    let quant = |i: Vec<f64>, scale: f64, max: u8| {
        i.into_iter().map(|x| (x * scale).floor().min(max as f64) as u8).collect::<Vec<u8>>()
    };
    Some(match name {
        // Fair coin, 1 M samples: the size SP 800-90B asks for.
        "fair_bits_1m" => {
            let mut r = Rng::new(1);
            ((0..1_000_000).map(|_| (r.next_u64() >> 63) as u8).collect(), 1)
        }
        // `optimal`: τ = 0.25 sample periods, threshold at the mean: P(1) ≈ 0.43.
        "optimal_bits" => (bits(intensity(300_000, 0.25, 2), 4.0), 1),
        // `thermal_throttle`: drift 40 × slower (τ = 10): strongly correlated neighbours.
        "thermal_bits" => (bits(intensity(200_000, 10.0, 3), 4.0), 1),
        // `bias`: comparator offset, P(1) ≈ 0.89.
        "bias_bits" => (bits(intensity(200_000, 0.25, 4), 1.75), 1),
        // First-order Markov bits, flip probability 0.2.
        "markov_bits" => {
            let mut r = Rng::new(5);
            let mut b = 0u8;
            (
                (0..200_000)
                    .map(|_| {
                        if r.unit() < 0.2 {
                            b ^= 1;
                        }
                        b
                    })
                    .collect(),
                1,
            )
        }
        // An 8-bit ADC on the intensity (τ = 2): nearly all 256 values, H_bitstring runs.
        "intensity_u8" => (quant(intensity(100_000, 2.0, 6), 32.0, 255), 8),
        // A 4-bit ADC (τ = 1).
        "intensity_u4" => (quant(intensity(100_000, 1.0, 7), 2.0, 15), 4),
        // Three levels in 2 bits: values are mapped 0, 1, 3 (exercises the dense remapping).
        "three_level_u2" => {
            let q = quant(intensity(100_000, 0.5, 8), 0.5, 2);
            (q.into_iter().map(|v| if v == 2 { 3 } else { v }).collect(), 2)
        }
        // 8-bit samples holding two values only: NIST's tool treats them as binary.
        "two_value_u8" => (
            bits(intensity(100_000, 0.25, 9), 4.0)
                .into_iter()
                .map(|b| if b == 1 { 0xa5 } else { 0x10 })
                .collect(),
            8,
        ),
        // SP 800-90B §6.3.1's worked example (20 samples): most estimators cannot run on it, so
        // it checks that both tools leave out the same ones and agree on the rest.
        "sp800_90b_6_3_1_example" => {
            (vec![0, 1, 1, 2, 0, 1, 2, 2, 0, 1, 0, 1, 1, 0, 2, 2, 1, 0, 2, 1], 2)
        }
        _ => return None,
    })
}

/// The fixtures' names, each with assess/tests/fixtures/NAME.json.
pub const NAMES: [&str; 10] = [
    "fair_bits_1m",
    "optimal_bits",
    "thermal_bits",
    "bias_bits",
    "markov_bits",
    "intensity_u8",
    "intensity_u4",
    "three_level_u2",
    "two_value_u8",
    "sp800_90b_6_3_1_example",
];

/// FNV-1a of the samples: recorded by regen.sh, so a changed generator is reported as such.
pub fn fnv1a(s: &[u8]) -> u64 {
    s.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}
