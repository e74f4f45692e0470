//! The SFP front end inside the simulated board: the Verilated `speckle_sfp_frontend` (generated
//! RTL, with its `speckle_i2c_master`) bit-banging the module's open-drain I2C pins every clock, or,
//! when Verilator or that RTL is missing, a pure-Rust stand-in with the same poll timing built on
//! the reference model `speckle_model::sfp_frontend` (the board then says so loudly).
//!
//! Wiring, as in boards/top/*_top.v: SCL and SDA are open drain with pull-ups (a line is low when
//! anybody drives it low), the LOS pin goes to the front end and to the core, TX_DISABLE turns the
//! laser off and is the core's `ext_alarm`, and the 416-bit `sfp_diag` bus goes to the core with
//! `sfp_diag_en = 1` (the ULX3S wiring; the iCEBreaker top ties the bus off to save LUTs).

use crate::core::CoreChoice;
use crate::sfp::{I2cBus, SfpModule, A2H_ADDR7};
use rtl_sim::{Model, PortId};
use speckle_model::i2c_master::{command_clocks, quarter_divisor, Cmd};
use speckle_model::protocol::{SfpFlags, SFP_DIAG_LEN};
use speckle_model::sfp_frontend::{poll_clocks, poll_log2, SfpFrontend, READS};

/// Clock-stepped interface both front ends offer the board.
pub trait FrontEndSim: Send {
    /// One rising clock edge: the front end sees the module's bus and the LOS pin.
    fn clock(&mut self, module: &mut SfpModule, los: bool);
    /// `n` edges with the same LOS level, for a core that steps a whole sample at a time.
    fn run_clocks(&mut self, n: u32, module: &mut SfpModule, los: bool) {
        for _ in 0..n {
            self.clock(module, los);
        }
    }
    /// TX_DISABLE after the last edge: high = laser off, and the core's `ext_alarm`.
    fn tx_disable(&self) -> bool;
    /// The `sfp_diag` bus after the last edge.
    fn diag(&self) -> [u8; SFP_DIAG_LEN];
    /// Whether the bus changed since the previous call (the first call says yes).
    fn take_changed(&mut self) -> bool;
    /// The bus when it changed since the previous call, so that a core is only written when there
    /// is news.
    fn take_diag(&mut self) -> Option<[u8; SFP_DIAG_LEN]> {
        self.take_changed().then(|| self.diag())
    }
    /// Polls finished since reset (`poll_done` strobes).
    fn polls(&self) -> u64;
    /// "verilator" or "model", for logs.
    fn kind(&self) -> &'static str;
}

/// Opens the requested front end for the board's `clock_hz`; like [`crate::open_core`], `Auto`
/// returns the stand-in with the reason the RTL could not run.
pub fn open_front_end(
    choice: CoreChoice,
    profile: &str,
    clock_hz: u64,
) -> Result<(Box<dyn FrontEndSim>, Option<String>), String> {
    let model = || Box::new(ModelFrontEnd::new(clock_hz)) as Box<dyn FrontEndSim>;
    match choice {
        CoreChoice::Model => Ok((model(), None)),
        CoreChoice::Rtl => {
            RtlFrontEnd::open(profile).map(|f| (Box::new(f) as Box<dyn FrontEndSim>, None))
        }
        CoreChoice::Auto => match RtlFrontEnd::open(profile) {
            Ok(f) => Ok((Box::new(f), None)),
            Err(why) => Ok((model(), Some(why))),
        },
    }
}

/// The Verilated `speckle_sfp_frontend`, on the module's pins.
pub struct RtlFrontEnd {
    m: Model,
    ports: Ports,
    /// What the module drives on SDA, resolved against the master's level each clock.
    slave_low: bool,
    sda_level: bool,
    scl_level: bool,
    los_level: bool,
    scl_oe: bool,
    sda_oe: bool,
    tx_disable: bool,
    bus: [u32; SFP_DIAG_LEN / 4],
    bus_changed: bool,
    polls: u64,
    /// Clocks left in which a LOS pin change may still move the flags (two-stage synchroniser).
    los_settling: u8,
}

struct Ports {
    clock: PortId,
    los: PortId,
    sda_in: PortId,
    scl_in: PortId,
    scl_oe: PortId,
    sda_oe: PortId,
    sfp_diag: PortId,
    tx_disable: PortId,
    poll_done: PortId,
}

