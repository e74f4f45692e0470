//! `speckle_sfp_frontend` under Verilator against the simulated SFP module of sim/src/sfp.rs (an
//! SFF-8472 A2h I2C slave, open-drain SDA/SCL resolved every clock): normal polls, over-power (the
//! interlock trips within the bound of model/src/sfp_frontend.rs and latches), module absent (NACK)
//! and LOS. After every poll the whole 52-byte `sfp_diag` bus must equal the reference model's
//! payload for what the module held.

#[allow(dead_code)]
#[path = "../../sim/src/sfp.rs"]
mod sfp;

use rtl_sim::{Model, PortId};
use sfp::{default_thresholds, SfpModule};
use speckle_model::i2c_master::{quarter_divisor, timeout_command_clocks};
use speckle_model::params::CoreParams;
use speckle_model::protocol::{SfpDiag, SfpFlags, SFP_DIAG_LEN};
use speckle_model::sfp_frontend::{
    poll_clocks, poll_log2, stuck_scl_poll_bound_clocks, trip_bound_clocks, SfpFrontend,
};

struct Bench {
    m: Model,
    clock: PortId,
    los_pin: PortId,
    sda_in: PortId,
    scl_in: PortId,
    scl_oe: PortId,
    sda_oe: PortId,
    diag: PortId,
    tx_disable: PortId,
    poll_done: PortId,
    module: SfpModule,
    /// Module unplugged: nobody answers on the bus.
    absent: bool,
    /// SCL shorted low (a wire fault, or a module that never lets go).
    scl_stuck: bool,
    slave_low: bool,
    los: bool,
    reference: SfpFrontend,
    cycle: u64,
    clock_hz: u64,
}

impl Bench {
    fn new(profile: &str) -> Bench {
        if let Some(why) = rtl_sim::unavailable_reason() {
            panic!("no Verilator model of speckle_sfp_frontend: {why}");
        }
        let mut m = Model::new(profile, "speckle_sfp_frontend").unwrap_or_else(|e| panic!("{e}"));
        let p = |m: &Model, n: &str| m.port(n).unwrap_or_else(|e| panic!("{e}"));
        let (clock, reset) = (p(&m, "clock"), p(&m, "reset"));
        let mut module = SfpModule::new(&default_thresholds());
        module.update_live(40.0, 3.3, 6.0, 0.3, 0.2, false);
        Bench {
            clock,
            los_pin: p(&m, "los"),
            sda_in: p(&m, "sda_in"),
            scl_in: p(&m, "scl_in"),
            scl_oe: p(&m, "scl_oe"),
            sda_oe: p(&m, "sda_oe"),
            diag: p(&m, "sfp_diag"),
            tx_disable: p(&m, "tx_disable"),
            poll_done: p(&m, "poll_done"),
            module,
            absent: false,
            scl_stuck: false,
            slave_low: false,
            los: false,
            reference: SfpFrontend::default(),
            cycle: 0,
            clock_hz: CoreParams::profile(profile).unwrap().clock_hz,
            m: {
                m.set(reset, 1);
                m.set(p(&m, "sda_in"), 1);
                m.set(p(&m, "scl_in"), 1);
                m.tick(clock);
                m.set(reset, 0);
                m
            },
        }
    }

    /// One clock with the bus resolved as open drain: a line is low if anyone pulls it (SCL: the
    /// master, a stretching module, or a short).
    fn step(&mut self) {
        let module_holds_scl = !self.absent && self.module.scl_low();
        let scl = self.m.get(self.scl_oe) == 0 && !module_holds_scl && !self.scl_stuck;
        let sda_master = self.m.get(self.sda_oe) == 0;
        if !self.absent {
            self.slave_low = self.module.tick(scl, sda_master && !self.slave_low);
        } else {
            self.slave_low = false;
        }
        self.m.set(self.sda_in, (sda_master && !self.slave_low) as u64);
        self.m.set(self.scl_in, scl as u64);
        self.m.set(self.los_pin, self.los as u64);
        self.m.tick(self.clock);
        self.cycle += 1;
    }

    fn payload(&self) -> [u8; SFP_DIAG_LEN] {
        let words = self.m.get_wide(self.diag);
        let mut out = [0u8; SFP_DIAG_LEN];
        for (i, b) in out.iter_mut().enumerate() {
            *b = (words[i / 4] >> (8 * (i % 4))) as u8;
        }
        out
    }

