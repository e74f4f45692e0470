//! `speckle_i2c_master` under Verilator, compared every clock with the cycle-accurate model
//! (model/src/i2c_master.rs) while the simulated SFP module of sim/src/sfp.rs answers on the
//! open-drain bus: random reads of the A2h page return the module's bytes, a wrong address is
//! NACKed, and SDA only ever changes while SCL is low except for START and STOP.

#[allow(dead_code)]
#[path = "../../sim/src/sfp.rs"]
mod sfp;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rtl_sim::Model;
use sfp::{default_thresholds, SfpModule, A2H_ADDR7};
use speckle_model::i2c_master::{quarter_divisor, timeout_command_clocks, Cmd, I2cMaster};
use speckle_model::params::CoreParams;

struct Bus {
    m: Model,
    model: I2cMaster,
    module: SfpModule,
    slave_low: bool,
    ports: [rtl_sim::PortId; 13],
    oe: [rtl_sim::PortId; 2],
    cycle: u64,
    starts: u32,
    stops: u32,
    prev: (bool, bool),
    /// SCL shorted low.
    scl_stuck: bool,
    /// Clocks in which the master released SCL but the wire stayed low.
    stretched_clocks: u64,
    /// Clocks SCL has been high on the wire, and the shortest high pulse seen (rise to fall).
    scl_high_run: u64,
    min_scl_high: u64,
}

impl Bus {
    fn new(profile: &str) -> Bus {
        if let Some(why) = rtl_sim::unavailable_reason() {
            panic!("no Verilator model of speckle_i2c_master: {why}");
        }
        let mut m = Model::new(profile, "speckle_i2c_master").unwrap_or_else(|e| panic!("{e}"));
        let names = [
            "clock",
            "reset",
            "cmd",
            "cmd_valid",
            "wdata",
            "ack_send",
            "sda_in",
            "ready",
            "done",
            "rdata",
            "ack_recv",
            "scl_in",
            "bus_error",
        ];
        let ports = names.map(|n| m.port(n).unwrap_or_else(|e| panic!("{e}")));
        m.set(ports[1], 1);
        m.set(ports[6], 1);
        m.set(ports[11], 1);
        m.tick(ports[0]);
        m.set(ports[1], 0);
        let mut module = SfpModule::new(&default_thresholds());
        module.update_live(33.0, 3.3, 5.0, 0.25, 0.125, false);
        let oe = ["scl_oe", "sda_oe"].map(|n| m.port(n).unwrap_or_else(|e| panic!("{e}")));
        let divisor = quarter_divisor(CoreParams::profile(profile).unwrap().clock_hz);
        Bus {
            m,
            model: I2cMaster::new(divisor),
            module,
            slave_low: false,
            ports,
            oe,
            cycle: 0,
            starts: 0,
            stops: 0,
            prev: (true, true),
            scl_stuck: false,
            stretched_clocks: 0,
            scl_high_run: u64::MAX / 2,
            min_scl_high: u64::MAX,
        }
    }

    fn pins(&self) -> (bool, bool) {
        (self.m.get(self.oe[0]) == 0, self.m.get(self.oe[1]) == 0)
    }

    /// Runs one command to its `done`, checking every clock against the model.
    fn run(&mut self, cmd: Cmd, wdata: u8, ack_send: bool) -> (u8, bool) {
        let (rdata, ack, err) = self.run_checked(cmd, wdata, ack_send);
        assert!(!err, "bus_error at clock {}", self.cycle);
        (rdata, ack)
    }

    /// [`Bus::run`] that also returns `bus_error`.
    fn run_checked(&mut self, cmd: Cmd, wdata: u8, ack_send: bool) -> (u8, bool, bool) {
        let [clock, _, cmd_p, valid, wdata_p, ack_p, sda_in, ready, done, rdata, ack_recv, scl_in, bus_error] =
            self.ports;
        let mut offered = true;
        loop {
            let o = self.model.outputs();
            let (scl, sda_master) = self.pins();
            let c = self.cycle;
            assert_eq!((!scl, !sda_master), (o.scl_oe, o.sda_oe), "pins at clock {c}");
            assert_eq!(self.m.get(ready) == 1, o.ready, "ready at clock {c}");
            assert_eq!(self.m.get(done) == 1, o.done, "done at clock {c}");
            if o.done && !offered {
                assert_eq!(self.m.get(rdata) as u8, o.rdata, "rdata at clock {c}");
                assert_eq!(self.m.get(ack_recv) == 1, o.ack_recv, "ack_recv at clock {c}");
                assert_eq!(self.m.get(bus_error) == 1, o.bus_error, "bus_error at clock {c}");
                self.m.set(valid, 0);
                return (o.rdata, o.ack_recv, o.bus_error);
            }
            let scl_master = scl;
            let scl = scl_master && !self.module.scl_low() && !self.scl_stuck;
            self.stretched_clocks += u64::from(scl_master && !scl);
            self.slave_low = self.module.tick(scl, sda_master && !self.slave_low);
            let wire = sda_master && !self.slave_low;
            // The I2C rule: SDA moves with SCL high only to make a START (falling) or STOP (rising).
            if scl && self.prev.0 && wire != self.prev.1 {
                if wire {
                    self.stops += 1
                } else {
                    self.starts += 1
                }
            }
            if scl {
                self.scl_high_run += 1;
            } else if self.prev.0 {
                self.min_scl_high = self.min_scl_high.min(self.scl_high_run);
                self.scl_high_run = 0;
            }
            self.prev = (scl, wire);
            let command = offered.then_some((cmd, wdata, ack_send));
            self.m.set(cmd_p, cmd as u64);
            self.m.set(valid, offered as u64);
            self.m.set(wdata_p, wdata as u64);
            self.m.set(ack_p, ack_send as u64);
            self.m.set(sda_in, wire as u64);
            self.m.set(scl_in, scl as u64);
            if o.ready && offered {
                offered = false;
            }
            self.model.clock(command, wire, scl);
            self.m.tick(clock);
            self.cycle += 1;
        }
    }