impl RtlFrontEnd {
    pub fn open(profile: &str) -> Result<Self, String> {
        if !rtl_sim::available() {
            return Err(rtl_sim::unavailable_reason()
                .unwrap_or("Verilator was not found at build time")
                .to_string());
        }
        let mut m = Model::new(profile, "speckle_sfp_frontend").map_err(|e| e.to_string())?;
        let p = |m: &Model, n: &str| m.port(n).map_err(|e| e.to_string());
        let ports = Ports {
            clock: p(&m, "clock")?,
            los: p(&m, "los")?,
            sda_in: p(&m, "sda_in")?,
            scl_in: p(&m, "scl_in")?,
            scl_oe: p(&m, "scl_oe")?,
            sda_oe: p(&m, "sda_oe")?,
            sfp_diag: p(&m, "sfp_diag")?,
            tx_disable: p(&m, "tx_disable")?,
            poll_done: p(&m, "poll_done")?,
        };
        if m.width(ports.sfp_diag) as usize != 8 * SFP_DIAG_LEN {
            return Err(format!(
                "{profile}/speckle_sfp_frontend: sfp_diag is {} bits, the protocol's payload {}",
                m.width(ports.sfp_diag),
                8 * SFP_DIAG_LEN
            ));
        }
        let reset = p(&m, "reset")?;
        m.set(ports.sda_in, 1);
        m.set(ports.scl_in, 1);
        m.set(reset, 1);
        m.tick(ports.clock);
        m.set(reset, 0);
        let mut fe = RtlFrontEnd {
            m,
            ports,
            slave_low: false,
            sda_level: true,
            scl_level: true,
            los_level: false,
            scl_oe: false,
            sda_oe: false,
            tx_disable: false,
            bus: [0; SFP_DIAG_LEN / 4],
            bus_changed: true,
            polls: 0,
            los_settling: 0,
        };
        fe.read_all();
        fe.bus_changed = true;
        Ok(fe)
    }

    fn read_all(&mut self) {
        let (m, p) = (&self.m, &self.ports);
        self.tx_disable = m.get(p.tx_disable) != 0;
        let mut now = [0u32; SFP_DIAG_LEN / 4];
        m.get_wide_into(p.sfp_diag, &mut now);
        if now != self.bus {
            self.bus = now;
            self.bus_changed = true;
        }
    }

    /// Reads what can have changed after an edge. Reading the 416-bit bus every clock would be
    /// wasted work: the generated front end publishes a poll's data bytes, flags, counter and
    /// interlock verdict all in the clock of its `poll_done` (staged, so a frame never mixes two
    /// polls), and otherwise only the LOS flag moves, two clocks after the pin. So the bus is read
    /// at `poll_done` and for three clocks after a LOS change, and not in between;
    /// `tests::cached_outputs_equal_the_model_every_clock` holds this to the RTL.
    fn read_outputs(&mut self) {
        let (m, p) = (&self.m, &self.ports);
        self.scl_oe = m.get(p.scl_oe) != 0;
        self.sda_oe = m.get(p.sda_oe) != 0;
        let done = m.get(p.poll_done);
        self.polls += done;
        if done != 0 || self.los_settling > 0 {
            self.los_settling = self.los_settling.saturating_sub(1);
            self.read_all();
        }
    }
}

impl FrontEndSim for RtlFrontEnd {
    fn clock(&mut self, module: &mut SfpModule, los: bool) {
        // SCL is open drain too: low while the master or a clock-stretching module pulls it.
        let scl = !self.scl_oe && !module.scl_low();
        if scl != self.scl_level {
            self.scl_level = scl;
            self.m.set(self.ports.scl_in, scl as u64);
        }
        let sda_master = !self.sda_oe;
        self.slave_low = module.tick(scl, sda_master && !self.slave_low);
        let sda = sda_master && !self.slave_low;
        if sda != self.sda_level {
            self.sda_level = sda;
            self.m.set(self.ports.sda_in, sda as u64);
        }
        if los != self.los_level {
            self.los_level = los;
            self.los_settling = 3;
            self.m.set(self.ports.los, los as u64);
        }
        self.m.tick(self.ports.clock);
        self.read_outputs();
    }
    fn tx_disable(&self) -> bool {
        self.tx_disable
    }
    fn diag(&self) -> [u8; SFP_DIAG_LEN] {
        let mut out = [0u8; SFP_DIAG_LEN];
        for (i, b) in out.iter_mut().enumerate() {
            *b = (self.bus[i / 4] >> (8 * (i % 4))) as u8;
        }
        out
    }
    fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.bus_changed)
    }
    fn polls(&self) -> u64 {
        self.polls
    }
    fn kind(&self) -> &'static str {
        "verilator"
    }
}

/// What one poll read: thresholds (A2h 0–39) and live values (96–105), None where NACKed.
type PollReads = (Option<[u8; 40]>, Option<[u8; 10]>);

/// Stand-in for the RTL when Verilator is missing: the reference model's poll verdicts on the
/// RTL's schedule (first poll done `poll_clocks` after reset, then one every 2^`poll_log2`
/// clocks). It reads the module over [`I2cBus`] in one go at the clock where the RTL starts its
/// second read (the live values): since the module holds ADC refreshes back while a transaction
/// runs, that is the moment whose values the RTL reads too. LOS shows in the flags at once, where
/// the RTL takes two synchroniser clocks.
pub struct ModelFrontEnd {
    clocks: u64,
    next_done: u64,
    /// Clocks from the start of the live-value read to `poll_done`.
    live_read_clocks: u64,
    read: Option<PollReads>,
    period: u64,
    reference: SfpFrontend,
    diag: [u8; SFP_DIAG_LEN],
    changed: bool,
    los: bool,
    polls: u64,
}

