//! The SFP module's management interface (SFF-8472 page A2h over I2C, device address 0xA2) and the
//! FPGA front end that polls it and runs the laser interlock.
//!
//! The slave is modelled at the pin level (SCL/SDA, open drain) so that an RTL front end can later
//! be run against it unchanged; the Rust front end here drives the same pins and is the reference
//! for what that RTL must do.

use speckle_model::protocol::{sff8472, Limits, SfpDiag, SfpFlags, SfpThresholds, SFP_DIAG_LEN};

/// 7-bit I2C address of the diagnostics page (0xA2 as an 8-bit write address).
pub const A2H_ADDR7: u8 = 0x51;
/// SFF-8472 byte 110 bit 1: RX_LOS state.
const STATUS_BYTE: usize = 110;

/// Typical thresholds of a 1000BASE-SX module; RX power high alarm at 0 dBm is what the interlock
/// trips on.
pub fn default_thresholds() -> SfpThresholds {
    SfpThresholds {
        temp_c: Limits { high_alarm: 85.0, low_alarm: -40.0, high_warning: 75.0, low_warning: -30.0 },
        vcc_v: Limits { high_alarm: 3.6, low_alarm: 3.0, high_warning: 3.5, low_warning: 3.1 },
        bias_ma: Limits { high_alarm: 15.0, low_alarm: 1.0, high_warning: 12.0, low_warning: 2.0 },
        tx_power_mw: Limits { high_alarm: 1.0, low_alarm: 0.1, high_warning: 0.8, low_warning: 0.15 },
        rx_power_mw: Limits { high_alarm: 1.0, low_alarm: 0.002, high_warning: 0.8, low_warning: 0.003 },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Idle,
    Receive,
    AckOut,
    Transmit,
    AckIn,
}

/// I2C slave holding the A2h page.
#[derive(Clone, Debug)]
pub struct SfpModule {
    pub mem: [u8; 256],
    st: St,
    prev_scl: bool,
    prev_sda: bool,
    bits: u8,
    shift: u8,
    first_byte: bool,
    is_read: bool,
    got_ptr: bool,
    ptr: u8,
    ack_ok: bool,
    drive_low: bool,
}

impl SfpModule {
    pub fn new(thresholds: &SfpThresholds) -> Self {
        let mut mem = [0u8; 256];
        mem[..40].copy_from_slice(&thresholds.encode());
        SfpModule {
            mem,
            st: St::Idle,
            prev_scl: true,
            prev_sda: true,
            bits: 0,
            shift: 0,
            first_byte: false,
            is_read: false,
            got_ptr: false,
            ptr: 0,
            ack_ok: false,
            drive_low: false,
        }
    }

    /// What the module's ADCs measured; written to A2h 96..=105 and the LOS status bit.
    pub fn update_live(&mut self, temp_c: f64, vcc_v: f64, bias_ma: f64, tx_mw: f64, rx_mw: f64, los: bool) {
        let live = SfpDiag::live_from_units(temp_c, vcc_v, bias_ma, tx_mw, rx_mw);
        self.mem[sff8472::LIVE_OFFSET..sff8472::LIVE_OFFSET + sff8472::LIVE_LEN].copy_from_slice(&live);
        self.mem[STATUS_BYTE] = (self.mem[STATUS_BYTE] & !0x02) | (u8::from(los) << 1);
    }

    /// One look at the bus. `scl`/`sda` are the wire levels (the wired AND of everyone driving);
    /// returns true while the module pulls SDA low.
    pub fn tick(&mut self, scl: bool, sda: bool) -> bool {
        let (rise, fall) = (scl && !self.prev_scl, !scl && self.prev_scl);
        if scl && self.prev_scl && self.prev_sda != sda {
            // SDA moving while SCL is high: START (falling) or STOP (rising).
            self.drive_low = false;
            if !sda {
                self.st = St::Receive;
                self.bits = 0;
                self.shift = 0;
                self.first_byte = true;
                self.got_ptr = false;
            } else {
                self.st = St::Idle;
            }
        } else if rise {
            match self.st {
                St::Receive => {
                    self.shift = self.shift << 1 | u8::from(sda);
                    self.bits += 1;
                }
                St::AckIn => self.ack_ok = !sda,
                _ => {}
            }
        } else if fall {
            self.on_fall();
        }
        self.prev_scl = scl;
        self.prev_sda = sda;
        self.drive_low
    }

    fn on_fall(&mut self) {
        match self.st {
            St::Receive if self.bits == 8 => {
                let b = self.shift;
                self.bits = 0;
                if self.first_byte {
                    self.first_byte = false;
                    if b >> 1 != A2H_ADDR7 {
                        self.st = St::Idle;
                        return;
                    }
                    self.is_read = b & 1 == 1;
                } else if !self.got_ptr {
                    self.ptr = b;
                    self.got_ptr = true;
                } else {
                    // Thresholds and live values are read-only; the user EEPROM (128..=247) is not.
                    if (128..=247).contains(&self.ptr) {
                        self.mem[self.ptr as usize] = b;
                    }
                    self.ptr = self.ptr.wrapping_add(1);
                }
                self.st = St::AckOut;
                self.drive_low = true;
            }
            St::AckOut => {
                if self.is_read {
                    self.st = St::Transmit;
                    self.load_bit();
                } else {
                    self.st = St::Receive;
                    self.drive_low = false;
                }
            }
            St::Transmit => {
                self.bits += 1;
                if self.bits == 8 {
                    self.bits = 0;
                    self.drive_low = false;
                    self.st = St::AckIn;
                } else {
                    self.load_bit();
                }
            }
            St::AckIn => {
                self.ptr = self.ptr.wrapping_add(1);
                if self.ack_ok {
                    self.st = St::Transmit;
                    self.load_bit();
                } else {
                    self.st = St::Idle;
                }
            }
            _ => {}
        }
    }

    fn load_bit(&mut self) {
        let byte = self.mem[self.ptr as usize];
        self.drive_low = (byte >> (7 - self.bits)) & 1 == 0;
    }
}

/// Bit-banging I2C master wired to one [`SfpModule`] (open drain: a line is low if anyone pulls it).
pub struct I2cBus<'a> {
    pub module: &'a mut SfpModule,
    scl: bool,
    sda_master: bool,
    slave_low: bool,
}