    /// Runs to the end of the next poll (bounded by one period plus one poll) and checks the bus
    /// against the reference model fed with what the module holds.
    fn poll(&mut self) -> [u8; SFP_DIAG_LEN] {
        let limit = self.cycle
            + (1u64 << poll_log2(self.clock_hz))
            + stuck_scl_poll_bound_clocks(self.clock_hz)
            + 16;
        while self.m.get(self.poll_done) == 0 {
            assert!(self.cycle < limit, "no poll finished by clock {}", self.cycle);
            self.step();
        }
        let (thr, live) = if self.absent || self.scl_stuck {
            (None, None)
        } else {
            let mem = &self.module.mem;
            (Some(mem[..40].try_into().unwrap()), Some(mem[96..106].try_into().unwrap()))
        };
        let want = self.reference.poll(thr, live, thr.is_some(), self.los);
        let got = self.payload();
        assert_eq!(got, want, "sfp_diag after poll {} (clock {})", want[51], self.cycle);
        assert_eq!(
            self.m.get(self.tx_disable) == 1,
            self.reference.tx_disable(),
            "tx_disable after poll {}",
            want[51]
        );
        self.step();
        got
    }
}

fn normal(profile: &str) {
    let mut b = Bench::new(profile);
    let first = b.poll();
    // The first poll starts right after reset and takes one poll's time.
    let expected = poll_clocks(b.clock_hz);
    assert_eq!(b.cycle, expected, "{profile}: clocks from reset to the end of the first poll");
    let d = SfpDiag::parse(&first).unwrap();
    assert!(
        d.flags.has(SfpFlags::PRESENT)
            && d.flags.has(SfpFlags::DIAG_VALID)
            && !d.flags.has(SfpFlags::INTERLOCK)
    );
    assert!(
        (d.rx_power_mw() - 0.2).abs() < 1e-3 && (d.temperature_c() - 40.0).abs() < 0.01,
        "{d:?}"
    );
    b.module.update_live(55.5, 3.21, 7.5, 0.4, 0.9, false);
    let start = b.cycle;
    let d = SfpDiag::parse(&b.poll()).unwrap();
    let period = 1u64 << poll_log2(b.clock_hz);
    assert_eq!(b.cycle - start, period, "{profile}: clocks between the ends of two polls");
    assert!(
        (d.rx_power_mw() - 0.9).abs() < 1e-3
            && (d.temperature_c() - 55.5).abs() < 0.01
            && d.poll_counter == 2
    );
    assert_eq!(b.m.get(b.tx_disable), 0, "0.9 mW is below the 1 mW high alarm");
}

#[test]
fn ice40_normal_polls_match_the_model() {
    normal("ice40");
}

#[test]
fn ecp5_normal_polls_match_the_model() {
    normal("ecp5");
}

/// RX power goes above the high alarm right after a poll read the live bytes (the worst case):
/// TX_DISABLE must follow within the bound and stay high when the power drops again.
#[test]
fn over_power_trips_the_interlock_within_one_poll_period_and_latches() {
    let mut b = Bench::new("ice40");
    b.poll();
    b.module.update_live(40.0, 3.3, 6.0, 0.3, 1.6, false);
    let onset = b.cycle;
    while b.m.get(b.tx_disable) == 0 {
        assert!(
            b.cycle - onset <= trip_bound_clocks(b.clock_hz),
            "no trip {} clocks after the onset",
            b.cycle - onset
        );
        b.step();
    }
    let latency = b.cycle - onset;
    let period = 1u64 << poll_log2(b.clock_hz);
    assert!(
        latency > period / 2,
        "tripped after {latency} clocks: before the next poll could have seen it?"
    );
    // The poll that tripped it: its payload carries the interlock flag.
    let tripped = b.poll();
    assert!(SfpFlags(tripped[50]).has(SfpFlags::INTERLOCK));
    b.module.update_live(40.0, 3.3, 6.0, 0.3, 0.1, false);
    let d = SfpDiag::parse(&b.poll()).unwrap();
    assert!(d.flags.has(SfpFlags::INTERLOCK) && b.m.get(b.tx_disable) == 1, "the trip must latch");
    assert!((d.rx_power_mw() - 0.1).abs() < 1e-3);
}

