//! Named fault scenarios: each is one documented change to the physics at an onset time, and the
//! alarm the core (or the front end) must raise for it. docs/simulation.md carries the same table.

use crate::physics::{Emi, PhysicsParams};
use std::fmt;

/// Which alarm a scenario must raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detect {
    /// No alarm may latch, and conditioned output must keep flowing.
    None,
    Rct,
    Apt,
    Markov,
    Los,
    /// The front end's laser interlock (the core's external alarm).
    Interlock,
}

impl Detect {
    /// STATUS alarm bit that shows this detection (none for `None`).
    pub fn alarm_bit(self) -> u8 {
        use speckle_model::protocol::Alarms;
        match self {
            Detect::None => 0,
            Detect::Rct => Alarms::RCT,
            Detect::Apt => Alarms::APT,
            Detect::Markov => Alarms::MARKOV,
            Detect::Los => Alarms::LOS,
            Detect::Interlock => Alarms::EXTERNAL,
        }
    }
}

impl fmt::Display for Detect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Detect::None => "none",
            Detect::Rct => "RCT",
            Detect::Apt => "APT",
            Detect::Markov => "Markov",
            Detect::Los => "LOS",
            Detect::Interlock => "interlock",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    Optimal,
    LaserFailure,
    Dark,
    Saturation,
    AlignmentDrift,
    AmbientLight,
    ThermalThrottle,
    EmiInterference,
    LinkFlap,
    Stuck,
    Bias,
}

pub const ALL: [Scenario; 11] = [
    Scenario::Optimal,
    Scenario::LaserFailure,
    Scenario::Dark,
    Scenario::Saturation,
    Scenario::AlignmentDrift,
    Scenario::AmbientLight,
    Scenario::ThermalThrottle,
    Scenario::EmiInterference,
    Scenario::LinkFlap,
    Scenario::Stuck,
    Scenario::Bias,
];

/// Unknown scenario name; the message lists the valid ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownScenario(pub String);