impl<'a> I2cBus<'a> {
    pub fn new(module: &'a mut SfpModule) -> Self {
        I2cBus { module, scl: true, sda_master: true, slave_low: false }
    }
    fn set(&mut self, scl: bool, sda: bool) -> bool {
        self.scl = scl;
        self.sda_master = sda;
        let wire = sda && !self.slave_low;
        self.slave_low = self.module.tick(scl, wire);
        self.sda_master && !self.slave_low
    }
    fn start(&mut self) {
        self.set(true, true);
        self.set(true, false);
        self.set(false, false);
    }
    fn stop(&mut self) {
        self.set(false, false);
        self.set(true, false);
        self.set(true, true);
    }
    /// Clocks one bit out (`true` = release SDA) and returns the wire level seen at SCL high.
    fn bit(&mut self, b: bool) -> bool {
        self.set(false, b);
        let seen = self.set(true, b);
        self.set(false, b);
        seen
    }
    fn write_byte(&mut self, b: u8) -> bool {
        for i in (0..8).rev() {
            self.bit((b >> i) & 1 == 1);
        }
        !self.bit(true)
    }
    fn read_byte(&mut self, ack: bool) -> u8 {
        let v = (0..8).fold(0u8, |acc, _| acc << 1 | u8::from(self.bit(true)));
        self.bit(!ack);
        v
    }

    /// Random read: START, address+W, offset, repeated START, address+R, `len` bytes, STOP.
    /// `None` when the module does not acknowledge (absent or wrong address).
    pub fn read(&mut self, addr7: u8, offset: u8, len: usize) -> Option<Vec<u8>> {
        self.start();
        let ok = self.write_byte(addr7 << 1) && self.write_byte(offset);
        if !ok {
            self.stop();
            return None;
        }
        self.start();
        if !self.write_byte(addr7 << 1 | 1) {
            self.stop();
            return None;
        }
        let out = (0..len).map(|i| self.read_byte(i + 1 < len)).collect();
        self.stop();
        Some(out)
    }
}

