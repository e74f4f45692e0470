//! Reference model of `output_gate`: latches alarms, runs the startup test, counts failures and
//! decides when conditioned output may leave the core.
//!
//! Clock-accurate (one call per clock edge). Semantics:
//! - `los` and `ext_alarm` are asynchronous levels, synchronised by two flip-flops; while the
//!   synchronised level is high the LOS / external alarm bit is set.
//! - `alarms` bits: 0 RCT, 1 APT, 2 Markov, 3 LOS, 4 external. A fail strobe or level sets its
//!   bit; bits stay set until `clear_alarms`. A clear and a new alarm in the same clock leave the
//!   new alarm set.
//! - failure counters count fail strobes, saturating at 65535, and are only reset by reset.
//! - startup: the health tests report a sample's verdict one clock after its `sample_valid`, so
//!   the gate counts `sample_valid` delayed by one clock. A delayed valid with no alarm latched and
//!   no alarm arriving in that clock counts; when the count reaches [`STARTUP_SAMPLES`],
//!   `startup_done` rises. Any alarm zeroes the count; reset and `clear_alarms` zero the count and
//!   `startup_done`.
//! - `gate_open = startup_done && alarms == 0`.
//! - `flush` is high for the clock after an edge at which a new alarm bit was latched or
//!   `clear_alarms` was seen.

use crate::params::STARTUP_SAMPLES;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GateIn {
    pub rct_fail: bool,
    pub apt_fail: bool,
    pub markov_fail: bool,
    pub los: bool,
    pub ext_alarm: bool,
    pub clear_alarms: bool,
    pub sample_valid: bool,
    pub reset: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GateOut {
    pub alarms: u8,
    pub startup_done: bool,
    pub gate_open: bool,
    pub flush: bool,
    pub los_level: bool,
    pub rct_failures: u16,
    pub apt_failures: u16,
    pub markov_failures: u16,
}

#[derive(Clone, Debug, Default)]
pub struct OutputGate {
    los_sync: [bool; 2],
    ext_sync: [bool; 2],
    sv_delayed: bool,
    count: u32,
    out: GateOut,
}

impl OutputGate {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn clock(&mut self, i: GateIn) -> GateOut {
        let o = self.out;
        let new = u8::from(i.rct_fail)
            | u8::from(i.apt_fail) << 1
            | u8::from(i.markov_fail) << 2
            | u8::from(self.los_sync[1]) << 3
            | u8::from(self.ext_sync[1]) << 4;
        let base = if i.clear_alarms { 0 } else { o.alarms };
        let alarms = base | new;
        let flush = i.clear_alarms || (new & !o.alarms) != 0;
        let mut startup_done = o.startup_done && !i.clear_alarms;
        let mut count = self.count;
        if i.clear_alarms || (o.alarms | new) != 0 {
            count = 0;
        } else if self.sv_delayed && !o.startup_done {
            count += 1;
            if count == STARTUP_SAMPLES {
                startup_done = true;
            }
        }
        let sat = |c: u16, f: bool| if f { c.saturating_add(1) } else { c };
        let mut next = GateOut {
            alarms,
            startup_done,
            gate_open: false,
            flush,
            los_level: self.los_sync[0],
            rct_failures: sat(o.rct_failures, i.rct_fail),
            apt_failures: sat(o.apt_failures, i.apt_fail),
            markov_failures: sat(o.markov_failures, i.markov_fail),
        };
        let mut sv = i.sample_valid;
        if i.reset {
            next = GateOut { los_level: next.los_level, ..GateOut::default() };
            count = 0;
            sv = false;
        }
        next.gate_open = next.startup_done && next.alarms == 0;
        self.los_sync = [i.los, self.los_sync[0]];
        self.ext_sync = [i.ext_alarm, self.ext_sync[0]];
        self.sv_delayed = sv;
        self.count = count;
        self.out = next;
        next
    }

    pub fn out(&self) -> GateOut {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(g: &mut OutputGate, n: usize, i: GateIn) -> GateOut {
        let mut o = GateOut::default();
        for _ in 0..n {
            o = g.clock(i);
        }
        o
    }

    #[test]
    fn opens_after_startup_and_latches_alarms_until_clear() {
        let mut g = OutputGate::new();
        g.clock(GateIn { reset: true, ..Default::default() });
        let sv = GateIn { sample_valid: true, ..Default::default() };
        let o = run(&mut g, STARTUP_SAMPLES as usize, sv);
        assert!(!o.startup_done, "the delayed valid of the last sample has not counted yet");
        let o = g.clock(GateIn::default());
        assert!(o.startup_done && o.gate_open);
        let o = g.clock(GateIn { apt_fail: true, ..Default::default() });
        assert_eq!((o.alarms, o.gate_open, o.flush, o.apt_failures), (2, false, true, 1));
        let o = run(&mut g, 3000, sv);
        assert_eq!((o.alarms, o.flush, o.startup_done), (2, false, true));
        let o = g.clock(GateIn { clear_alarms: true, ..Default::default() });
        assert_eq!((o.alarms, o.flush, o.startup_done, o.apt_failures), (0, true, false, 1));
    }

    #[test]
    fn los_level_relatches_after_clear_and_blocks_startup() {
        let mut g = OutputGate::new();
        g.clock(GateIn { reset: true, ..Default::default() });
        let los = GateIn { los: true, sample_valid: true, ..Default::default() };
        let o = run(&mut g, 3, los);
        assert_eq!(o.alarms, 8);
        let o = g.clock(GateIn { clear_alarms: true, ..los });
        assert_eq!(o.alarms, 8, "LOS still high: the clear does not take");
        let o = run(&mut g, 5000, los);
        assert!(!o.startup_done);
    }
}
