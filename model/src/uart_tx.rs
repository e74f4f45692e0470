//! Reference model of `uart_tx`: 8N1 framing and the transmitter's clock-by-clock behaviour.
//!
//! The model is written from the line's point of view (a queue of pin levels still to be driven),
//! not as a copy of the RTL's shift register and counters, so that a test comparing the two checks
//! the timing contract rather than one implementation against itself.

use std::collections::VecDeque;

/// The ten line levels of one 8N1 character: start (low), data LSB first, stop (high).
pub fn character_bits(byte: u8) -> [bool; 10] {
    let mut bits = [true; 10];
    bits[0] = false;
    for (i, bit) in bits[1..9].iter_mut().enumerate() {
        *bit = byte >> i & 1 != 0;
    }
    bits
}

/// The pin, one level per clock, for one character at `divisor` clocks per bit.
pub fn waveform(byte: u8, divisor: u32) -> impl Iterator<Item = bool> {
    character_bits(byte).into_iter().flat_map(move |b| std::iter::repeat_n(b, divisor as usize))
}

/// Clock model: a byte offered while `ready` is taken at the clock edge, its start bit is on the
/// pin from the next clock, and `ready` is high again in the stop bit's last clock, so that
/// back-to-back characters take exactly 10 bit times.
#[derive(Clone, Debug)]
pub struct UartTx {
    divisor: u32,
    line: VecDeque<bool>,
}

impl UartTx {
    pub fn new(divisor: u32) -> Self {
        UartTx { divisor, line: VecDeque::new() }
    }

    /// Outputs before the next edge: (`ready`, `tx`).
    pub fn outputs(&self) -> (bool, bool) {
        (self.line.len() <= 1, self.line.front().copied().unwrap_or(true))
    }

    /// One clock edge; returns whether the offered byte was taken.
    pub fn clock(&mut self, data: Option<u8>) -> bool {
        let ready = self.line.len() <= 1;
        self.line.pop_front();
        match data {
            Some(b) if ready => {
                self.line.extend(waveform(b, self.divisor));
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_is_start_lsb_first_stop() {
        let bits = character_bits(0b1010_0011);
        assert_eq!(bits, [false, true, true, false, false, false, true, false, true, true]);
    }

    #[test]
    fn back_to_back_characters_take_ten_bit_times() {
        let mut tx = UartTx::new(4);
        assert_eq!(tx.outputs(), (true, true));
        assert!(tx.clock(Some(0x00)));
        let mut levels = vec![];
        while !tx.outputs().0 {
            levels.push(tx.outputs().1);
            assert!(!tx.clock(Some(0xFF)), "a byte offered while busy is not taken");
        }
        // Ready in the stop bit's last clock: 39 busy clocks, then the 40th level is still stop.
        assert_eq!(levels.len(), 39);
        assert_eq!(tx.outputs(), (true, true));
        assert!(tx.clock(Some(0xFF)));
        levels.push(true);
        assert!(levels[..36].iter().all(|&l| !l) && levels[36..].iter().all(|&l| l));
        assert_eq!(tx.outputs(), (false, false), "next start bit right after the stop bit");
    }
}
