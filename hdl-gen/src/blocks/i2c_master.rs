//! `speckle_i2c_master`: byte-level I2C master for the SFP's management bus (open drain).
//!
//! One command at a time (START, STOP, write a byte and read the ACK, read a byte and send
//! ACK/NACK); the sequencing of whole transactions is the user's (`sfp_frontend`). Each bus element
//! is four quarter periods; the pins come straight from flip-flops so SCL and SDA never glitch,
//! and SDA from the slave passes a 2-FF synchroniser before it is sampled (end of quarter 2, SCL
//! high). Clock stretching: at the end of quarter 1 the master looks at SCL (also synchronised);
//! while a slave holds it low the bit waits, and once it reads high quarter 1 starts again, so the
//! high phase is timed from the moment SCL really went high. A stretch longer than
//! `model::i2c_master::STRETCH_TIMEOUT_QUARTERS` quarters ends the command with `bus_error`.
//! Cycle-accurate reference: model/src/i2c_master.rs.

use rust_hdl::prelude::*;
use speckle_model::i2c_master::{quarter_divisor, STRETCH_TIMEOUT_QUARTERS};
use speckle_model::params::CoreParams;

/// `cmd`: 0 START, 1 STOP, 2 WRITE `wdata`, 3 READ (then send ACK when `ack_send`). A command is
/// taken when `cmd_valid` and `ready`; `done` strobes when it finished, with `rdata` / `ack_recv`
/// (slave ACKed the written byte) valid from then on, and `bus_error` (SCL held low past the
/// stretch timeout; `ack_recv` then reads low). `scl_oe`/`sda_oe` high = pull the line low.
#[derive(LogicBlock)]
pub struct I2cMaster {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cmd: Signal<In, Bits<2>>,
    pub cmd_valid: Signal<In, Bit>,
    pub wdata: Signal<In, Bits<8>>,
    pub ack_send: Signal<In, Bit>,
    pub ready: Signal<Out, Bit>,
    pub done: Signal<Out, Bit>,
    pub rdata: Signal<Out, Bits<8>>,
    pub ack_recv: Signal<Out, Bit>,
    pub bus_error: Signal<Out, Bit>,
    pub sda_in: Signal<In, Bit>,
    /// SCL wire level (asynchronous; 2-FF synchroniser inside): a slave may hold it low.
    pub scl_in: Signal<In, Bit>,
    pub scl_oe: Signal<Out, Bit>,
    pub sda_oe: Signal<Out, Bit>,
    busy: DFF<Bit>,
    kind: DFF<Bits<2>>,
    phase: DFF<Bits<2>>,
    bit_n: DFF<Bits<4>>,
    div: DFF<Bits<16>>,
    shift: DFF<Bits<8>>,
    rx: DFF<Bits<8>>,
    ack_q: DFF<Bit>,
    ack_in: DFF<Bit>,
    scl_q: DFF<Bit>,
    sda_q: DFF<Bit>,
    sync1: DFF<Bit>,
    sync2: DFF<Bit>,
    done_q: DFF<Bit>,
    scl1: DFF<Bit>,
    scl2: DFF<Bit>,
    /// Quarter 1 ended with SCL low: a slave stretches the clock.
    stretching: DFF<Bit>,
    /// Quarters waited in this stretch.
    stall: DFF<Bits<14>>,
    err: DFF<Bit>,
    divisor_m1: Constant<Bits<16>>,
    stall_last: Constant<Bits<14>>,
    scl_l: Signal<Local, Bit>,
    sda_l: Signal<Local, Bit>,
    byte_op: Signal<Local, Bit>,
}

impl I2cMaster {
    pub fn new(divisor: u32) -> Self {
        assert!((4..=65536).contains(&divisor), "i2c_master divisor {divisor} must be 4..=65536");
        I2cMaster {
            clock: Default::default(),
            reset: Default::default(),
            cmd: Default::default(),
            cmd_valid: Default::default(),
            wdata: Default::default(),
            ack_send: Default::default(),
            ready: Default::default(),
            done: Default::default(),
            rdata: Default::default(),
            ack_recv: Default::default(),
            bus_error: Default::default(),
            sda_in: Default::default(),
            scl_in: Default::default(),
            scl_oe: Default::default(),
            sda_oe: Default::default(),
            busy: Default::default(),
            kind: Default::default(),
            phase: Default::default(),
            bit_n: Default::default(),
            div: Default::default(),
            shift: Default::default(),
            rx: Default::default(),
            ack_q: Default::default(),
            ack_in: Default::default(),
            scl_q: Default::default(),
            sda_q: Default::default(),
            sync1: Default::default(),
            sync2: Default::default(),
            done_q: Default::default(),
            scl1: Default::default(),
            scl2: Default::default(),
            stretching: Default::default(),
            stall: Default::default(),
            err: Default::default(),
            divisor_m1: Constant::new((divisor as u64 - 1).into()),
            stall_last: Constant::new((STRETCH_TIMEOUT_QUARTERS - 1).into()),
            scl_l: Default::default(),
            sda_l: Default::default(),
            byte_op: Default::default(),
        }
    }
}