    fn read(&mut self, addr7: u8, offset: u8, len: usize) -> Option<Vec<u8>> {
        self.run(Cmd::Start, 0, false);
        if !self.run(Cmd::Write, addr7 << 1, false).1 || !self.run(Cmd::Write, offset, false).1 {
            self.run(Cmd::Stop, 0, false);
            return None;
        }
        self.run(Cmd::Start, 0, false);
        assert!(self.run(Cmd::Write, addr7 << 1 | 1, false).1);
        let out = (0..len).map(|i| self.run(Cmd::Read, 0, i + 1 < len).0).collect();
        self.run(Cmd::Stop, 0, false);
        Some(out)
    }
}

fn random_reads(profile: &str, seed: u64) {
    let mut bus = Bus::new(profile);
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    for byte in bus.module.mem[128..248].iter_mut() {
        *byte = r.random();
    }
    let mut transactions = 0;
    for _ in 0..12 {
        let offset: u8 = r.random_range(0..240);
        let len = r.random_range(1..12usize);
        let want = bus.module.mem[offset as usize..offset as usize + len].to_vec();
        assert_eq!(
            bus.read(A2H_ADDR7, offset, len).as_deref(),
            Some(&want[..]),
            "{profile}: read {len} at {offset}"
        );
        transactions += 2;
    }
    assert_eq!(bus.read(0x50, 0, 1), None, "{profile}: the module has no A0h page: NACK");
    transactions += 1;
    assert_eq!(
        (bus.starts, bus.stops),
        (transactions, transactions / 2 + 1),
        "{profile}: START/STOP conditions seen on the wire"
    );
}

#[test]
fn ice40_random_reads_match_the_module_and_the_model() {
    random_reads("ice40", 5);
}

#[test]
fn ecp5_random_reads_match_the_module_and_the_model() {
    random_reads("ecp5", 6);
}

/// A module that holds SCL low for 500 clocks (~21 µs at 24 MHz) after every ACK bit, far longer
/// than the two quarters (120 clocks) before the master releases SCL: every read still returns the
/// module's bytes, the RTL matches the model every clock, the master really waited, and every SCL
/// high pulse, stretched or not, lasts at least standard mode's t_HIGH of 4 µs.
#[test]
fn ice40_clock_stretching_module_is_read_correctly() {
    let mut bus = Bus::new("ice40");
    bus.module.stretch_ticks = 500;
    let clock_hz = CoreParams::profile("ice40").unwrap().clock_hz;
    let want = bus.module.mem[..40].to_vec();
    assert_eq!(
        bus.read(A2H_ADDR7, 0, 40).as_deref(),
        Some(&want[..]),
        "thresholds through a stretching module"
    );
    let want = bus.module.mem[96..106].to_vec();
    assert_eq!(
        bus.read(A2H_ADDR7, 96, 10).as_deref(),
        Some(&want[..]),
        "live values through a stretching module"
    );
    // 2 × (3 written + n read) ACK bits, each followed by a stretch of which 500 - ~2 quarters show.
    let stretches = 2 * 3 + 50;
    assert!(
        bus.stretched_clocks > stretches * 300,
        "the master waited only {} clocks",
        bus.stretched_clocks
    );
    let t_high_min = (4e-6 * clock_hz as f64).ceil() as u64;
    assert!(
        bus.min_scl_high >= t_high_min,
        "SCL high for only {} clocks (t_HIGH = {t_high_min})",
        bus.min_scl_high
    );
}

/// SCL shorted low: the command ends with `bus_error` (and no ACK) exactly when the model says,
/// after the stretch timeout, both lines released; once the short is gone the master reads again.
#[test]
fn ice40_stuck_scl_ends_the_command_with_a_bus_error() {
    let mut bus = Bus::new("ice40");
    let divisor = quarter_divisor(CoreParams::profile("ice40").unwrap().clock_hz);
    bus.run(Cmd::Start, 0, false);
    bus.scl_stuck = true;
    let start = bus.cycle;
    let (_, ack, err) = bus.run_checked(Cmd::Write, A2H_ADDR7 << 1, false);
    assert!(err && !ack, "bus_error {err}, ack {ack}");
    assert_eq!(
        bus.cycle - start,
        timeout_command_clocks(divisor) + 1,
        "clocks from the command to its bus_error"
    );
    assert_eq!(bus.pins(), (true, true), "both lines released after the timeout");
    bus.scl_stuck = false;
    bus.run(Cmd::Stop, 0, false);
    let want = bus.module.mem[96..106].to_vec();
    assert_eq!(
        bus.read(A2H_ADDR7, 96, 10).as_deref(),
        Some(&want[..]),
        "read after the short is gone"
    );
}
