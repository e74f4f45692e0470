//! The core inside the simulated board: the Verilated `speckle_core` when it was built, else the
//! pure-Rust [`CoreModel`] (which the board announces loudly, since then the RTL is not what runs).

use crate::frontend::FrontEndSim;
use crate::sfp::SfpModule;
use speckle_model::core_model::CoreModel;
use speckle_model::params::CoreParams;
use speckle_model::protocol::SFP_DIAG_LEN;
use std::collections::VecDeque;

/// Sample-stepped interface both cores offer the board.
pub trait CoreSim: Send {
    /// One RD sample: `oversample` core clocks.
    fn push_sample(&mut self, rd: bool);
    fn set_los(&mut self, level: bool);
    fn set_ext_alarm(&mut self, level: bool);
    fn set_sfp_diag(&mut self, diag: Option<[u8; SFP_DIAG_LEN]>);
    /// Host bytes, to be shifted into `uart_rx` at the baud rate.
    fn push_host_bytes(&mut self, bytes: &[u8]);
    /// UART bytes completed since the last call.
    fn take_tx(&mut self) -> Vec<u8>;
    fn params(&self) -> &CoreParams;
    /// "verilator" or "model", for logs.
    fn kind(&self) -> &'static str;
    /// The core's `alarm` output: any alarm latched.
    fn alarm(&self) -> bool;

    /// One RD sample with the front end beside the core, wired as on the board: the LOS pin to
    /// both, TX_DISABLE to `ext_alarm`, the `sfp_diag` bus (with `sfp_diag_en`) to the core. This
    /// default steps the front end a whole sample ahead of a sample-stepped core; the Verilated
    /// core overrides it to clock both in lockstep.
    fn push_sample_with(
        &mut self,
        rd: bool,
        los: bool,
        front: &mut dyn FrontEndSim,
        module: &mut SfpModule,
    ) {
        front.run_clocks(self.params().oversample, module, los);
        self.set_los(los);
        self.set_ext_alarm(front.tx_disable());
        if let Some(d) = front.take_diag() {
            self.set_sfp_diag(Some(d));
        }
        self.push_sample(rd);
    }
}

impl CoreSim for CoreModel {
    fn push_sample(&mut self, rd: bool) {
        CoreModel::push_sample(self, rd)
    }
    fn set_los(&mut self, level: bool) {
        CoreModel::set_los(self, level)
    }
    fn set_ext_alarm(&mut self, level: bool) {
        CoreModel::set_ext_alarm(self, level)
    }
    fn set_sfp_diag(&mut self, diag: Option<[u8; SFP_DIAG_LEN]>) {
        CoreModel::set_sfp_diag(self, diag)
    }
    fn push_host_bytes(&mut self, bytes: &[u8]) {
        CoreModel::push_host_bytes(self, bytes)
    }
    fn take_tx(&mut self) -> Vec<u8> {
        CoreModel::take_tx(self)
    }
    fn params(&self) -> &CoreParams {
        CoreModel::params(self)
    }
    fn kind(&self) -> &'static str {
        "model"
    }
    fn alarm(&self) -> bool {
        self.alarms().any()
    }
}

/// Which core to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CoreChoice {
    /// Verilator when its `speckle_core` is available, else the model.
    #[default]
    Auto,
    Model,
    Rtl,
}

/// Opens the requested core; `Err` says why the RTL core cannot run (for `Rtl`), and for `Auto`
/// the fallback reason is returned alongside the model so the board can warn.
pub fn open_core(
    choice: CoreChoice,
    profile: &str,
    params: &CoreParams,
) -> Result<(Box<dyn CoreSim>, Option<String>), String> {
    let model = || Box::new(CoreModel::new(params)) as Box<dyn CoreSim>;
    match choice {
        CoreChoice::Model => Ok((model(), None)),
        CoreChoice::Rtl => {
            RtlCore::open(profile, params).map(|c| (Box::new(c) as Box<dyn CoreSim>, None))
        }
        CoreChoice::Auto => match RtlCore::open(profile, params) {
            Ok(c) => Ok((Box::new(c), None)),
            Err(why) => Ok((model(), Some(why))),
        },
    }
}

