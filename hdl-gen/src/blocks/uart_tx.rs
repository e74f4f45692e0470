//! `speckle_uart_tx`: 8N1 transmitter, one bit every `clock_hz / baud` clocks.
//!
//! The whole character (start, 8 data bits LSB first, stop) is loaded into one 10-bit shift
//! register whose bit 0 *is* the pin, so `tx` comes straight from a flip-flop: no glitches on the
//! line between bits, and idle (all ones) is just the register's fill value.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

/// Ports: a byte moves on `valid && ready`; its start bit is on the pin from the next clock and
/// `ready` comes back in the last clock of its stop bit, so back-to-back characters take exactly
/// 10 bit times each.
#[derive(LogicBlock)]
pub struct UartTx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub data: Signal<In, Bits<8>>,
    pub valid: Signal<In, Bit>,
    pub ready: Signal<Out, Bit>,
    pub tx: Signal<Out, Bit>,
    shift: DFF<Bits<10>>,
    busy: DFF<Bit>,
    baud: DFF<Bits<16>>,
    bits_left: DFF<Bits<4>>,
    /// `last` one clock ahead: the stop bit's last clock follows the clock with `baud == 1` and no
    /// bits left (the divisor is at least 4, so there is no other way in). A flip-flop, because
    /// `ready` feeds the framer's handshakes and the command parser's ACK check in the same clock.
    last_q: DFF<Bit>,
    divisor_m1: Constant<Bits<16>>,
    last: Signal<Local, Bit>,
}

impl UartTx {
    pub fn new(divisor: u32) -> Self {
        assert!((4..=65536).contains(&divisor), "uart_tx divisor {divisor} must be 4..=65536");
        UartTx {
            clock: Default::default(),
            reset: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            ready: Default::default(),
            tx: Default::default(),
            shift: Default::default(),
            busy: Default::default(),
            baud: Default::default(),
            bits_left: Default::default(),
            last_q: Default::default(),
            divisor_m1: Constant::new((divisor as u64 - 1).into()),
            last: Default::default(),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, shift, busy, baud, bits_left, last_q);
        // The stop bit's last clock: the next character may start right after it.
        self.last.next = self.last_q.q.val();
        self.last_q.d.next = self.busy.q.val()
            & !self.last_q.q.val()
            & (self.bits_left.q.val() == 0)
            & (self.baud.q.val() == 1);
        self.tx.next = self.shift.q.val().get_bit(0);
        self.ready.next = !self.busy.q.val() | self.last.val();
        if self.busy.q.val() & !self.last.val() {
            if self.baud.q.val() == 0 {
                self.baud.d.next = self.divisor_m1.val();
                self.shift.d.next = (self.shift.q.val() >> 1) | bits::<10>(0x200);
                self.bits_left.d.next = self.bits_left.q.val() - 1;
            } else {
                self.baud.d.next = self.baud.q.val() - 1;
            }
        } else if self.valid.val() {
            // {stop = 1, data, start = 0}
            self.shift.d.next = (bit_cast::<10, 8>(self.data.val()) << 1) | bits::<10>(0x200);
            self.busy.d.next = true;
            self.baud.d.next = self.divisor_m1.val();
            self.bits_left.d.next = 9.into();
        } else if self.last.val() {
            self.shift.d.next = 0x3FF.into();
            self.busy.d.next = false;
        }
        if self.reset.val() {
            self.shift.d.next = 0x3FF.into();
            self.busy.d.next = false;
            self.baud.d.next = 0.into();
            self.bits_left.d.next = 0.into();
            self.last_q.d.next = false;
        }
    }
}

/// Verilog of `speckle_uart_tx` at the profile's baud divisor.
pub fn generate(p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_uart_tx", profile, UartTx::new(p.baud_divisor()))
}
