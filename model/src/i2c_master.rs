//! Reference model of `speckle_i2c_master`: a byte-level I2C master (START, STOP, write a byte and
//! read the slave's ACK, read a byte and send ACK/NACK), cycle-accurate to the generated RTL.
//!
//! Every bus element is four quarter periods of `divisor` clocks each; SCL is high in quarters 1
//! and 2, SDA changes only in quarter 0 (SCL low) except for START (SDA falls in quarter 2) and STOP
//! (SDA rises in quarter 2). The slave's SDA is sampled at the end of quarter 2 through a 2-FF
//! synchroniser. The pin levels come from flip-flops (one clock after the state that decides them),
//! so SCL and SDA never glitch.
//!
//! Clock stretching (SFF-8431 lets a module hold SCL low): at the end of quarter 1 the master reads
//! SCL through its own 2-FF synchroniser; if a slave holds it low the bit waits, and once SCL reads
//! high quarter 1 is counted again from the start, so the high phase (quarters 1 and 2) is timed
//! from the real rising edge. Without a stretch nothing changes: SCL is high well before quarter 1
//! ends. After [`STRETCH_TIMEOUT_QUARTERS`] quarters of waiting the command ends with `bus_error`
//! (and `ack_recv` low), so a shorted or stuck SCL cannot hang the user.

/// Commands on `cmd` (2 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    Start = 0,
    Stop = 1,
    Write = 2,
    Read = 3,
}

impl Cmd {
    pub fn from_bits(b: u8) -> Cmd {
        [Cmd::Start, Cmd::Stop, Cmd::Write, Cmd::Read][(b & 3) as usize]
    }
}

/// Standard-mode I2C, which every SFF-8472 module supports.
pub const I2C_HZ: u64 = 100_000;

/// Clocks per quarter bit period for at most [`I2C_HZ`] on SCL.
pub fn quarter_divisor(clock_hz: u64) -> u32 {
    clock_hz.div_ceil(4 * I2C_HZ) as u32
}

/// Quarters of waiting for a stretched SCL before the command gives up: 10 000 × 2.5 µs = 25 ms at
/// the 100 kHz timing, SMBus's t_TIMEOUT (a compliant slave never holds SCL low longer; I2C itself
/// sets no limit).
pub const STRETCH_TIMEOUT_QUARTERS: u64 = 10_000;
const _: () =
    assert!(STRETCH_TIMEOUT_QUARTERS <= 1 << 14, "the RTL counts stretch quarters in 14 bits");

/// Clocks a command keeps the master busy when SCL stays low from its start: quarters 0 and 1,
/// then the stretch timeout.
pub fn timeout_command_clocks(divisor: u32) -> u64 {
    (2 + STRETCH_TIMEOUT_QUARTERS) * divisor as u64
}

/// Clocks one command keeps the master busy (from the clock it is accepted to `done`).
pub fn command_clocks(cmd: Cmd, divisor: u32) -> u64 {
    let elements = match cmd {
        Cmd::Start | Cmd::Stop => 1,
        Cmd::Write | Cmd::Read => 9,
    };
    elements * 4 * divisor as u64
}

/// What the master shows on its outputs in one clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Outputs {
    pub ready: bool,
    pub done: bool,
    pub rdata: u8,
    pub ack_recv: bool,
    /// The command ended because SCL stayed low past the stretch timeout.
    pub bus_error: bool,
    /// Pull SCL low (open drain).
    pub scl_oe: bool,
    /// Pull SDA low (open drain).
    pub sda_oe: bool,
}

/// The register state of the RTL.
#[derive(Clone, Debug)]
pub struct I2cMaster {
    divisor: u32,
    busy: bool,
    cmd: Cmd,
    phase: u8,
    bit: u8,
    div: u32,
    shift: u8,
    rx: u8,
    ack_send: bool,
    ack_recv: bool,
    scl_q: bool,
    sda_q: bool,
    sync: [bool; 2],
    scl_sync: [bool; 2],
    stretching: bool,
    stall: u64,
    bus_error: bool,
    done: bool,
}

impl I2cMaster {
    pub fn new(divisor: u32) -> Self {
        assert!(divisor >= 4, "i2c_master divisor {divisor} must be >= 4");
        I2cMaster {
            divisor,
            busy: false,
            cmd: Cmd::Start,
            phase: 0,
            bit: 0,
            div: 0,
            shift: 0,
            rx: 0,
            ack_send: false,
            ack_recv: false,
            scl_q: true,
            sda_q: true,
            sync: [true; 2],
            scl_sync: [true; 2],
            stretching: false,
            stall: 0,
            bus_error: false,
            done: false,
        }
    }

    pub fn outputs(&self) -> Outputs {
        Outputs {
            ready: !self.busy,
            done: self.done,
            rdata: self.rx,
            ack_recv: self.ack_recv,
            bus_error: self.bus_error,
            scl_oe: !self.scl_q,
            sda_oe: !self.sda_q,
        }
    }

    /// Bus levels (true = released) that the current state asks for.
    fn levels(&self) -> (bool, bool) {
        let high = self.phase == 1 || self.phase == 2;
        match self.cmd {
            Cmd::Start => (high, self.phase < 2),
            Cmd::Stop => (self.phase != 0, self.phase >= 2),
            Cmd::Write => (high, self.bit == 8 || self.shift & 0x80 != 0),
            Cmd::Read => (high, if self.bit == 8 { !self.ack_send } else { true }),
        }
    }