/// The Verilated `speckle_core`, driven pin by pin.
pub struct RtlCore {
    m: rtl_sim::Model,
    params: CoreParams,
    ports: Ports,
    rx_bits: VecDeque<bool>,
    rx_hold: u32,
    rx_level: bool,
    tx: UartPinRx,
    out: Vec<u8>,
    ext_alarm: bool,
}

struct Ports {
    clock: rtl_sim::PortId,
    rd: rtl_sim::PortId,
    los: rtl_sim::PortId,
    ext_alarm: rtl_sim::PortId,
    sfp_diag: rtl_sim::PortId,
    sfp_diag_en: rtl_sim::PortId,
    uart_rx: rtl_sim::PortId,
    uart_tx: rtl_sim::PortId,
    alarm: rtl_sim::PortId,
}

impl RtlCore {
    /// The generated core of `profile` must match `params` (the board's clock and baud): the
    /// Verilog fixes them at generation time.
    pub fn open(profile: &str, params: &CoreParams) -> Result<Self, String> {
        if !rtl_sim::available() {
            return Err(rtl_sim::unavailable_reason()
                .unwrap_or("Verilator was not found at build time")
                .to_string());
        }
        let gen = CoreParams::profile(profile).map_err(|e| e.to_string())?;
        if gen.clock_hz / gen.baud != params.clock_hz / params.baud
            || gen.oversample != params.oversample
        {
            return Err(format!(
                "the generated {profile} core has clock/baud {} and oversample {}, the board asked for {} and {}",
                gen.clock_hz / gen.baud,
                gen.oversample,
                params.clock_hz / params.baud,
                params.oversample
            ));
        }
        let mut m = rtl_sim::Model::new(profile, "speckle_core").map_err(|e| e.to_string())?;
        let p = |m: &rtl_sim::Model, n: &str| m.port(n).map_err(|e| e.to_string());
        let ports = Ports {
            clock: p(&m, "clock")?,
            rd: p(&m, "rd")?,
            los: p(&m, "los")?,
            ext_alarm: p(&m, "ext_alarm")?,
            sfp_diag: p(&m, "sfp_diag")?,
            sfp_diag_en: p(&m, "sfp_diag_en")?,
            uart_rx: p(&m, "uart_rx")?,
            uart_tx: p(&m, "uart_tx")?,
            alarm: p(&m, "alarm")?,
        };
        let reset = p(&m, "reset")?;
        m.set(ports.uart_rx, 1);
        m.set(reset, 1);
        for _ in 0..4 {
            m.tick(ports.clock);
        }
        m.set(reset, 0);
        let div = gen.baud_divisor();
        Ok(RtlCore {
            m,
            params: gen,
            ports,
            rx_bits: VecDeque::new(),
            rx_hold: 0,
            rx_level: true,
            tx: UartPinRx::new(div),
            out: Vec::new(),
            ext_alarm: false,
        })
    }

    /// One clock: the next host bit on `uart_rx` at the baud rate, the edge, the UART output.
    fn clock(&mut self, div: u32) {
        if self.rx_hold == 0 {
            if let Some(b) = self.rx_bits.pop_front() {
                self.rx_level = b;
                self.rx_hold = div;
            }
        }
        self.rx_hold = self.rx_hold.saturating_sub(1);
        self.m.set(self.ports.uart_rx, self.rx_level as u64);
        self.m.tick(self.ports.clock);
        if let Some(b) = self.tx.clock(self.m.get(self.ports.uart_tx) != 0) {
            self.out.push(b);
        }
    }

    fn end_sample(&mut self) {
        if self.rx_bits.is_empty() && self.rx_hold == 0 {
            self.rx_level = true;
        }
    }
}