/// The FPGA's SFP front end: polls A2h, builds SFP_DIAG payloads, and drops laser-enable (raising
/// the core's `ext_alarm`) as soon as a poll sees RX power above the module's own high alarm. The
/// trip latches: re-enabling a laser that just saturated the receiver needs a person.
#[derive(Clone, Debug, Default)]
pub struct FrontEnd {
    pub polls: u8,
    pub tripped: bool,
    pub last: Option<[u8; SFP_DIAG_LEN]>,
}

impl FrontEnd {
    pub fn poll(&mut self, module: &mut SfpModule) -> [u8; SFP_DIAG_LEN] {
        let mut bus = I2cBus::new(module);
        let thr = bus.read(A2H_ADDR7, 0, 40);
        let live = bus.read(A2H_ADDR7, 96, 10);
        let status = bus.read(A2H_ADDR7, STATUS_BYTE as u8, 1);
        self.polls = self.polls.wrapping_add(1);
        let mut flags = 0;
        let mut diag = SfpDiag { thresholds_raw: [0; 40], live_raw: [0; 10], flags: SfpFlags(0), poll_counter: self.polls };
        if let (Some(t), Some(l), Some(s)) = (thr, live, status) {
            flags |= SfpFlags::PRESENT | SfpFlags::DIAG_VALID;
            diag.thresholds_raw.copy_from_slice(&t);
            diag.live_raw.copy_from_slice(&l);
            if s[0] & 0x02 != 0 {
                flags |= SfpFlags::LOS;
            }
            if diag.rx_power_mw() > diag.thresholds().rx_power_mw.high_alarm {
                self.tripped = true;
            }
        }
        if self.tripped {
            flags |= SfpFlags::INTERLOCK;
        }
        diag.flags = SfpFlags(flags);
        let bytes = diag.serialize();
        self.last = Some(bytes);
        bytes
    }

    pub fn laser_enable(&self) -> bool {
        !self.tripped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i2c_reads_back_thresholds_and_live_values() {
        let thr = default_thresholds();
        let mut m = SfpModule::new(&thr);
        m.update_live(41.5, 3.31, 6.2, 0.3, 0.2, false);
        let mut bus = I2cBus::new(&mut m);
        assert_eq!(bus.read(A2H_ADDR7, 0, 40).unwrap(), thr.encode().to_vec());
        let live = bus.read(A2H_ADDR7, 96, 10).unwrap();
        assert_eq!(live, SfpDiag::live_from_units(41.5, 3.31, 6.2, 0.3, 0.2).to_vec());
        assert_eq!(bus.read(0x50, 0, 1), None, "A0h is not modelled: no ACK");
    }

    #[test]
    fn interlock_trips_on_rx_power_above_the_high_alarm_and_latches() {
        let mut m = SfpModule::new(&default_thresholds());
        let mut fe = FrontEnd::default();
        m.update_live(40.0, 3.3, 6.0, 0.3, 0.5, false);
        let d = SfpDiag::parse(&fe.poll(&mut m)).unwrap();
        assert!(fe.laser_enable() && d.flags.has(SfpFlags::DIAG_VALID) && !d.flags.has(SfpFlags::INTERLOCK));
        assert!((d.rx_power_mw() - 0.5).abs() < 1e-4);
        m.update_live(40.0, 3.3, 6.0, 0.3, 1.6, false);
        fe.poll(&mut m);
        m.update_live(40.0, 3.3, 6.0, 0.3, 0.0, true);
        let d = SfpDiag::parse(&fe.poll(&mut m)).unwrap();
        assert!(!fe.laser_enable());
        assert!(d.flags.has(SfpFlags::INTERLOCK) && d.flags.has(SfpFlags::LOS));
        assert_eq!(d.poll_counter, 3);
    }
}
