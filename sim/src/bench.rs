//! The board's simulation without the pseudo-terminal: physics → SFP module → front end → core,
//! stepped one RD sample at a time. Deterministic for a seed, which the tests and the pty board
//! both rely on.

use crate::core::{open_core, CoreChoice, CoreSim};
use crate::frontend::{open_front_end, FrontEndSim};
use crate::physics::{PhysicsParams, Source};
use crate::scenario::Scenario;
use crate::sfp::{default_thresholds, SfpModule};
use speckle_model::params::CoreParams;

/// How often the module's ADCs refresh A2h 96..=105 (real modules: every 50–100 ms; faster here so
/// that a scenario's change reaches the front end's next poll).
pub const ADC_PERIOD_S: f64 = 1e-3;

/// ADC refresh period in RD samples for a sample rate.
pub fn adc_samples(sample_rate_hz: f64) -> u64 {
    (ADC_PERIOD_S * sample_rate_hz).round() as u64
}

/// Samples from an over-power to TX_DISABLE at worst, for a board sampling at `sample_rate_hz`
/// with `oversample` clocks per sample: the module's next ADC refresh, then the front end's bound
/// (model/src/sfp_frontend.rs: the next poll plus its length), rounded up to samples.
pub fn interlock_bound_samples(sample_rate_hz: f64, oversample: u32) -> u64 {
    let clock_hz = (sample_rate_hz * oversample as f64).round() as u64;
    adc_samples(sample_rate_hz)
        + speckle_model::sfp_frontend::trip_bound_clocks(clock_hz).div_ceil(oversample as u64)
}

/// The board's FPGA logic: core and SFP front end, and why either is a stand-in.
pub struct Fpga {
    pub core: Box<dyn CoreSim>,
    pub front: Box<dyn FrontEndSim>,
    /// One line per block that `Auto` could not run as Verilated RTL, saying why.
    pub fallbacks: Vec<String>,
}

/// Opens the core and the front end `choice` asks for: `Rtl` needs both Verilated, `Model` runs
/// both in Rust, and `Auto` takes the RTL of each where it was built.
pub fn open_fpga(choice: CoreChoice, profile: &str, params: &CoreParams) -> Result<Fpga, String> {
    let (core, core_why) =
        open_core(choice, profile, params).map_err(|e| format!("speckle_core: {e}"))?;
    let (front, front_why) = open_front_end(choice, profile, params.clock_hz)
        .map_err(|e| format!("speckle_sfp_frontend: {e}"))?;
    let fallbacks = [("core", core_why), ("SFP front end", front_why)]
        .into_iter()
        .filter_map(|(what, why)| why.map(|w| format!("{what}: {w}")))
        .collect();
    Ok(Fpga { core, front, fallbacks })
}

/// The simulated board's default baud: the ice40 profile's, the rate its generated core runs
/// (any other rate runs the model core, see [`board_params`]).
pub const DEFAULT_BAUD: u64 = CoreParams::ice40().baud;

/// The parameters of the simulated board's core: the ice40 profile, with the clock nudged (by at
/// most half a baud period per bit) so that it divides evenly into the requested baud rate.
pub fn board_params(baud: u64) -> Result<CoreParams, String> {
    let base = CoreParams::ice40();
    if baud == 0 || baud > base.clock_hz / 4 {
        return Err(format!(
            "baud {baud}: the simulated board supports 1..={} baud",
            base.clock_hz / 4
        ));
    }
    let div = ((base.clock_hz as f64 / baud as f64).round() as u64).max(4);
    let p = CoreParams { clock_hz: baud * div, baud, ..base };
    p.validate().map_err(|e| e.to_string())?;
    Ok(p)
}

pub struct Bench {
    pub scenario: Scenario,
    pub base: PhysicsParams,
    pub source: Source,
    pub module: SfpModule,
    pub front: Box<dyn FrontEndSim>,
    pub core: Box<dyn CoreSim>,
    /// Samples since the start.
    pub t: u64,
    /// Sample at which the current scenario started (its onset is `timing.onset` later).
    pub t0: u64,
    /// When the fault begins after a scenario's start (and how often `link_flap` recurs): the
    /// defaults unless the board was told otherwise.
    pub timing: crate::scenario::Timing,
    adc_every: u64,
}

