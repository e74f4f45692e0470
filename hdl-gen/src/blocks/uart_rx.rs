//! `speckle_uart_rx`: 8N1 receiver with a two-flip-flop synchroniser and mid-bit sampling.
//!
//! The line comes from the host, asynchronous to the core clock, so it passes two flip-flops before
//! any logic looks at it. A falling edge starts a character; the start bit is re-checked half a bit
//! later (a shorter low pulse is a glitch, not a start), then each bit is sampled one bit time
//! apart, at its middle. A low stop bit is a framing error: the byte is dropped, and the receiver
//! waits for the line to go high again so that a held-low line (break, unplugged cable) yields one
//! error, not a stream of zero bytes.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum RxState {
    Idle,
    Start,
    Data,
    Stop,
    WaitHigh,
}

/// Ports: `valid` strobes for one clock with the received byte on `data` (held until the next one);
/// `frame_error` strobes for one clock when a character's stop bit was low.
#[derive(LogicBlock)]
pub struct UartRx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rx: Signal<In, Bit>,
    pub data: Signal<Out, Bits<8>>,
    pub valid: Signal<Out, Bit>,
    pub frame_error: Signal<Out, Bit>,
    sync1: DFF<Bit>,
    sync2: DFF<Bit>,
    state: DFF<RxState>,
    baud: DFF<Bits<16>>,
    bit_index: DFF<Bits<3>>,
    shift: DFF<Bits<8>>,
    data_q: DFF<Bits<8>>,
    valid_q: DFF<Bit>,
    error_q: DFF<Bit>,
    divisor_m1: Constant<Bits<16>>,
    half_m1: Constant<Bits<16>>,
}

impl UartRx {
    pub fn new(divisor: u32) -> Self {
        assert!((4..=65536).contains(&divisor), "uart_rx divisor {divisor} must be 4..=65536");
        UartRx {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            frame_error: Default::default(),
            sync1: Default::default(),
            sync2: Default::default(),
            state: Default::default(),
            baud: Default::default(),
            bit_index: Default::default(),
            shift: Default::default(),
            data_q: Default::default(),
            valid_q: Default::default(),
            error_q: Default::default(),
            divisor_m1: Constant::new((divisor as u64 - 1).into()),
            half_m1: Constant::new((divisor as u64 / 2 - 1).into()),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, sync1, sync2, state, baud, bit_index, shift, data_q, valid_q, error_q
        );
        self.data.next = self.data_q.q.val();
        self.valid.next = self.valid_q.q.val();
        self.frame_error.next = self.error_q.q.val();
        self.sync1.d.next = self.rx.val();
        self.sync2.d.next = self.sync1.q.val();
        self.valid_q.d.next = false;
        self.error_q.d.next = false;
        if self.baud.q.val() != 0 {
            self.baud.d.next = self.baud.q.val() - 1;
        }
        match self.state.q.val() {
            RxState::Idle => {
                if !self.sync2.q.val() {
                    self.state.d.next = RxState::Start;
                    self.baud.d.next = self.half_m1.val();
                }
            }
            RxState::Start => {
                if self.baud.q.val() == 0 {
                    if self.sync2.q.val() {
                        self.state.d.next = RxState::Idle;
                    } else {
                        self.state.d.next = RxState::Data;
                        self.baud.d.next = self.divisor_m1.val();
                        self.bit_index.d.next = 0.into();
                    }
                }
            }
            RxState::Data => {
                if self.baud.q.val() == 0 {
                    self.shift.d.next = (self.shift.q.val() >> 1)
                        | (bit_cast::<8, 1>(self.sync2.q.val().into()) << 7);
                    self.baud.d.next = self.divisor_m1.val();
                    self.bit_index.d.next = self.bit_index.q.val() + 1;
                    if self.bit_index.q.val() == 7 {
                        self.state.d.next = RxState::Stop;
                    }
                }
            }
            RxState::Stop => {
                if self.baud.q.val() == 0 {
                    if self.sync2.q.val() {
                        self.data_q.d.next = self.shift.q.val();
                        self.valid_q.d.next = true;
                        self.state.d.next = RxState::Idle;
                    } else {
                        self.error_q.d.next = true;
                        self.state.d.next = RxState::WaitHigh;
                    }
                }
            }
            RxState::WaitHigh => {
                if self.sync2.q.val() {
                    self.state.d.next = RxState::Idle;
                }
            }
            _ => {
                self.state.d.next = RxState::Idle;
            }
        }
        if self.reset.val() {
            self.sync1.d.next = true;
            self.sync2.d.next = true;
            self.state.d.next = RxState::Idle;
            self.baud.d.next = 0.into();
            self.bit_index.d.next = 0.into();
            self.shift.d.next = 0.into();
            self.data_q.d.next = 0.into();
        }
    }
}

/// Verilog of `speckle_uart_rx` at the profile's baud divisor.
pub fn generate(p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_uart_rx", profile, UartRx::new(p.baud_divisor()))
}
