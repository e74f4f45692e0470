//! `speckle_sfp_frontend`: polls the SFP's SFF-8472 diagnostics (A2h bytes 0–39 and 96–105) over
//! I2C, assembles the core's 416-bit `sfp_diag` bus (docs/protocol.md, SFP_DIAG) and runs the laser
//! interlock on its own, without the host: RX power above the module's own RX-power high alarm
//! drives TX_DISABLE and `ext_alarm` high, latched until reset.
//!
//! Bytes are staged in place (byte i at bits [8i+7:8i]) as they arrive and published to the bus in
//! one clock at the end of a complete poll, together with the flags and the poll counter: the
//! framer reads the bus live while it sends an SFP_DIAG frame, and a bus written byte by byte would
//! let a frame mix two polls' bytes (a new RX-power high byte with the old low byte). The interlock
//! decides at the same clock, from the staged bytes, when thresholds and live value belong together.
//! Reference model: model/src/sfp_frontend.rs (timing bounds there too).

use super::i2c_master::I2cMaster;
use rust_hdl::prelude::*;
use speckle_model::i2c_master::quarter_divisor;
use speckle_model::params::CoreParams;
use speckle_model::sfp_frontend::poll_log2;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum PollState {
    Wait,
    Start1,
    Addr1,
    Offset,
    Start2,
    Addr2,
    Read,
    Stop,
    Finish,
    Abort,
}

/// The 50 staged data bytes `q`, written one byte in place per clock, and the published copy `p`
/// that the bus shows: loaded from `q` on `publish`, zeroed on `zero`. Custom Verilog because
/// rust-hdl has no loop construct: its dynamic `replace_bit` chain synthesised to ~900 LUT4 on an
/// iCE40 (a comparator per bit), while a per-byte decode of `widx` is ~100; and because the
/// published copy written as a rust-hdl DFF cost a LUT4 per bit (~410), where written here it maps
/// onto the flip-flops' own enable and synchronous reset.
#[derive(LogicBlock, Default)]
pub struct ByteStore {
    pub clock: Signal<In, Clock>,
    pub clear: Signal<In, Bit>,
    pub we: Signal<In, Bit>,
    pub widx: Signal<In, Bits<6>>,
    pub wdata: Signal<In, Bits<8>>,
    pub publish: Signal<In, Bit>,
    pub zero: Signal<In, Bit>,
    pub q: Signal<Out, Bits<400>>,
    pub p: Signal<Out, Bits<400>>,
}

