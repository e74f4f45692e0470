//! SFP_DIAG payload (type 0x05, 52 bytes): SFF-8472 page A2h diagnostics, passed through verbatim by
//! the FPGA front end and decoded here into physical units.

use super::frame::{FrameType, PayloadError};

pub const SFP_DIAG_LEN: usize = 52;

/// SFF-8472 (rev 12.x, §9) internally calibrated diagnostic units. Raw words are big-endian in the
/// module, as they are inside the SFP_DIAG payload.
pub mod sff8472 {
    /// A2h offsets of the live values (bytes 96..=105).
    pub const LIVE_OFFSET: usize = 96;
    pub const LIVE_LEN: usize = 10;
    /// A2h bytes 0..=39 hold the alarm and warning thresholds.
    pub const THRESHOLDS_LEN: usize = 40;

    /// Temperature: signed, 1/256 °C per LSB.
    pub fn temp_c(raw: u16) -> f64 {
        raw as i16 as f64 / 256.0
    }
    pub fn temp_raw(c: f64) -> u16 {
        (c * 256.0).round().clamp(i16::MIN as f64, i16::MAX as f64) as i16 as u16
    }
    /// Supply voltage: unsigned, 100 µV per LSB.
    pub fn vcc_v(raw: u16) -> f64 {
        raw as f64 * 100e-6
    }
    pub fn vcc_raw(v: f64) -> u16 {
        (v / 100e-6).round().clamp(0.0, 65535.0) as u16
    }
    /// Laser bias current: unsigned, 2 µA per LSB.
    pub fn bias_ma(raw: u16) -> f64 {
        raw as f64 * 2e-3
    }
    pub fn bias_raw(ma: f64) -> u16 {
        (ma / 2e-3).round().clamp(0.0, 65535.0) as u16
    }
    /// TX and RX optical power: unsigned, 0.1 µW per LSB.
    pub fn power_mw(raw: u16) -> f64 {
        raw as f64 * 1e-4
    }
    pub fn power_raw(mw: f64) -> u16 {
        (mw / 1e-4).round().clamp(0.0, 65535.0) as u16
    }
    /// dBm of a power in mW; -inf for zero.
    pub fn dbm(mw: f64) -> f64 {
        10.0 * mw.log10()
    }
}

/// One quantity's four limits, in the order SFF-8472 stores them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub high_alarm: f64,
    pub low_alarm: f64,
    pub high_warning: f64,
    pub low_warning: f64,
}

impl Limits {
    fn decode(raw: &[u8], unit: fn(u16) -> f64) -> Self {
        let w = |i: usize| unit(u16::from_be_bytes([raw[2 * i], raw[2 * i + 1]]));
        Limits { high_alarm: w(0), low_alarm: w(1), high_warning: w(2), low_warning: w(3) }
    }
    fn encode(&self, out: &mut [u8], raw: fn(f64) -> u16) {
        for (i, v) in [self.high_alarm, self.low_alarm, self.high_warning, self.low_warning]
            .iter()
            .enumerate()
        {
            out[2 * i..2 * i + 2].copy_from_slice(&raw(*v).to_be_bytes());
        }
    }
}

/// The module's own alarm and warning thresholds (A2h bytes 0..=39), in physical units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SfpThresholds {
    pub temp_c: Limits,
    pub vcc_v: Limits,
    pub bias_ma: Limits,
    pub tx_power_mw: Limits,
    pub rx_power_mw: Limits,
}

impl SfpThresholds {
    pub fn decode(raw: &[u8; 40]) -> Self {
        use sff8472::*;
        SfpThresholds {
            temp_c: Limits::decode(&raw[0..8], temp_c),
            vcc_v: Limits::decode(&raw[8..16], vcc_v),
            bias_ma: Limits::decode(&raw[16..24], bias_ma),
            tx_power_mw: Limits::decode(&raw[24..32], power_mw),
            rx_power_mw: Limits::decode(&raw[32..40], power_mw),
        }
    }
    pub fn encode(&self) -> [u8; 40] {
        use sff8472::*;
        let mut out = [0u8; 40];
        self.temp_c.encode(&mut out[0..8], temp_raw);
        self.vcc_v.encode(&mut out[8..16], vcc_raw);
        self.bias_ma.encode(&mut out[16..24], bias_raw);
        self.tx_power_mw.encode(&mut out[24..32], power_raw);
        self.rx_power_mw.encode(&mut out[32..40], power_raw);
        out
    }
}

/// Flag bits of SFP_DIAG byte 50.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SfpFlags(pub u8);

impl SfpFlags {
    pub const PRESENT: u8 = 1 << 0;
    pub const DIAG_VALID: u8 = 1 << 1;
    pub const INTERLOCK: u8 = 1 << 2;
    pub const LOS: u8 = 1 << 3;

    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// SFP_DIAG payload: raw A2h bytes as the module reported them, with decoders for the units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SfpDiag {
    /// A2h bytes 0..=39.
    pub thresholds_raw: [u8; 40],
    /// A2h bytes 96..=105.
    pub live_raw: [u8; 10],
    pub flags: SfpFlags,
    pub poll_counter: u8,
}

impl SfpDiag {
    pub fn parse(p: &[u8]) -> Result<Self, PayloadError> {
        if p.len() != SFP_DIAG_LEN {
            return Err(PayloadError::length(FrameType::SfpDiag, SFP_DIAG_LEN, p.len()));
        }
        Ok(SfpDiag {
            thresholds_raw: p[0..40].try_into().unwrap(),
            live_raw: p[40..50].try_into().unwrap(),
            flags: SfpFlags(p[50]),
            poll_counter: p[51],
        })
    }

    pub fn serialize(&self) -> [u8; SFP_DIAG_LEN] {
        let mut p = [0u8; SFP_DIAG_LEN];
        p[0..40].copy_from_slice(&self.thresholds_raw);
        p[40..50].copy_from_slice(&self.live_raw);
        p[50] = self.flags.0;
        p[51] = self.poll_counter;
        p
    }

    fn live_word(&self, i: usize) -> u16 {
        u16::from_be_bytes([self.live_raw[2 * i], self.live_raw[2 * i + 1]])
    }
    pub fn temperature_c(&self) -> f64 {
        sff8472::temp_c(self.live_word(0))
    }
    pub fn vcc_v(&self) -> f64 {
        sff8472::vcc_v(self.live_word(1))
    }
    pub fn tx_bias_ma(&self) -> f64 {
        sff8472::bias_ma(self.live_word(2))
    }
    pub fn tx_power_mw(&self) -> f64 {
        sff8472::power_mw(self.live_word(3))
    }
    pub fn rx_power_mw(&self) -> f64 {
        sff8472::power_mw(self.live_word(4))
    }
    pub fn thresholds(&self) -> SfpThresholds {
        SfpThresholds::decode(&self.thresholds_raw)
    }

    /// Builds the live bytes from physical units (what a module's ADC would report).
    pub fn live_from_units(
        temp_c: f64,
        vcc_v: f64,
        bias_ma: f64,
        tx_mw: f64,
        rx_mw: f64,
    ) -> [u8; 10] {
        use sff8472::{bias_raw, power_raw, temp_raw, vcc_raw};
        let mut out = [0u8; 10];
        let words = [
            temp_raw(temp_c),
            vcc_raw(vcc_v),
            bias_raw(bias_ma),
            power_raw(tx_mw),
            power_raw(rx_mw),
        ];
        for (i, w) in words.iter().enumerate() {
            out[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}