impl CoreSim for RtlCore {
    fn push_sample(&mut self, rd: bool) {
        self.m.set(self.ports.rd, rd as u64);
        let div = self.params.baud_divisor();
        for _ in 0..self.params.oversample {
            self.clock(div);
        }
        self.end_sample();
    }
    /// Lockstep, one clock at a time: what the front end drove after the last edge is on the
    /// core's inputs at this edge, then both take it, as two blocks on one clock do.
    fn push_sample_with(
        &mut self,
        rd: bool,
        los: bool,
        front: &mut dyn FrontEndSim,
        module: &mut SfpModule,
    ) {
        self.m.set(self.ports.rd, rd as u64);
        self.m.set(self.ports.los, los as u64);
        let div = self.params.baud_divisor();
        for _ in 0..self.params.oversample {
            if front.tx_disable() != self.ext_alarm {
                self.set_ext_alarm(front.tx_disable());
            }
            if let Some(d) = front.take_diag() {
                self.set_sfp_diag(Some(d));
            }
            front.clock(module, los);
            self.clock(div);
        }
        self.end_sample();
    }
    fn set_los(&mut self, level: bool) {
        self.m.set(self.ports.los, level as u64);
    }
    fn set_ext_alarm(&mut self, level: bool) {
        self.ext_alarm = level;
        self.m.set(self.ports.ext_alarm, level as u64);
    }
    fn set_sfp_diag(&mut self, diag: Option<[u8; SFP_DIAG_LEN]>) {
        self.m.set(self.ports.sfp_diag_en, diag.is_some() as u64);
        let bytes = diag.unwrap_or([0; SFP_DIAG_LEN]);
        let words: Vec<u32> =
            bytes.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
        self.m.set_wide(self.ports.sfp_diag, &words);
    }
    fn push_host_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.rx_bits.push_back(false);
            self.rx_bits.extend((0..8).map(|i| (b >> i) & 1 == 1));
            self.rx_bits.push_back(true);
        }
    }
    fn take_tx(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }
    fn params(&self) -> &CoreParams {
        &self.params
    }
    fn kind(&self) -> &'static str {
        "verilator"
    }
    fn alarm(&self) -> bool {
        self.m.get(self.ports.alarm) != 0
    }
}

/// 8N1 receiver on a pin sampled once per clock: finds the start bit's falling edge and samples
/// each bit in its middle.
#[derive(Clone, Debug)]
pub struct UartPinRx {
    div: u32,
    prev: bool,
    busy: bool,
    count: u32,
    bit: u8,
    shift: u8,
}

impl UartPinRx {
    pub fn new(div: u32) -> Self {
        UartPinRx { div, prev: true, busy: false, count: 0, bit: 0, shift: 0 }
    }

    pub fn clock(&mut self, level: bool) -> Option<u8> {
        let mut out = None;
        if !self.busy {
            if self.prev && !level {
                self.busy = true;
                self.count = self.div / 2;
                self.bit = 0;
            }
        } else if self.count == 0 {
            self.count = self.div - 1;
            match self.bit {
                0 if level => self.busy = false, // glitch, not a start bit
                1..=8 => self.shift = self.shift >> 1 | (u8::from(level) << 7),
                9 => {
                    self.busy = false;
                    if level {
                        out = Some(self.shift);
                    }
                }
                _ => {}
            }
            self.bit += 1;
        } else {
            self.count -= 1;
        }
        self.prev = level;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_receiver_decodes_8n1() {
        let div = 6;
        let mut rx = UartPinRx::new(div);
        let mut got = Vec::new();
        for &b in &[0x00u8, 0xA5, 0xFF, 0x3C] {
            let bits =
                std::iter::once(false).chain((0..8).map(|i| (b >> i) & 1 == 1)).chain([true, true]);
            for level in bits {
                for _ in 0..div {
                    got.extend(rx.clock(level));
                }
            }
        }
        assert_eq!(got, vec![0x00, 0xA5, 0xFF, 0x3C]);
    }
}