impl ModelFrontEnd {
    pub fn new(clock_hz: u64) -> Self {
        // A read of n bytes costs a fixed part (START, address, offset, repeated START, address,
        // STOP) plus n byte reads; the model's poll_clocks is both reads plus 3 clocks of verdict.
        let per_byte = command_clocks(Cmd::Read, quarter_divisor(clock_hz)) + 2;
        let bytes = (READS[0].1 + READS[1].1) as u64;
        let fixed = (poll_clocks(clock_hz) - 3 - bytes * per_byte) / 2;
        ModelFrontEnd {
            clocks: 0,
            next_done: poll_clocks(clock_hz),
            live_read_clocks: fixed + READS[1].1 as u64 * per_byte + 3,
            read: None,
            period: 1 << poll_log2(clock_hz),
            reference: SfpFrontend::default(),
            diag: [0; SFP_DIAG_LEN],
            changed: true,
            los: false,
            polls: 0,
        }
    }

    fn set_los(&mut self, los: bool) {
        if los != self.los {
            self.los = los;
            self.diag[50] ^= SfpFlags::LOS;
            self.changed = true;
        }
    }

    fn read_module(&mut self, module: &mut SfpModule) {
        let mut bus = I2cBus::new(module);
        let thresholds =
            bus.read(A2H_ADDR7, READS[0].0, READS[0].1).map(|v| <[u8; 40]>::try_from(v).unwrap());
        // As in the RTL, a NACK aborts the poll: the second read never happens.
        let live = thresholds
            .and_then(|_| bus.read(A2H_ADDR7, READS[1].0, READS[1].1))
            .map(|v| <[u8; 10]>::try_from(v).unwrap());
        self.read = Some((thresholds, live));
    }

    fn finish_poll(&mut self) {
        let (thresholds, live) =
            self.read.take().expect("the module was read before the poll's end");
        self.diag = self.reference.poll(thresholds, live, thresholds.is_some(), self.los);
        self.changed = true;
        self.polls += 1;
        self.next_done += self.period;
    }
}

impl FrontEndSim for ModelFrontEnd {
    fn clock(&mut self, module: &mut SfpModule, los: bool) {
        self.run_clocks(1, module, los);
    }
    fn run_clocks(&mut self, n: u32, module: &mut SfpModule, los: bool) {
        self.set_los(los);
        self.clocks += n as u64;
        if self.read.is_none() && self.clocks + self.live_read_clocks >= self.next_done {
            self.read_module(module);
        }
        if self.clocks >= self.next_done {
            self.finish_poll();
        }
    }
    fn tx_disable(&self) -> bool {
        self.reference.tx_disable()
    }
    fn diag(&self) -> [u8; SFP_DIAG_LEN] {
        self.diag
    }
    fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }
    fn polls(&self) -> u64 {
        self.polls
    }
    fn kind(&self) -> &'static str {
        "model"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sfp::default_thresholds;

    /// The cached outputs that `read_outputs` keeps by reading the bus only when it can change
    /// must equal the model's ports after every clock: over three polls, with LOS toggling during
    /// and between polls and an over-power that trips the interlock.
    #[test]
    fn cached_outputs_equal_the_model_every_clock() {
        if !rtl_sim::require_verilator("cached_outputs_equal_the_model_every_clock") {
            return;
        }
        let mut fe = RtlFrontEnd::open("ice40").unwrap_or_else(|e| panic!("{e}"));
        let hz = speckle_model::params::CoreParams::ice40().clock_hz;
        let three_polls = (2u64 << poll_log2(hz)) + 2 * poll_clocks(hz);
        let mut module = SfpModule::new(&default_thresholds());
        module.update_live(40.0, 3.3, 6.0, 0.3, 0.2, false);
        let mut los = false;
        // The first take_changed after open says yes.
        let mut changes = 0;
        let mut toggles = 0;
        let mut clock = 0u64;
        while fe.polls() < 3 {
            // LOS flips every 100 000 clocks (inside and outside polls); over-power after poll 1.
            if clock % 100_000 == 99_999 {
                los = !los;
                toggles += 1;
            }
            if fe.polls() == 1 {
                module.update_live(40.0, 3.3, 6.0, 0.3, 1.6, los);
            }
            fe.clock(&mut module, los);
            let mut bus = [0u32; SFP_DIAG_LEN / 4];
            fe.m.get_wide_into(fe.ports.sfp_diag, &mut bus);
            assert_eq!(fe.bus, bus, "sfp_diag cache stale at clock {clock}");
            assert_eq!(
                fe.tx_disable,
                fe.m.get(fe.ports.tx_disable) != 0,
                "tx_disable at clock {clock}"
            );
            changes += fe.take_changed() as u32;
            clock += 1;
            assert!(clock < three_polls, "three polls take two poll periods + one poll's clocks");
        }
        // Staged publication: the bus moves once per LOS toggle and once per poll, never in between.
        assert!(fe.tx_disable, "the over-power must have tripped");
        assert_eq!(changes, 1 + toggles + 3, "bus changes over {toggles} LOS toggles and 3 polls");
    }
}