#[test]
fn absent_module_nacks_and_reads_as_not_present() {
    let mut b = Bench::new("ice40");
    b.absent = true;
    let p = b.poll();
    assert_eq!(&p[..50], &[0u8; 50][..]);
    assert_eq!(p[50] & (SfpFlags::PRESENT | SfpFlags::DIAG_VALID), 0);
    // An absent module is no over-power: the laser stays enabled.
    assert_eq!(b.m.get(b.tx_disable), 0);
    b.absent = false;
    let p = b.poll();
    assert!(SfpFlags(p[50]).has(SfpFlags::DIAG_VALID) && p[51] == 2);
    // Pulled out again: the old values must not linger.
    b.absent = true;
    let p = b.poll();
    assert_eq!((&p[..50], p[50] & SfpFlags::DIAG_VALID), (&[0u8; 50][..], 0));
}

#[test]
fn los_pin_shows_in_the_flags_within_three_clocks() {
    let mut b = Bench::new("ice40");
    b.poll();
    for level in [true, false, true] {
        b.los = level;
        for _ in 0..3 {
            b.step();
        }
        assert_eq!(SfpFlags(b.payload()[50]).has(SfpFlags::LOS), level);
    }
    let p = b.poll();
    assert!(SfpFlags(p[50]).has(SfpFlags::LOS) && SfpFlags(p[50]).has(SfpFlags::DIAG_VALID));
    assert_eq!(b.m.get(b.tx_disable), 0, "LOS alone is no interlock");
}

/// The framer reads `sfp_diag` live, so the bus must never show a torn payload: on every clock it
/// is the previous poll's complete payload until the clock of `poll_done`, then the new one. Every
/// data byte of the module is changed between polls, so a bus written byte by byte during the poll
/// (the old RTL) would differ from both at once. The last poll loses the module after the 40
/// threshold bytes: that aborted poll must publish its zeros in one clock too, never the staged
/// thresholds. TX_DISABLE may only move with `poll_done` as well.
#[test]
fn sfp_diag_moves_only_at_poll_done_and_is_never_torn() {
    let mut b = Bench::new("ice40");
    let mut shown = b.payload();
    assert_eq!(shown, [0u8; SFP_DIAG_LEN], "bus after reset");
    let rounds = 4;
    for round in 0..rounds {
        let abort_midway = round == rounds - 1;
        if round > 0 {
            // Every threshold and live byte different from what the bus shows.
            for (k, &prev) in shown[..50].iter().enumerate() {
                let addr = if k < 40 { k } else { 96 + k - 40 };
                b.module.mem[addr] = !prev ^ (round as u8);
            }
            assert!(b.module.mem[..40].iter().zip(&shown[..40]).all(|(m, s)| m != s));
            assert!(b.module.mem[96..106].iter().zip(&shown[40..50]).all(|(m, s)| m != s));
        }
        let (thr, live): ([u8; 40], [u8; 10]) =
            (b.module.mem[..40].try_into().unwrap(), b.module.mem[96..106].try_into().unwrap());
        let sent_at_start = b.module.bytes_sent;
        let tx_before = b.m.get(b.tx_disable);
        let limit = b.cycle + (1u64 << poll_log2(b.clock_hz)) + poll_clocks(b.clock_hz) + 16;
        let mut clocks_in_poll = 0u64;
        loop {
            assert!(b.cycle < limit, "round {round}: no poll_done by clock {}", b.cycle);
            b.step();
            if abort_midway && b.module.bytes_sent >= sent_at_start + 40 {
                b.absent = true;
            }
            clocks_in_poll += u64::from(b.m.get(b.scl_oe) == 1);
            if b.m.get(b.poll_done) == 1 {
                break;
            }
            assert_eq!(
                b.payload(),
                shown,
                "round {round}, clock {}: sfp_diag moved before poll_done",
                b.cycle
            );
            assert_eq!(
                b.m.get(b.tx_disable),
                tx_before,
                "round {round}, clock {}: tx_disable moved before poll_done",
                b.cycle
            );
        }
        assert!(clocks_in_poll > 1000, "round {round}: the bus was checked through a poll ({clocks_in_poll} clocks with SCL low)");
        let want = if abort_midway {
            b.reference.poll(Some(thr), None, true, false)
        } else {
            b.reference.poll(Some(thr), Some(live), true, false)
        };
        let got = b.payload();
        assert_eq!(got, want, "round {round}: the payload published at poll_done");
        assert_ne!(got, shown, "round {round}: the payload must have changed");
        assert_eq!(
            b.m.get(b.tx_disable) == 1,
            b.reference.tx_disable(),
            "round {round}: tx_disable"
        );
        shown = got;
    }
    assert_eq!(
        (&shown[..50], shown[50]),
        (&[0u8; 50][..], SfpFlags::PRESENT | (shown[50] & SfpFlags::INTERLOCK)),
        "aborted poll: zeros, present"
    );
}

