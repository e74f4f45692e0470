//! `output_gate`: the core's single point of truth about whether conditioned output may leave.
//!
//! Why a separate block: every alarm source (three health tests, SFP loss of signal, the external
//! interlock) must close the gate the same way, stay latched until the host explicitly clears it
//! (an intermittent fault must not heal silently), and restart the SP 800-90B startup test
//! (1024 samples with no failure) after every clear. The `flush` strobe it raises when an alarm
//! latches is what empties the holdback buffer and aborts the conditioner's partial block, which
//! gives the no-unhealthy-output guarantee of docs/core.md. The asynchronous `los` / `ext_alarm`
//! levels get their own 2-FF synchronisers here. Semantics: model/src/output_gate.rs.

use rust_hdl::prelude::*;
use speckle_model::params::{CoreParams, STARTUP_SAMPLES};

#[derive(LogicBlock)]
pub struct OutputGate {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rct_fail: Signal<In, Bit>,
    pub apt_fail: Signal<In, Bit>,
    pub markov_fail: Signal<In, Bit>,
    pub los: Signal<In, Bit>,
    pub ext_alarm: Signal<In, Bit>,
    pub clear_alarms: Signal<In, Bit>,
    pub sample_valid: Signal<In, Bit>,
    /// Latched alarms: bit0 RCT, bit1 APT, bit2 Markov, bit3 LOS, bit4 external.
    pub alarms: Signal<Out, Bits<5>>,
    pub startup_done: Signal<Out, Bit>,
    pub gate_open: Signal<Out, Bit>,
    pub flush: Signal<Out, Bit>,
    /// Synchronised LOS level (STATUS `state` bit 3).
    pub los_level: Signal<Out, Bit>,
    pub rct_failures: Signal<Out, Bits<16>>,
    pub apt_failures: Signal<Out, Bits<16>>,
    pub markov_failures: Signal<Out, Bits<16>>,
    los_s1: DFF<Bit>,
    los_s2: DFF<Bit>,
    ext_s1: DFF<Bit>,
    ext_s2: DFF<Bit>,
    a_rct: DFF<Bit>,
    a_apt: DFF<Bit>,
    a_markov: DFF<Bit>,
    a_los: DFF<Bit>,
    a_ext: DFF<Bit>,
    sv_d: DFF<Bit>,
    count: DFF<Bits<11>>,
    startup: DFF<Bit>,
    flush_q: DFF<Bit>,
    /// `gate_open` as a register: the next value of `startup & !latched`, so that the core's
    /// `hold` (and through it the conditioner's abort) starts from a flip-flop, not from the
    /// alarm latches' OR (the ECP5 critical path, docs/fpga-results.md). Same value every clock.
    open_q: DFF<Bit>,
    rct_n: DFF<Bits<16>>,
    apt_n: DFF<Bits<16>>,
    markov_n: DFF<Bits<16>>,
    latched: Signal<Local, Bit>,
    arriving: Signal<Local, Bit>,
    fresh: Signal<Local, Bit>,
    startup_samples: Constant<Bits<11>>,
    saturated: Constant<Bits<16>>,
    zero5: Constant<Bits<5>>,
}

impl Default for OutputGate {
    fn default() -> Self {
        OutputGate {
            clock: Default::default(),
            reset: Default::default(),
            rct_fail: Default::default(),
            apt_fail: Default::default(),
            markov_fail: Default::default(),
            los: Default::default(),
            ext_alarm: Default::default(),
            clear_alarms: Default::default(),
            sample_valid: Default::default(),
            alarms: Default::default(),
            startup_done: Default::default(),
            gate_open: Default::default(),
            flush: Default::default(),
            los_level: Default::default(),
            rct_failures: Default::default(),
            apt_failures: Default::default(),
            markov_failures: Default::default(),
            los_s1: Default::default(),
            los_s2: Default::default(),
            ext_s1: Default::default(),
            ext_s2: Default::default(),
            a_rct: Default::default(),
            a_apt: Default::default(),
            a_markov: Default::default(),
            a_los: Default::default(),
            a_ext: Default::default(),
            sv_d: Default::default(),
            count: Default::default(),
            startup: Default::default(),
            flush_q: Default::default(),
            open_q: Default::default(),
            rct_n: Default::default(),
            apt_n: Default::default(),
            markov_n: Default::default(),
            latched: Default::default(),
            arriving: Default::default(),
            fresh: Default::default(),
            startup_samples: Constant::new((STARTUP_SAMPLES as u64).to_bits()),
            saturated: Constant::new(0xFFFF_u64.to_bits()),
            zero5: Constant::new(0_u64.to_bits()),
        }
    }
}

