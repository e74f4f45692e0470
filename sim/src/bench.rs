//! The board's simulation without the pseudo-terminal: physics → SFP module → front end → core,
//! stepped one RD sample at a time. Deterministic for a seed, which the tests and the pty board
//! both rely on.

use crate::core::CoreSim;
use crate::physics::{PhysicsParams, Source};
use crate::scenario::Scenario;
use crate::sfp::{default_thresholds, FrontEnd, SfpModule};
use speckle_model::params::CoreParams;

/// Front-end poll period: the interlock reacts within one of these.
pub const POLL_PERIOD_S: f64 = 1e-3;

/// Poll period in RD samples for a sample rate.
pub fn poll_samples(sample_rate_hz: f64) -> u64 {
    (POLL_PERIOD_S * sample_rate_hz).round() as u64
}

/// The parameters of the simulated board's core: the ice40 profile, with the clock nudged (by at
/// most half a baud period per bit) so that it divides evenly into the requested baud rate.
pub fn board_params(baud: u64) -> Result<CoreParams, String> {
    let base = CoreParams::ice40();
    if baud == 0 || baud > base.clock_hz / 4 {
        return Err(format!("baud {baud}: the simulated board supports 1..={} baud", base.clock_hz / 4));
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
    pub front: FrontEnd,
    pub core: Box<dyn CoreSim>,
    /// Samples since the start.
    pub t: u64,
    /// Sample at which the current scenario started (its onset is `onset` later).
    pub t0: u64,
    /// Samples from a scenario's start to its fault; `ONSET_SAMPLES` unless the board was told
    /// otherwise.
    pub onset: u64,
    poll_every: u64,
}

impl Bench {
    pub fn new(scenario: Scenario, seed: u64, core: Box<dyn CoreSim>) -> Self {
        let p = core.params();
        let rate = p.clock_hz as f64 / p.oversample as f64;
        let base = PhysicsParams::nominal(rate);
        let mut b = Bench {
            scenario,
            source: Source::new(base.clone(), seed),
            base,
            module: SfpModule::new(&default_thresholds()),
            front: FrontEnd::default(),
            core,
            t: 0,
            t0: 0,
            onset: crate::scenario::ONSET_SAMPLES,
            poll_every: poll_samples(rate),
        };
        b.poll();
        b
    }

    pub fn sample_rate_hz(&self) -> f64 {
        self.base.sample_rate_hz
    }

    /// Switches scenario; its onset comes `onset` samples from now. Latched alarms stay latched
    /// until the host clears them, as on the real board.
    pub fn set_scenario(&mut self, s: Scenario) {
        self.scenario = s;
        self.t0 = self.t;
    }

    /// One RD sample through the whole board.
    pub fn step(&mut self) {
        self.source.p = self.scenario.physics_at_onset(&self.base, self.t - self.t0, self.onset);
        let rd = self.source.step(self.front.laser_enable());
        self.core.set_los(self.source.los());
        self.core.set_ext_alarm(self.front.tripped);
        self.core.push_sample(rd);
        self.t += 1;
        if self.t.is_multiple_of(self.poll_every) {
            self.poll();
        }
    }

    fn poll(&mut self) {
        let p = &self.source.p;
        self.module.update_live(p.temperature_c, p.vcc_v, p.tx_bias_ma, p.tx_power_mw, self.source.rx_power_mw(), self.source.los());
        let diag = self.front.poll(&mut self.module);
        self.core.set_sfp_diag(Some(diag));
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

/// What a scenario did to a core: when its `alarm` output first rose (samples after the onset) and
/// the STATUS alarm bits at the scenario's deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measured {
    pub rose_after: Option<u64>,
    pub alarms: speckle_model::protocol::Alarms,
}

/// Runs `scenario` to its deadline on `core`, then asks for STATUS over the UART.
pub fn measure(scenario: Scenario, seed: u64, core: Box<dyn CoreSim>) -> Result<Measured, String> {
    use crate::scenario::ONSET_SAMPLES;
    use speckle_model::protocol::{Command, Decoder, Payload};
    let mut b = Bench::new(scenario, seed, core);
    let (_, within) = scenario.expect(&b.base);
    let mut rose_after = None;
    while b.t < ONSET_SAMPLES + within {
        b.step();
        if rose_after.is_none() && b.core.alarm() {
            rose_after = Some(b.t.saturating_sub(ONSET_SAMPLES));
        }
    }
    b.core.take_tx();
    b.core.push_host_bytes(&Command::RequestStatus.encode(1));
    let frames = Decoder::new().feed(&b.run(20_000));
    frames
        .iter()
        .find_map(|f| match f.payload() {
            Ok(Payload::Status(s)) => Some(Measured { rose_after, alarms: s.alarms }),
            _ => None,
        })
        .ok_or_else(|| format!("{}: no STATUS answer within 20 000 samples", scenario.name()))
}
