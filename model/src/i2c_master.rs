//! Reference model of `speckle_i2c_master`: a byte-level I2C master (START, STOP, write a byte and
//! read the slave's ACK, read a byte and send ACK/NACK), cycle-accurate to the generated RTL.
//!
//! Every bus element is four quarter periods of `divisor` clocks each; SCL is high in quarters 1
//! and 2, SDA changes only in quarter 0 (SCL low) except for START (SDA falls in quarter 2) and STOP
//! (SDA rises in quarter 2). The slave's SDA is sampled at the end of quarter 2 through a 2-FF
//! synchroniser. The pin levels come from flip-flops (one clock after the state that decides them),
//! so SCL and SDA never glitch. Clock stretching is not supported: SFF-8472 modules answer at
//! 100 kHz without it.

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
            done: false,
        }
    }

    pub fn outputs(&self) -> Outputs {
        Outputs {
            ready: !self.busy,
            done: self.done,
            rdata: self.rx,
            ack_recv: self.ack_recv,
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

    /// One clock edge. `command` is (cmd, wdata, ack_send) with `cmd_valid` high; `sda_in` the
    /// SDA wire level.
    pub fn clock(&mut self, command: Option<(Cmd, u8, bool)>, sda_in: bool) {
        let sampled = self.sync[1];
        self.sync = [sda_in, self.sync[0]];
        self.done = false;
        if self.busy {
            (self.scl_q, self.sda_q) = self.levels();
            if self.div == 0 {
                self.div = self.divisor - 1;
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
        m.clock(Some((Cmd::Write, 0xA5, false)), true);
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
            m.clock(None, !ack_time && !o.sda_oe);
            clocks += 1;
        }
        let bits: Vec<bool> = (0..8).rev().map(|i| 0xA5u8 >> i & 1 == 1).collect();
        assert_eq!(&seen[..8], &bits[..]);
        assert!(m.outputs().ack_recv);
        assert_eq!(clocks, command_clocks(Cmd::Write, 4) + 1);
    }
}