impl Logic for OutputGate {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, los_s1, los_s2, ext_s1, ext_s2, a_rct, a_apt, a_markov, a_los, a_ext,
            sv_d, count, startup, flush_q, open_q, rct_n, apt_n, markov_n
        );
        self.los_s1.d.next = self.los.val();
        self.los_s2.d.next = self.los_s1.q.val();
        self.ext_s1.d.next = self.ext_alarm.val();
        self.ext_s2.d.next = self.ext_s1.q.val();
        self.sv_d.d.next = self.sample_valid.val();
        self.latched.next = self.a_rct.q.val()
            | self.a_apt.q.val()
            | self.a_markov.q.val()
            | self.a_los.q.val()
            | self.a_ext.q.val();
        self.arriving.next = self.rct_fail.val()
            | self.apt_fail.val()
            | self.markov_fail.val()
            | self.los_s2.q.val()
            | self.ext_s2.q.val();
        // A bit that was clear and is being set now.
        self.fresh.next = (self.rct_fail.val() & !self.a_rct.q.val())
            | (self.apt_fail.val() & !self.a_apt.q.val())
            | (self.markov_fail.val() & !self.a_markov.q.val())
            | (self.los_s2.q.val() & !self.a_los.q.val())
            | (self.ext_s2.q.val() & !self.a_ext.q.val());
        if self.clear_alarms.val() {
            self.a_rct.d.next = self.rct_fail.val();
            self.a_apt.d.next = self.apt_fail.val();
            self.a_markov.d.next = self.markov_fail.val();
            self.a_los.d.next = self.los_s2.q.val();
            self.a_ext.d.next = self.ext_s2.q.val();
        } else {
            self.a_rct.d.next = self.a_rct.q.val() | self.rct_fail.val();
            self.a_apt.d.next = self.a_apt.q.val() | self.apt_fail.val();
            self.a_markov.d.next = self.a_markov.q.val() | self.markov_fail.val();
            self.a_los.d.next = self.a_los.q.val() | self.los_s2.q.val();
            self.a_ext.d.next = self.a_ext.q.val() | self.ext_s2.q.val();
        }
        self.flush_q.d.next = self.clear_alarms.val() | self.fresh.val();
        if self.clear_alarms.val() {
            self.startup.d.next = false;
        }
        if self.clear_alarms.val() | self.latched.val() | self.arriving.val() {
            self.count.d.next = 0.into();
        } else if self.sv_d.q.val() & !self.startup.q.val() {
            self.count.d.next = self.count.q.val() + 1;
            if (self.count.q.val() + 1) == self.startup_samples.val() {
                self.startup.d.next = true;
            }
        }
        // startup.d & !(any a_*.d), written out: cleared, any alarm latched or arriving closes it;
        // otherwise it is open once the startup test has passed or passes in this clock.
        self.open_q.d.next = !self.clear_alarms.val()
            & !self.latched.val()
            & !self.arriving.val()
            & (self.startup.q.val()
                | (self.sv_d.q.val() & ((self.count.q.val() + 1) == self.startup_samples.val())));
        if self.rct_fail.val() & (self.rct_n.q.val() != self.saturated.val()) {
            self.rct_n.d.next = self.rct_n.q.val() + 1;
        }
        if self.apt_fail.val() & (self.apt_n.q.val() != self.saturated.val()) {
            self.apt_n.d.next = self.apt_n.q.val() + 1;
        }
        if self.markov_fail.val() & (self.markov_n.q.val() != self.saturated.val()) {
            self.markov_n.d.next = self.markov_n.q.val() + 1;
        }
        if self.reset.val() {
            self.a_rct.d.next = false;
            self.a_apt.d.next = false;
            self.a_markov.d.next = false;
            self.a_los.d.next = false;
            self.a_ext.d.next = false;
            self.sv_d.d.next = false;
            self.count.d.next = 0.into();
            self.startup.d.next = false;
            self.flush_q.d.next = false;
            self.open_q.d.next = false;
            self.rct_n.d.next = 0.into();
            self.apt_n.d.next = 0.into();
            self.markov_n.d.next = 0.into();
        }
        self.alarms.next = self
            .zero5
            .val()
            .replace_bit(0, self.a_rct.q.val())
            .replace_bit(1, self.a_apt.q.val())
            .replace_bit(2, self.a_markov.q.val())
            .replace_bit(3, self.a_los.q.val())
            .replace_bit(4, self.a_ext.q.val());
        self.startup_done.next = self.startup.q.val();
        self.gate_open.next = self.open_q.q.val();
        self.flush.next = self.flush_q.q.val();
        self.los_level.next = self.los_s2.q.val();
        self.rct_failures.next = self.rct_n.q.val();
        self.apt_failures.next = self.apt_n.q.val();
        self.markov_failures.next = self.markov_n.q.val();
    }
}

pub fn generate(_p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_output_gate", profile, OutputGate::default())
}