impl fmt::Display for UnknownScenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = ALL.iter().map(|s| s.name()).collect();
        write!(f, "unknown scenario `{}`: valid scenarios are {}", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownScenario {}

/// Default samples from the start to the fault onset: past the 1024-sample startup test and the
/// 2W + 16 holdback, so conditioned output is already flowing when the fault begins. A board can be
/// given another onset (`BoardConfig::fault_onset_samples`, `--fault-at N`; 0 = faulty from power-on).
pub const ONSET_SAMPLES: u64 = 20_000;

/// `link_flap`: samples from the start of one dark spell to the next (2^25, 5.6 s of board time at
/// the ice40 rate). Long enough that a host sees the board come back, pass its startup test and
/// deliver before the next spell, as with a connector that drops out now and then; a board can be
/// given another period (`BoardConfig::flap_every_samples`, `--flap-every N`).
pub const FLAP_EVERY_SAMPLES: u64 = 1 << 25;

/// `link_flap`: how long each dark spell lasts.
const FLAP_DARK_S: f64 = 2e-3;

/// When a scenario's fault begins and, for `link_flap`, how often it comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Samples from the scenario's start to its fault.
    pub onset: u64,
    /// `link_flap`: samples between the starts of two dark spells.
    pub flap_every: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing { onset: ONSET_SAMPLES, flap_every: FLAP_EVERY_SAMPLES }
    }
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Optimal => "optimal",
            Scenario::LaserFailure => "laser_failure",
            Scenario::Dark => "dark",
            Scenario::Saturation => "saturation",
            Scenario::AlignmentDrift => "alignment_drift",
            Scenario::AmbientLight => "ambient_light",
            Scenario::ThermalThrottle => "thermal_throttle",
            Scenario::EmiInterference => "emi_interference",
            Scenario::LinkFlap => "link_flap",
            Scenario::Stuck => "stuck",
            Scenario::Bias => "bias",
        }
    }

    pub fn from_name(name: &str) -> Result<Self, UnknownScenario> {
        ALL.iter()
            .copied()
            .find(|s| s.name() == name)
            .ok_or_else(|| UnknownScenario(name.to_string()))
    }

    /// Parses `a,b,c`.
    pub fn list(names: &str) -> Result<Vec<Self>, UnknownScenario> {
        names.split(',').map(|n| Self::from_name(n.trim())).collect()
    }

    pub fn description(self) -> &'static str {
        match self {
            Scenario::Optimal => "design point: 4 emitters, -7 dBm, fast phase drift",
            Scenario::LaserFailure => "one of the 4 emitters dies: power -25 %, contrast 1/2 -> 1/sqrt(3)",
            Scenario::Dark => "all emitters off: no light at the photodiode",
            Scenario::Saturation => "optical power x8 (1.6 mW) above the module's 1 mW RX high alarm; the front end must drop TX_DISABLE",
            Scenario::AlignmentDrift => "fibre coupling decays exp(-t / 3 ms) until the light is gone",
            Scenario::AmbientLight => "room light fading in over 20 ms to 0.3 mW, 100 % flicker at 100 Hz",
            Scenario::ThermalThrottle => "hot driver throttles: phase drift 40x slower, power -30 %, module at 90 C",
            Scenario::EmiInterference => "interference bursts of 20 us every 100 us saturate the TIA output",
            Scenario::LinkFlap => "connector intermittent: light off for 2 ms, again every 2^25 samples (5.6 s of board time)",
            Scenario::Stuck => "limiting amplifier output stuck high",
            Scenario::Bias => "comparator offset of -100 uA (1.1 speckle std): P(1) about 0.89",
        }
    }

    /// The alarm this scenario must raise and the most samples after onset it may take.
    pub fn expect(self, p: &PhysicsParams) -> (Detect, u64) {
        let ms = |x: f64| (x * 1e-3 * p.sample_rate_hz) as u64;
        // Samples from an RX power change to the front end acting on it (the board's core is the
        // ice40 profile).
        let interlock = || {
            let oversample = speckle_model::params::CoreParams::ice40().oversample;
            crate::bench::interlock_bound_samples(p.sample_rate_hz, oversample)
        };
        match self {
            Scenario::Optimal => (Detect::None, 300_000),
            // No alarm, and long enough for the lower RX power to reach SFP_DIAG (the same bound
            // as an over-power reaching the interlock).
            Scenario::LaserFailure => (Detect::None, interlock().max(300_000)),
            // LOS detector averages over 10 µs; 1000 samples leaves room for its settling.
            Scenario::Dark => (Detect::Los, 1_000),
            // The module's next ADC refresh, the front end's next poll (every 2^poll_log2 clocks,
            // 40-70 ms) and its length, plus the core's synchroniser. The board's clock is
            // `oversample` x the sample rate (ice40 profile).
            Scenario::Saturation => (Detect::Interlock, interlock() + 64),
            // ln(0.2 mW / 1 µW) = 5.3 time constants of 3 ms to reach the LOS threshold.
            Scenario::AlignmentDrift => (Detect::Los, ms(5.3 * 3.0) + 2_000),
            // Within the 20 ms fade-in plus one flicker period (10 ms) and one APT window pair.
            Scenario::AmbientLight => (Detect::Apt, ms(30.0) + 2_048),
            Scenario::ThermalThrottle => (Detect::Markov, 4 * 1024),
            // The first burst (20 µs = 120 samples) exceeds the RCT cutoff of 61.
            Scenario::EmiInterference => (Detect::Rct, ms(0.1) + 200),
            Scenario::LinkFlap => (Detect::Los, 1_000),
            Scenario::Stuck => (Detect::Rct, 100),
            // The first full window after the onset fails unless its first sample is the rare value
            // (p = 0.11); four windows make a miss a 1e-4 event.
            Scenario::Bias => (Detect::Apt, 4 * 1024 + 64),
        }
    }

    /// Physics at `t` samples with the default timing, for a source whose nominal parameters are
    /// `base`.
    pub fn physics_at(self, base: &PhysicsParams, t: u64) -> PhysicsParams {
        self.physics_at_timing(base, t, &Timing::default())
    }

    /// Physics at `t` samples when the fault begins and recurs as `timing` says.
    pub fn physics_at_timing(self, base: &PhysicsParams, t: u64, timing: &Timing) -> PhysicsParams {
        let mut p = base.clone();
        if t < timing.onset {
            return p;
        }
        let since_s = (t - timing.onset) as f64 / p.sample_rate_hz;
        match self {
            Scenario::Optimal => {}
            Scenario::LaserFailure => p.emitters_alive = p.n_emitters - 1,
            Scenario::Dark => p.emitters_alive = 0,
            Scenario::Saturation => p.power_per_emitter_mw *= 8.0,
            Scenario::AlignmentDrift => p.coupling *= (-since_s / 3e-3).exp(),
            Scenario::AmbientLight => {
                // Faded in over ~20 ms so that the AC coupling follows and the bias comes from the
                // flicker, not from a step.
                p.ambient_mw = 0.3 * (1.0 - (-since_s / 20e-3).exp());
                p.flicker_depth = 1.0;
                p.flicker_hz = 100.0;
            }
            Scenario::ThermalThrottle => {
                p.tau_c_s *= 40.0;
                p.power_per_emitter_mw *= 0.7;
                p.temperature_c = 90.0;
                p.tx_bias_ma *= 1.6;
            }
            Scenario::EmiInterference => {
                p.emi = Some(Emi { period_s: 100e-6, width_s: 20e-6, amplitude_ua: 2_000.0 });
            }
            Scenario::LinkFlap => {
                let dark = (FLAP_DARK_S * p.sample_rate_hz) as u64;
                if (t - timing.onset) % timing.flap_every.max(1) < dark {
                    p.coupling = 0.0;
                }
            }
            Scenario::Stuck => p.stuck = Some(true),
            Scenario::Bias => p.comparator_offset_ua = -100.0,
        }
        p
    }
}