impl Bench {
    pub fn new(
        scenario: Scenario,
        seed: u64,
        core: Box<dyn CoreSim>,
        front: Box<dyn FrontEndSim>,
    ) -> Self {
        let p = core.params();
        let rate = p.sample_rate_hz();
        let base = PhysicsParams::nominal(rate);
        let mut b = Bench {
            scenario,
            source: Source::new(base.clone(), seed),
            base,
            module: SfpModule::new(&default_thresholds()),
            front,
            core,
            t: 0,
            t0: 0,
            timing: crate::scenario::Timing::default(),
            adc_every: adc_samples(rate),
        };
        b.refresh_adc();
        b
    }

    /// A bench on the ice40 board at `baud` with the logic `choice` asks for (see [`open_fpga`]);
    /// `Err` when `Rtl` was asked and cannot run.
    pub fn open(
        scenario: Scenario,
        seed: u64,
        baud: u64,
        choice: CoreChoice,
    ) -> Result<Self, String> {
        let fpga = open_fpga(choice, "ice40", &board_params(baud)?)?;
        Ok(Bench::new(scenario, seed, fpga.core, fpga.front))
    }

    pub fn sample_rate_hz(&self) -> f64 {
        self.base.sample_rate_hz
    }

    /// Switches scenario; its onset comes `timing.onset` samples from now. Latched alarms stay latched
    /// until the host clears them, as on the real board.
    pub fn set_scenario(&mut self, s: Scenario) {
        self.scenario = s;
        self.t0 = self.t;
    }

    /// One RD sample through the whole board.
    pub fn step(&mut self) {
        self.source.p = self.scenario.physics_at_timing(&self.base, self.t - self.t0, &self.timing);
        // TX_DISABLE as the front end left it after the last clock switches the emitters.
        let rd = self.source.step(!self.front.tx_disable());
        self.core.push_sample_with(rd, self.source.los(), &mut *self.front, &mut self.module);
        self.t += 1;
        if self.t.is_multiple_of(self.adc_every) {
            self.refresh_adc();
        }
    }

    fn refresh_adc(&mut self) {
        let p = &self.source.p;
        self.module.update_live(
            p.temperature_c,
            p.vcc_v,
            p.tx_bias_ma,
            p.tx_power_mw,
            self.source.rx_power_mw(),
            self.source.los(),
        );
    }

    /// Runs `n` samples and returns the UART bytes the core sent meanwhile.
    pub fn run(&mut self, n: u64) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..n {
            self.step();
            if i % 4096 == 4095 {
                out.extend(self.core.take_tx());
            }
        }
        out.extend(self.core.take_tx());
        out
    }
}

/// What a scenario did to a board: when the core's `alarm` output and the front end's TX_DISABLE
/// first rose (samples after the onset) and the STATUS alarm bits at the scenario's deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measured {
    pub rose_after: Option<u64>,
    pub tx_disable_after: Option<u64>,
    pub alarms: speckle_model::protocol::Alarms,
}

/// Runs `scenario` to its deadline on `core`, then asks for STATUS over the UART.
pub fn measure(scenario: Scenario, seed: u64, fpga: Fpga) -> Result<Measured, String> {
    use crate::scenario::ONSET_SAMPLES;
    use speckle_model::protocol::{Command, Decoder, Payload};
    let mut b = Bench::new(scenario, seed, fpga.core, fpga.front);
    let (_, within) = scenario.expect(&b.base);
    let (mut rose_after, mut tx_disable_after) = (None, None);
    while b.t < ONSET_SAMPLES + within {
        b.step();
        if rose_after.is_none() && b.core.alarm() {
            rose_after = Some(b.t.saturating_sub(ONSET_SAMPLES));
        }
        if tx_disable_after.is_none() && b.front.tx_disable() {
            tx_disable_after = Some(b.t.saturating_sub(ONSET_SAMPLES));
        }
    }
    b.core.take_tx();
    b.core.push_host_bytes(&Command::RequestStatus.encode(1));
    let frames = Decoder::new().feed(&b.run(20_000));
    frames
        .iter()
        .find_map(|f| match f.payload() {
            Ok(Payload::Status(s)) => {
                Some(Measured { rose_after, tx_disable_after, alarms: s.alarms })
            }
            _ => None,
        })
        .ok_or_else(|| format!("{}: no STATUS answer within 20 000 samples", scenario.name()))
}
