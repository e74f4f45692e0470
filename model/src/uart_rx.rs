//! Reference model of `uart_rx`: clock-by-clock behaviour of the 8N1 receiver.
//!
//! Timing contract (what the RTL must match exactly): the line passes two synchroniser flip-flops;
//! a low seen at the synchroniser output in idle starts a character; the start bit is checked
//! `divisor / 2` clocks later (high again = glitch, back to idle), then data bits and the stop bit
//! are sampled every `divisor` clocks. A good stop bit makes `valid` strobe on the next clock with
//! the byte; a low stop bit strobes `frame_error` instead, drops the byte, and the receiver ignores
//! the line until it is high again.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    /// Sampling the start bit when the countdown reaches zero.
    Start,
    /// Sampling data bit `n` when the countdown reaches zero.
    Data(u8),
    Stop,
    WaitHigh,
}

/// What the receiver reports in one clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RxOutputs {
    pub data: u8,
    pub valid: bool,
    pub frame_error: bool,
}

#[derive(Clone, Debug)]
pub struct UartRx {
    divisor: u32,
    sync: [bool; 2],
    phase: Phase,
    countdown: u32,
    byte: u8,
    out: RxOutputs,
}

impl UartRx {
    pub fn new(divisor: u32) -> Self {
        UartRx {
            divisor,
            sync: [true, true],
            phase: Phase::Idle,
            countdown: 0,
            byte: 0,
            out: RxOutputs::default(),
        }
    }

    /// Outputs before the next edge.
    pub fn outputs(&self) -> RxOutputs {
        self.out
    }

    /// One clock edge with the pin at `rx`.
    pub fn clock(&mut self, rx: bool) {
        let line = self.sync[1];
        self.sync = [rx, self.sync[0]];
        self.out.valid = false;
        self.out.frame_error = false;
        let due = self.countdown == 0;
        self.countdown = self.countdown.saturating_sub(1);
        let bit_time = self.divisor - 1;
        self.phase = match self.phase {
            Phase::Idle if !line => {
                self.countdown = self.divisor / 2 - 1;
                Phase::Start
            }
            Phase::Start if due && line => Phase::Idle,
            Phase::Start if due => {
                self.countdown = bit_time;
                Phase::Data(0)
            }
            Phase::Data(n) if due => {
                self.byte = self.byte >> 1 | (line as u8) << 7;
                self.countdown = bit_time;
                if n == 7 {
                    Phase::Stop
                } else {
                    Phase::Data(n + 1)
                }
            }
            Phase::Stop if due && line => {
                self.out.data = self.byte;
                self.out.valid = true;
                Phase::Idle
            }
            Phase::Stop if due => {
                self.out.frame_error = true;
                Phase::WaitHigh
            }
            Phase::WaitHigh if line => Phase::Idle,
            other => other,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uart_tx::waveform;

    fn receive(levels: impl IntoIterator<Item = bool>, divisor: u32) -> (Vec<u8>, usize) {
        let mut rx = UartRx::new(divisor);
        let (mut bytes, mut errors) = (vec![], 0);
        for level in levels.into_iter().chain(std::iter::repeat_n(true, 4 * divisor as usize)) {
            rx.clock(level);
            let o = rx.outputs();
            if o.valid {
                bytes.push(o.data);
            }
            errors += o.frame_error as usize;
        }
        (bytes, errors)
    }

    #[test]
    fn back_to_back_characters_decode() {
        let msg = [0x00, 0xFF, 0xA5, 0x5A, 0x81, 0x01];
        for divisor in [4, 24, 50] {
            let line: Vec<bool> = msg.iter().flat_map(|&b| waveform(b, divisor)).collect();
            assert_eq!(receive(line, divisor), (msg.to_vec(), 0), "divisor {divisor}");
        }
    }

    #[test]
    fn low_stop_bit_drops_the_byte_and_waits_for_idle() {
        let divisor = 8;
        let mut line: Vec<bool> = waveform(0x42, divisor).collect();
        let n = line.len();
        line[n - divisor as usize..].iter_mut().for_each(|l| *l = false);
        line.extend(std::iter::repeat_n(false, 100)); // held low: one error only
        line.extend(std::iter::repeat_n(true, 20));
        line.extend(waveform(0x17, divisor));
        assert_eq!(receive(line, divisor), (vec![0x17], 1));
    }

    #[test]
    fn short_glitch_is_not_a_start_bit() {
        let divisor = 16;
        let mut line = vec![true; 10];
        line.extend([false; 3]);
        line.extend([true; 40]);
        assert_eq!(receive(line, divisor), (vec![], 0));
    }
}
