//! The SFP module's management interface (SFF-8472 page A2h over I2C, device address 0xA2).
//!
//! The slave is modelled at the pin level (SCL/SDA, open drain) so that the Verilated
//! `speckle_sfp_frontend` runs against it unchanged (sim/src/frontend.rs, and the Verilator tests
//! of testbench/, which include this file by path: it must depend on nothing but speckle-model).
//! [`I2cBus`] is a bit-banging master for the Rust stand-in front end and the unit tests (it does not
//! honour clock stretching: leave [`SfpModule::stretch_ticks`] at 0 with it).

use speckle_model::protocol::{sff8472, Limits, SfpDiag, SfpThresholds};

/// 7-bit I2C address of the diagnostics page (0xA2 as an 8-bit write address).
pub const A2H_ADDR7: u8 = 0x51;
/// SFF-8472 byte 110 bit 1: RX_LOS state.
pub const STATUS_BYTE: usize = 110;

/// Typical thresholds of a 1000BASE-SX module; RX power high alarm at 0 dBm is what the interlock
/// trips on.
pub fn default_thresholds() -> SfpThresholds {
    SfpThresholds {
        temp_c: Limits {
            high_alarm: 85.0,
            low_alarm: -40.0,
            high_warning: 75.0,
            low_warning: -30.0,
        },
        vcc_v: Limits { high_alarm: 3.6, low_alarm: 3.0, high_warning: 3.5, low_warning: 3.1 },
        bias_ma: Limits { high_alarm: 15.0, low_alarm: 1.0, high_warning: 12.0, low_warning: 2.0 },
        tx_power_mw: Limits {
            high_alarm: 1.0,
            low_alarm: 0.1,
            high_warning: 0.8,
            low_warning: 0.15,
        },
        rx_power_mw: Limits {
            high_alarm: 1.0,
            low_alarm: 0.002,
            high_warning: 0.8,
            low_warning: 0.003,
        },
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
    /// ADC values that arrived during a transaction, applied at its STOP.
    pending_live: Option<([u8; sff8472::LIVE_LEN], bool)>,
    /// The value last put on the wire from each address, and how many bytes were sent in all:
    /// what a master really read, for tests that follow a value from the physics to the host.
    pub sent: [u8; 256],
    pub bytes_sent: u64,
    /// Clock stretching (SFF-8431 allows it): after the SCL falling edge that ends each ACK bit
    /// the module holds SCL low for this many ticks, as a slow module preparing its next byte.
    /// 0 = never. The bench ANDs [`SfpModule::scl_low`] into the SCL wire.
    pub stretch_ticks: u32,
    stretch_left: u32,
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
            pending_live: None,
            sent: [0; 256],
            bytes_sent: 0,
            stretch_ticks: 0,
            stretch_left: 0,
        }
    }

    /// What the module's ADCs measured; written to A2h 96..=105 and the LOS status bit. During a
    /// transaction the update waits for its STOP: SFF-8472 requires multi-byte diagnostics to read
    /// coherently, so a master never sees the high byte of one conversion with the low of the next.
    pub fn update_live(
        &mut self,
        temp_c: f64,
        vcc_v: f64,
        bias_ma: f64,
        tx_mw: f64,
        rx_mw: f64,
        los: bool,
    ) {
        let live = SfpDiag::live_from_units(temp_c, vcc_v, bias_ma, tx_mw, rx_mw);
        if self.st == St::Idle {
            self.apply_live(live, los);
        } else {
            self.pending_live = Some((live, los));
        }
    }

    fn apply_live(&mut self, live: [u8; sff8472::LIVE_LEN], los: bool) {
        self.mem[sff8472::LIVE_OFFSET..sff8472::LIVE_OFFSET + sff8472::LIVE_LEN]
            .copy_from_slice(&live);
        self.mem[STATUS_BYTE] = (self.mem[STATUS_BYTE] & !0x02) | (u8::from(los) << 1);
    }

    /// One look at the bus. `scl`/`sda` are the wire levels (the wired AND of everyone driving);
    /// returns true while the module pulls SDA low.
    pub fn tick(&mut self, scl: bool, sda: bool) -> bool {
        self.stretch_left = self.stretch_left.saturating_sub(1);
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
                if let Some((live, los)) = self.pending_live.take() {
                    self.apply_live(live, los);
                }
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

    /// True while the module holds SCL low (stretching the clock).
    pub fn scl_low(&self) -> bool {
        self.stretch_left > 0
    }

    fn on_fall(&mut self) {
        if matches!(self.st, St::AckOut | St::AckIn) {
            self.stretch_left = self.stretch_ticks;
        }
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
        if self.bits == 0 {
            self.sent[self.ptr as usize] = byte;
            self.bytes_sent += 1;
        }
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
    fn live_values_wait_for_the_stop_of_a_read_in_progress() {
        let mut m = SfpModule::new(&default_thresholds());
        m.update_live(40.0, 3.3, 6.0, 0.3, 0.2, false);
        let old = m.mem[96..106].to_vec();
        let mut bus = I2cBus::new(&mut m);
        bus.start();
        bus.write_byte(A2H_ADDR7 << 1);
        bus.module.update_live(40.0, 3.3, 6.0, 0.3, 1.6, true);
        assert_eq!(bus.module.mem[96..106], old[..], "changed mid-transaction");
        bus.stop();
        assert_eq!(m.mem[96..106], SfpDiag::live_from_units(40.0, 3.3, 6.0, 0.3, 1.6)[..]);
        assert_eq!(m.mem[STATUS_BYTE] & 0x02, 0x02);
    }

    #[test]
    fn the_slave_records_what_it_put_on_the_wire() {
        let mut m = SfpModule::new(&default_thresholds());
        m.update_live(40.0, 3.3, 6.0, 0.3, 0.2, false);
        let live = I2cBus::new(&mut m).read(A2H_ADDR7, 96, 10).unwrap();
        assert_eq!((&m.sent[96..106], m.bytes_sent), (&live[..], 10));
    }
}