impl Logic for I2cMaster {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, busy, kind, phase, bit_n, div, shift, rx, ack_q, ack_in, scl_q, sda_q,
            sync1, sync2, done_q, scl1, scl2, stretching, stall, err
        );
        self.ready.next = !self.busy.q.val();
        self.done.next = self.done_q.q.val();
        self.rdata.next = self.rx.q.val();
        self.ack_recv.next = self.ack_in.q.val();
        self.bus_error.next = self.err.q.val();
        self.scl1.d.next = self.scl_in.val();
        self.scl2.d.next = self.scl1.q.val();
        self.scl_oe.next = !self.scl_q.q.val();
        self.sda_oe.next = !self.sda_q.q.val();
        self.sync1.d.next = self.sda_in.val();
        self.sync2.d.next = self.sync1.q.val();
        self.byte_op.next = self.kind.q.val().get_bit(1);
        // Line levels (1 = released) the current quarter asks for.
        self.scl_l.next = (self.phase.q.val() == 1) | (self.phase.q.val() == 2);
        self.sda_l.next = true;
        if self.kind.q.val() == 0 {
            self.sda_l.next = !self.phase.q.val().get_bit(1);
        } else if self.kind.q.val() == 1 {
            self.scl_l.next = self.phase.q.val() != 0;
            self.sda_l.next = self.phase.q.val().get_bit(1);
        } else if self.kind.q.val() == 2 {
            self.sda_l.next = (self.bit_n.q.val() == 8) | self.shift.q.val().get_bit(7);
        } else if self.bit_n.q.val() == 8 {
            self.sda_l.next = !self.ack_q.q.val();
        }
        self.done_q.d.next = false;
        if self.busy.q.val() {
            self.scl_q.d.next = self.scl_l.val();
            self.sda_q.d.next = self.sda_l.val();
            if self.stretching.q.val() {
                // SCL released (quarter 1) but read low: wait for it, restarting quarter 1 when
                // it reads high so the high phase is timed from the real rising edge.
                if self.scl2.q.val() {
                    self.stretching.d.next = false;
                    self.div.d.next = self.divisor_m1.val();
                } else if self.div.q.val() == 0 {
                    self.div.d.next = self.divisor_m1.val();
                    if self.stall.q.val() == self.stall_last.val() {
                        self.stretching.d.next = false;
                        self.busy.d.next = false;
                        self.done_q.d.next = true;
                        self.err.d.next = true;
                        self.ack_in.d.next = false;
                        self.sda_q.d.next = true;
                    } else {
                        self.stall.d.next = self.stall.q.val() + 1;
                    }
                } else {
                    self.div.d.next = self.div.q.val() - 1;
                }
            } else if self.div.q.val() == 0 {
                self.div.d.next = self.divisor_m1.val();
                if (self.phase.q.val() == 1) & !self.scl2.q.val() {
                    self.stretching.d.next = true;
                    self.stall.d.next = 0.into();
                } else {
                    if (self.phase.q.val() == 2) & self.byte_op.val() {
                        if self.bit_n.q.val() == 8 {
                            self.ack_in.d.next = !self.sync2.q.val();
                        } else {
                            self.rx.d.next = (self.rx.q.val() << 1)
                                | bit_cast::<8, 1>(self.sync2.q.val().into());
                        }
                    }
                    if self.phase.q.val() == 3 {
                        if !self.byte_op.val() | (self.bit_n.q.val() == 8) {
                            self.busy.d.next = false;
                            self.done_q.d.next = true;
                        } else {
                            self.bit_n.d.next = self.bit_n.q.val() + 1;
                            self.phase.d.next = 0.into();
                            self.shift.d.next = self.shift.q.val() << 1;
                        }
                    } else {
                        self.phase.d.next = self.phase.q.val() + 1;
                    }
                }
            } else {
                self.div.d.next = self.div.q.val() - 1;
            }
        } else if self.cmd_valid.val() {
            self.busy.d.next = true;
            self.kind.d.next = self.cmd.val();
            self.phase.d.next = 0.into();
            self.bit_n.d.next = 0.into();
            self.div.d.next = self.divisor_m1.val();
            self.shift.d.next = self.wdata.val();
            self.ack_q.d.next = self.ack_send.val();
            self.err.d.next = false;
        }
        if self.reset.val() {
            self.busy.d.next = false;
            self.kind.d.next = 0.into();
            self.phase.d.next = 0.into();
            self.div.d.next = 0.into();
            self.scl_q.d.next = true;
            self.sda_q.d.next = true;
            self.sync1.d.next = true;
            self.sync2.d.next = true;
            self.scl1.d.next = true;
            self.scl2.d.next = true;
            self.stretching.d.next = false;
            self.err.d.next = false;
            self.done_q.d.next = false;
        }
    }
}

/// Verilog of `speckle_i2c_master` at 100 kHz SCL for the profile's clock.
pub fn generate(p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_i2c_master", profile, I2cMaster::new(quarter_divisor(p.clock_hz)))
}