/// A module that holds SCL low for 500 clocks after every ACK bit: the poll takes longer but its
/// payload is exactly the model's for what the module holds (the bench checks the whole bus).
#[test]
fn clock_stretching_module_is_polled_correctly() {
    let mut b = Bench::new("ice40");
    b.module.stretch_ticks = 500;
    let d = SfpDiag::parse(&b.poll()).unwrap();
    assert!(d.flags.has(SfpFlags::DIAG_VALID) && (d.rx_power_mw() - 0.2).abs() < 1e-3, "{d:?}");
    // It did stretch: the poll ran past its unstretched length.
    assert!(b.cycle > poll_clocks(b.clock_hz) + 50 * 300, "poll ended at clock {}", b.cycle);
    b.module.update_live(55.5, 3.21, 7.5, 0.4, 0.9, false);
    let d = SfpDiag::parse(&b.poll()).unwrap();
    assert!((d.temperature_c() - 55.5).abs() < 0.01 && d.poll_counter == 2, "{d:?}");
}

/// SCL shorted low between polls: the next poll times out (START, then its STOP) and ends within
/// `stuck_scl_poll_bound_clocks` like a NACKed one: zeros, not present, not valid, counter on; an
/// interlock already tripped stays tripped (and a stuck bus trips nothing). When the short goes,
/// the next poll is valid again.
#[test]
fn stuck_scl_ends_the_poll_as_an_error_within_the_bound() {
    let mut b = Bench::new("ice40");
    b.poll();
    b.scl_stuck = true;
    // Wait for the next poll's START to pull SCL (its first bus activity).
    while b.m.get(b.scl_oe) == 0 {
        assert!(b.cycle < 3 * (1u64 << poll_log2(b.clock_hz)), "no poll started");
        b.step();
    }
    let start = b.cycle;
    let p = b.poll();
    let took = b.cycle - 1 - start;
    let timeout = timeout_command_clocks(quarter_divisor(b.clock_hz));
    assert!(
        took >= 2 * timeout && took <= stuck_scl_poll_bound_clocks(b.clock_hz),
        "stuck poll took {took} clocks (2 timeouts = {})",
        2 * timeout
    );
    assert_eq!((&p[..50], p[50], p[51]), (&[0u8; 50][..], 0, 2), "zeros, no flags, counter on");
    assert_eq!(b.m.get(b.tx_disable), 0, "a stuck bus is no over-power");
    b.scl_stuck = false;
    assert!(SfpFlags(b.poll()[50]).has(SfpFlags::DIAG_VALID), "valid again once SCL is free");
    // Tripped first, then stuck: the latch holds.
    b.module.update_live(40.0, 3.3, 6.0, 0.3, 1.6, false);
    b.poll();
    assert_eq!(b.m.get(b.tx_disable), 1);
    b.scl_stuck = true;
    let p = b.poll();
    assert_eq!(
        (p[50], b.m.get(b.tx_disable)),
        (SfpFlags::INTERLOCK, 1),
        "interlock latched through a stuck bus"
    );
}

/// SCL shorted low in the middle of the thresholds read, after the module ACKed its address: the
/// poll ends as an error with `present` set (the module answered) and nothing else; the previous
/// poll's payload stays on the bus until then.
#[test]
fn scl_stuck_mid_poll_reports_present_but_not_valid() {
    let mut b = Bench::new("ice40");
    let before = b.poll();
    let sent = b.module.bytes_sent;
    let limit = b.cycle + (1u64 << poll_log2(b.clock_hz)) + stuck_scl_poll_bound_clocks(b.clock_hz);
    while b.m.get(b.poll_done) == 0 {
        assert!(b.cycle < limit, "no poll_done by clock {}", b.cycle);
        if b.module.bytes_sent >= sent + 20 {
            b.scl_stuck = true;
        }
        b.step();
        if b.m.get(b.poll_done) == 0 {
            assert_eq!(b.payload(), before, "clock {}: bus moved before poll_done", b.cycle);
        }
    }
    assert!(b.scl_stuck, "the short came during the poll");
    let want = b.reference.poll(None, None, true, false);
    assert_eq!(b.payload(), want, "zeros, present only, counter on");
    assert_eq!(want[50], SfpFlags::PRESENT);
}