impl Logic for ByteStore {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.zero.val() {
                self.p.next = 0.into();
            } else if self.publish.val() {
                self.p.next = self.q.val();
            }
            if self.clear.val() {
                self.q.next = 0.into();
            } else if self.we.val() && self.widx.val().index() < 50 {
                let mut v = self.q.val();
                for k in 0..8 {
                    v = v.replace_bit(self.widx.val().index() * 8 + k, self.wdata.val().get_bit(k));
                }
                self.q.next = v;
            }
        }
    }
    fn connect(&mut self) {
        self.q.connect();
        self.p.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "\
integer i;
always @(posedge clock) begin
   if (zero) p <= 400'd0;
   else if (publish) p <= q;
   for (i = 0; i < 50; i = i + 1)
      if (clear) q[8*i +: 8] <= 8'h00;
      else if (we && ({26'd0, widx} == i)) q[8*i +: 8] <= wdata;
end
"
            .into(),
        )
    }
}

#[derive(LogicBlock)]
pub struct SfpFrontend {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// SFP LOS pin (asynchronous, high = no light): only reported in the flags here.
    pub los: Signal<In, Bit>,
    pub sda_in: Signal<In, Bit>,
    /// SCL wire level: a module may stretch the clock (see `i2c_master`).
    pub scl_in: Signal<In, Bit>,
    pub scl_oe: Signal<Out, Bit>,
    pub sda_oe: Signal<Out, Bit>,
    pub sfp_diag: Signal<Out, Bits<416>>,
    /// High = laser off (SFP TX_DISABLE); also the core's `ext_alarm`.
    pub tx_disable: Signal<Out, Bit>,
    /// Strobe: a poll ended and `sfp_diag` holds its result.
    pub poll_done: Signal<Out, Bit>,
    i2c: I2cMaster,
    state: DFF<PollState>,
    period: DFF<Bits<32>>,
    issued: DFF<Bit>,
    second: DFF<Bit>,
    addressed: DFF<Bit>,
    widx: DFF<Bits<6>>,
    left: DFF<Bits<6>>,
    store: ByteStore,
    present: DFF<Bit>,
    valid: DFF<Bit>,
    tripped: DFF<Bit>,
    polls: DFF<Bits<8>>,
    los1: DFF<Bit>,
    los2: DFF<Bit>,
    done_q: DFF<Bit>,
    period_last: Constant<Bits<32>>,
    issue: Signal<Local, Bit>,
    flags: Signal<Local, Bits<8>>,
    rx_live: Signal<Local, Bits<16>>,
    rx_high_alarm: Signal<Local, Bits<16>>,
}

impl SfpFrontend {
    /// `divisor`: clocks per I2C quarter bit; polls every 2^`poll_log2` clocks.
    pub fn new(divisor: u32, poll_log2: u32) -> Self {
        assert!(
            (8..=32).contains(&poll_log2),
            "sfp_frontend poll period 2^{poll_log2}: supported 2^8..=2^32 clocks"
        );
        SfpFrontend {
            clock: Default::default(),
            reset: Default::default(),
            los: Default::default(),
            sda_in: Default::default(),
            scl_in: Default::default(),
            scl_oe: Default::default(),
            sda_oe: Default::default(),
            sfp_diag: Default::default(),
            tx_disable: Default::default(),
            poll_done: Default::default(),
            i2c: I2cMaster::new(divisor),
            state: Default::default(),
            period: Default::default(),
            issued: Default::default(),
            second: Default::default(),
            addressed: Default::default(),
            widx: Default::default(),
            left: Default::default(),
            store: Default::default(),
            present: Default::default(),
            valid: Default::default(),
            tripped: Default::default(),
            polls: Default::default(),
            los1: Default::default(),
            los2: Default::default(),
            done_q: Default::default(),
            period_last: Constant::new(((1u64 << poll_log2) - 1).to_bits()),
            issue: Default::default(),
            flags: Default::default(),
            rx_live: Default::default(),
            rx_high_alarm: Default::default(),
        }
    }
}

impl Logic for SfpFrontend {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, i2c, store);
        dff_setup!(
            self, clock, state, period, issued, second, addressed, widx, left, present, valid,
            tripped, polls, los1, los2, done_q
        );
        self.i2c.reset.next = self.reset.val();
        self.i2c.sda_in.next = self.sda_in.val();
        self.i2c.scl_in.next = self.scl_in.val();
        self.scl_oe.next = self.i2c.scl_oe.val();
        self.sda_oe.next = self.i2c.sda_oe.val();
        self.los1.d.next = self.los.val();
        self.los2.d.next = self.los1.q.val();
        self.i2c.cmd.next = 0.into();
        self.i2c.cmd_valid.next = false;
        self.i2c.wdata.next = 0xA2.into();
        self.i2c.ack_send.next = self.left.q.val() != 1;
        self.issue.next = self.i2c.ready.val() & !self.issued.q.val();
        self.store.we.next = false;
        self.store.clear.next = self.reset.val();
        // The bus shows `p`: the last complete poll's bytes, zero after reset or a failed poll.
        self.store.publish.next = false;
        self.store.zero.next = self.reset.val();
        self.store.widx.next = self.widx.q.val();
        self.store.wdata.next = self.i2c.rdata.val();
        self.rx_live.next = (bit_cast::<16, 8>(self.store.q.val().get_bits::<8>(384)) << 8)
            | bit_cast::<16, 8>(self.store.q.val().get_bits::<8>(392));
        self.rx_high_alarm.next = (bit_cast::<16, 8>(self.store.q.val().get_bits::<8>(256)) << 8)
            | bit_cast::<16, 8>(self.store.q.val().get_bits::<8>(264));
        self.done_q.d.next = false;
        if self.period.q.val() == self.period_last.val() {
            self.period.d.next = 0.into();
        } else {
            self.period.d.next = self.period.q.val() + 1;
        }
        if self.issue.val()
            & (self.state.q.val() != PollState::Wait)
            & (self.state.q.val() != PollState::Finish)
        {
            self.issued.d.next = true;
            self.i2c.cmd_valid.next = true;
        }
        if self.i2c.done.val() {
            self.issued.d.next = false;
        }
        match self.state.q.val() {
            PollState::Wait => {
                if self.period.q.val() == self.period_last.val() {
                    self.state.d.next = PollState::Start1;
                    self.second.d.next = false;
                    self.addressed.d.next = false;
                    self.widx.d.next = 0.into();
                }
            }
            PollState::Start1 => {
                if self.i2c.done.val() {
                    self.state.d.next = PollState::Addr1;
                }
            }
            PollState::Addr1 => {
                self.i2c.cmd.next = 2.into();
                if self.i2c.done.val() {
                    if self.i2c.ack_recv.val() {
                        self.addressed.d.next = true;
                        self.state.d.next = PollState::Offset;
                    } else {
                        self.state.d.next = PollState::Abort;
                    }
                }
            }
            PollState::Offset => {
                self.i2c.cmd.next = 2.into();
                self.i2c.wdata.next = 0.into();
                if self.second.q.val() {
                    self.i2c.wdata.next = 96.into();
                }
                if self.i2c.done.val() {
                    if self.i2c.ack_recv.val() {
                        self.state.d.next = PollState::Start2;
                    } else {
                        self.state.d.next = PollState::Abort;
                    }
                }
            }
            PollState::Start2 => {
                if self.i2c.done.val() {
                    self.state.d.next = PollState::Addr2;
                }
            }
            PollState::Addr2 => {
                self.i2c.cmd.next = 2.into();
                self.i2c.wdata.next = 0xA3.into();
                self.left.d.next = 40.into();
                if self.second.q.val() {
                    self.left.d.next = 10.into();
                }
                if self.i2c.done.val() {
                    if self.i2c.ack_recv.val() {
                        self.state.d.next = PollState::Read;
                    } else {
                        self.state.d.next = PollState::Abort;
                    }
                }
            }
            PollState::Read => {
                self.i2c.cmd.next = 3.into();
                if self.i2c.done.val() {
                    self.store.we.next = true;
                    self.widx.d.next = self.widx.q.val() + 1;
                    self.left.d.next = self.left.q.val() - 1;
                    if self.left.q.val() == 1 {
                        self.state.d.next = PollState::Stop;
                    }
                }
            }
            PollState::Stop => {
                self.i2c.cmd.next = 1.into();
                if self.i2c.done.val() {
                    if self.second.q.val() {
                        self.state.d.next = PollState::Finish;
                    } else {
                        self.second.d.next = true;
                        self.state.d.next = PollState::Start1;
                    }
                }
            }
            PollState::Finish => {
                self.store.publish.next = true;
                self.present.d.next = true;
                self.valid.d.next = true;
                if self.rx_live.val() > self.rx_high_alarm.val() {
                    self.tripped.d.next = true;
                }
                self.polls.d.next = self.polls.q.val() + 1;
                self.done_q.d.next = true;
                self.state.d.next = PollState::Wait;
            }
            PollState::Abort => {
                self.i2c.cmd.next = 1.into();
                if self.i2c.done.val() {
                    self.present.d.next = self.addressed.q.val();
                    self.valid.d.next = false;
                    self.store.zero.next = true;
                    self.polls.d.next = self.polls.q.val() + 1;
                    self.done_q.d.next = true;
                    self.state.d.next = PollState::Wait;
                }
            }
            _ => {
                self.state.d.next = PollState::Wait;
            }
        }
        // SCL held low past the stretch timeout ends the poll like a NACK: STOP (which may time
        // out too), zeros published, not valid. The Abort state's own STOP ends it either way.
        if self.i2c.done.val() & self.i2c.bus_error.val() & (self.state.q.val() != PollState::Abort)
        {
            self.state.d.next = PollState::Abort;
            self.store.we.next = false;
        }
        self.flags.next = 0.into();
        self.flags.next = self
            .flags
            .val()
            .replace_bit(0, self.present.q.val())
            .replace_bit(1, self.valid.q.val())
            .replace_bit(2, self.tripped.q.val())
            .replace_bit(3, self.los2.q.val());
        self.sfp_diag.next = bit_cast::<416, 400>(self.store.p.val())
            | (bit_cast::<416, 8>(self.flags.val()) << 400)
            | (bit_cast::<416, 8>(self.polls.q.val()) << 408);
        self.tx_disable.next = self.tripped.q.val();
        self.poll_done.next = self.done_q.q.val();
        if self.reset.val() {
            self.state.d.next = PollState::Wait;
            // The first poll starts right after reset.
            self.period.d.next = self.period_last.val();
            self.issued.d.next = false;
            self.present.d.next = false;
            self.valid.d.next = false;
            self.tripped.d.next = false;
            self.polls.d.next = 0.into();
            self.done_q.d.next = false;
        }
    }
}

/// Verilog of `speckle_sfp_frontend`: 100 kHz I2C, a poll about every 40 ms at the profile's clock.
pub fn generate(p: &CoreParams, profile: &str) -> String {
    crate::emit::emit(
        "speckle_sfp_frontend",
        profile,
        SfpFrontend::new(quarter_divisor(p.clock_hz), poll_log2(p.clock_hz)),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn generates_for_both_profiles() {
        for profile in speckle_model::params::PROFILES {
            let p = speckle_model::params::CoreParams::profile(profile).unwrap();
            let v = super::generate(&p, profile);
            assert!(
                v.contains("module speckle_sfp_frontend(")
                    && v.contains("speckle_sfp_frontend$i2c"),
                "{profile}"
            );
        }
    }
}
