//! Reference model of `speckle_sfp_frontend`: what one poll of the SFP's SFF-8472 diagnostics page
//! (A2h) leaves on the core's `sfp_diag` bus, and when the laser interlock trips.
//!
//! A poll is two I2C random reads: A2h bytes 0–39 (alarm/warning thresholds) and 96–105 (live
//! values). Any NACK ends the poll with a STOP: the module is absent (or has no diagnostics), the
//! payload's 50 data bytes read as zero and `present`/`valid` are low. After a complete poll the
//! interlock compares live RX power (bytes 104–105) with the module's own RX-power high alarm
//! (bytes 32–33); above it, TX_DISABLE goes high and the core's `ext_alarm` with it, latched until
//! reset: a laser that just saturated the receiver is not re-enabled by software.
//!
//! Timing (clocks of the core): a poll starts in the first clock after reset and then every
//! 2^[`poll_log2`] clocks; an over-power reaches TX_DISABLE at most [`trip_bound_clocks`] after the
//! module's ADC value changes.

use crate::i2c_master::{command_clocks, quarter_divisor, timeout_command_clocks, Cmd};
use crate::protocol::{SfpFlags, SFP_DIAG_LEN};

/// 8-bit I2C write address of the diagnostics page.
pub const A2H_WRITE: u8 = 0xA2;
/// Poll interval the generator aims at (at least this long): a module's ADCs update every
/// ~50–100 ms, so polling faster would only reread the same values.
pub const POLL_TARGET_S: f64 = 0.04;
/// The two reads of a poll: (first register, byte count).
pub const READS: [(u8, usize); 2] = [(0, 40), (96, 10)];

/// log2 of the poll period in clocks: the smallest power of two at least [`POLL_TARGET_S`].
pub fn poll_log2(clock_hz: u64) -> u32 {
    let want = (clock_hz as f64 * POLL_TARGET_S).ceil() as u64;
    want.next_power_of_two().trailing_zeros()
}

/// Clocks of one complete poll from its start to `poll_done`: each command costs two clocks on
/// top of its bus time (the sequencer sees `done`, then offers the next one), plus three for
/// leaving the wait state, the verdict and the strobe.
pub fn poll_clocks(clock_hz: u64) -> u64 {
    let d = quarter_divisor(clock_hz);
    READS
        .iter()
        .map(|&(_, n)| {
            let cmds = [Cmd::Start, Cmd::Write, Cmd::Write, Cmd::Start, Cmd::Write]
                .iter()
                .map(|&c| command_clocks(c, d) + 2)
                .sum::<u64>();
            cmds + n as u64 * (command_clocks(Cmd::Read, d) + 2) + command_clocks(Cmd::Stop, d) + 2
        })
        .sum::<u64>()
        + 3
}

/// Worst case from an RX-power change in the module to TX_DISABLE: the change lands just after the
/// live bytes were read, so it is seen by the next poll, one period later, whose verdict comes at
/// its end (+ a few clocks of pipeline).
pub fn trip_bound_clocks(clock_hz: u64) -> u64 {
    (1u64 << poll_log2(clock_hz)) + poll_clocks(clock_hz) + 8
}

/// Longest a poll can take when SCL is held low (a short, or a module that never lets go): the
/// commands before it at their normal time (at most a whole poll), then the command that finds SCL
/// low times out (`i2c_master`'s stretch timeout) and so does the STOP that ends the poll. The
/// poll then ends like a NACKed one (zeros, not valid, `present` only if the module had ACKed its
/// address); the next poll starts at the next period boundary after it.
pub fn stuck_scl_poll_bound_clocks(clock_hz: u64) -> u64 {
    poll_clocks(clock_hz) + 2 * timeout_command_clocks(quarter_divisor(clock_hz)) + 8
}

/// True when live RX power (big-endian at 104–105, offset 8 of the live block) exceeds the
/// module's RX-power high alarm (big-endian at 32–33).
pub fn over_power(thresholds: &[u8; 40], live: &[u8; 10]) -> bool {
    u16::from_be_bytes([live[8], live[9]]) > u16::from_be_bytes([thresholds[32], thresholds[33]])
}

/// The front end's state between polls.
#[derive(Clone, Debug, Default)]
pub struct SfpFrontend {
    pub polls: u8,
    pub tripped: bool,
}

impl SfpFrontend {
    /// One finished poll: `thresholds`/`live` are the reads (None: NACKed, which aborts the poll so
    /// a NACK on the first read means the second never happens), `addressed` whether the module
    /// ACKed at least its address, `los` the LOS pin. Returns the new SFP_DIAG payload: the RTL
    /// stages a poll's bytes and publishes this whole payload in the clock of `poll_done`, so the
    /// bus shows the previous poll's payload until then, never a mix of the two.
    pub fn poll(
        &mut self,
        thresholds: Option<[u8; 40]>,
        live: Option<[u8; 10]>,
        addressed: bool,
        los: bool,
    ) -> [u8; SFP_DIAG_LEN] {
        self.polls = self.polls.wrapping_add(1);
        let mut out = [0u8; SFP_DIAG_LEN];
        let mut flags = 0;
        if let (Some(t), Some(l)) = (thresholds, live) {
            out[..40].copy_from_slice(&t);
            out[40..50].copy_from_slice(&l);
            flags |= SfpFlags::PRESENT | SfpFlags::DIAG_VALID;
            self.tripped |= over_power(&t, &l);
        } else if addressed {
            flags |= SfpFlags::PRESENT;
        }
        if self.tripped {
            flags |= SfpFlags::INTERLOCK;
        }
        if los {
            flags |= SfpFlags::LOS;
        }
        out[50] = flags;
        out[51] = self.polls;
        out
    }

    /// TX_DISABLE pin (high = laser off) and the core's `ext_alarm`.
    pub fn tx_disable(&self) -> bool {
        self.tripped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_period_is_about_40_ms_on_both_profiles() {
        assert_eq!(poll_log2(24_000_000), 20);
        assert_eq!(poll_log2(100_000_000), 22);
        // A poll's two reads take ~5 ms at 100 kHz: far inside the period.
        let t = poll_clocks(24_000_000) as f64 / 24e6;
        assert!(t > 4e-3 && t < 7e-3, "{t}");
    }

    #[test]
    fn trip_latches_and_absence_zeroes_the_data() {
        let mut fe = SfpFrontend::default();
        let mut t = [0u8; 40];
        t[32..34].copy_from_slice(&1000u16.to_be_bytes());
        let mut l = [7u8; 10];
        l[8..10].copy_from_slice(&1000u16.to_be_bytes());
        let p = fe.poll(Some(t), Some(l), true, false);
        assert_eq!((p[50], p[51]), (SfpFlags::PRESENT | SfpFlags::DIAG_VALID, 1));
        assert!(!fe.tx_disable(), "equal to the threshold is not above it");
        l[9] = 0xE9;
        fe.poll(Some(t), Some(l), true, false);
        assert!(fe.tx_disable());
        let p = fe.poll(None, None, false, true);
        assert_eq!(&p[..50], &[0u8; 50][..]);
        assert_eq!((p[50], p[51]), (SfpFlags::INTERLOCK | SfpFlags::LOS, 3));
        assert!(fe.tx_disable(), "latched");
    }
}