    /// One clock edge. `command` is (cmd, wdata, ack_send) with `cmd_valid` high; `sda_in` and
    /// `scl_in` the wire levels.
    pub fn clock(&mut self, command: Option<(Cmd, u8, bool)>, sda_in: bool, scl_in: bool) {
        let sampled = self.sync[1];
        self.sync = [sda_in, self.sync[0]];
        let scl_high = self.scl_sync[1];
        self.scl_sync = [scl_in, self.scl_sync[0]];
        self.done = false;
        if self.busy {
            (self.scl_q, self.sda_q) = self.levels();
            if self.stretching {
                if scl_high {
                    self.stretching = false;
                    self.div = self.divisor - 1;
                } else if self.div == 0 {
                    self.div = self.divisor - 1;
                    if self.stall == STRETCH_TIMEOUT_QUARTERS - 1 {
                        self.stretching = false;
                        self.busy = false;
                        self.done = true;
                        self.bus_error = true;
                        self.ack_recv = false;
                        self.sda_q = true;
                    } else {
                        self.stall += 1;
                    }
                } else {
                    self.div -= 1;
                }
            } else if self.div == 0 {
                self.div = self.divisor - 1;
                if self.phase == 1 && !scl_high {
                    self.stretching = true;
                    self.stall = 0;
                    return;
                }
                let byte_op = matches!(self.cmd, Cmd::Write | Cmd::Read);
                if self.phase == 2 && byte_op {
                    if self.bit < 8 {
                        self.rx = self.rx << 1 | u8::from(sampled);
                    } else {
                        self.ack_recv = !sampled;
                    }
                }
                if self.phase == 3 {
                    if !byte_op || self.bit == 8 {
                        self.busy = false;
                        self.done = true;
                    } else {
                        self.bit += 1;
                        self.phase = 0;
                        self.shift <<= 1;
                    }
                } else {
                    self.phase += 1;
                }
            } else {
                self.div -= 1;
            }
        } else if let Some((cmd, wdata, ack)) = command {
            self.busy = true;
            self.cmd = cmd;
            self.phase = 0;
            self.bit = 0;
            self.div = self.divisor - 1;
            self.shift = wdata;
            self.ack_send = ack;
            self.bus_error = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisor_keeps_scl_at_or_below_100_khz() {
        for hz in [12_000_000u64, 24_000_000, 25_000_000, 100_000_000, 48_000_001] {
            let d = quarter_divisor(hz) as f64;
            let f = |d: f64| hz as f64 / (4.0 * d);
            assert!(f(d) <= I2C_HZ as f64 && f(d - 1.0) > I2C_HZ as f64, "{hz}: {d}");
        }
    }

    /// Writing 0xA5 puts its bits on SDA MSB first, each stable while SCL is high.
    #[test]
    fn write_shifts_msb_first_and_samples_the_ack() {
        let mut m = I2cMaster::new(4);
        m.clock(Some((Cmd::Write, 0xA5, false)), true, true);
        let mut seen = vec![];
        // Idle SCL is high: the first rising edge is the first bit's.
        let mut prev_scl = true;
        let mut clocks = 1;
        while !m.outputs().done {
            // The slave acknowledges (pulls SDA low) during the ninth bit.
            let ack_time = seen.len() >= 8;
            let o = m.outputs();
            let scl = !o.scl_oe;
            if scl && !prev_scl {
                seen.push(!o.sda_oe);
            }
            prev_scl = scl;
            m.clock(None, !ack_time && !o.sda_oe, !o.scl_oe);
            clocks += 1;
        }
        let bits: Vec<bool> = (0..8).rev().map(|i| 0xA5u8 >> i & 1 == 1).collect();
        assert_eq!(&seen[..8], &bits[..]);
        assert!(m.outputs().ack_recv);
        assert_eq!(clocks, command_clocks(Cmd::Write, 4) + 1);
    }

    /// SCL shorted low: a START ends after the stretch timeout with `bus_error`, and the next
    /// command on a free bus clears the error and takes its normal time.
    #[test]
    fn stuck_scl_times_out_with_a_bus_error() {
        let mut m = I2cMaster::new(4);
        let run = |m: &mut I2cMaster, cmd: Cmd, scl_stuck: bool| {
            m.clock(Some((cmd, 0, false)), true, true);
            let mut clocks = 1;
            while !m.outputs().done {
                let o = m.outputs();
                m.clock(None, !o.sda_oe, !o.scl_oe && !scl_stuck);
                clocks += 1;
                assert!(clocks < 2 * timeout_command_clocks(4), "no end to a stuck command");
            }
            clocks
        };
        assert_eq!(run(&mut m, Cmd::Start, true), timeout_command_clocks(4) + 1);
        assert!(m.outputs().bus_error && !m.outputs().ack_recv);
        assert!(
            !m.outputs().sda_oe && !m.outputs().scl_oe,
            "both lines released after the timeout"
        );
        assert_eq!(run(&mut m, Cmd::Stop, false), command_clocks(Cmd::Stop, 4) + 1);
        assert!(!m.outputs().bus_error);
    }
}
