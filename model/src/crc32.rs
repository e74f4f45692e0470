//! Reference model of `crc32`: CRC-32/ISO-HDLC (zlib, Ethernet) one byte at a time.
//!
//! The RTL keeps the *raw* shift register (init 0xFFFF_FFFF, reflected poly 0xEDB8_8320, no final
//! XOR) and inverts it on the way out, so the model exposes the same split: [`step_byte`] is the
//! register update that the generator turns into an XOR network, [`Crc32`] the streaming block.

/// Reflected CRC-32 polynomial (0x04C1_1DB7 bit-reversed).
pub const POLY_REFLECTED: u32 = 0xEDB8_8320;
/// Register value after `init`.
pub const INIT: u32 = 0xFFFF_FFFF;

/// One byte through the raw CRC register, bit-serially (LSB first), as the hardware defines it.
pub fn step_byte(state: u32, byte: u8) -> u32 {
    let mut c = state ^ byte as u32;
    for _ in 0..8 {
        c = if c & 1 != 0 { (c >> 1) ^ POLY_REFLECTED } else { c >> 1 };
    }
    c
}

/// The finished CRC of `bytes` (register inverted), the value a frame carries.
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(INIT, |c, &b| step_byte(c, b))
}

/// Cycle model of the `crc32` block: `init` restarts, a valid byte in the same clock as `init` is
/// the first byte of the new message, `crc` is the finished value of everything since `init`.
#[derive(Clone, Debug)]
pub struct Crc32 {
    state: u32,
}

impl Default for Crc32 {
    fn default() -> Self {
        Crc32 { state: INIT }
    }
}

impl Crc32 {
    pub fn new() -> Self {
        Self::default()
    }

    /// One clock edge with these inputs.
    pub fn clock(&mut self, init: bool, byte: Option<u8>) {
        let base = if init { INIT } else { self.state };
        self.state = match byte {
            Some(b) => step_byte(base, b),
            None => base,
        };
    }

    /// The `crc` output (registered: reflects the clocks so far).
    pub fn crc(&self) -> u32 {
        !self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_of_the_catalogue() {
        // CRC-32/ISO-HDLC check value from the CRC catalogue: CRC("123456789").
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn agrees_with_the_crc_crate_on_random_messages() {
        let reference = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for len in 0..300usize {
            let msg: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            assert_eq!(crc32(&msg), reference.checksum(&msg), "length {len}");
        }
    }

    #[test]
    fn streaming_block_restarts_on_init() {
        let mut c = Crc32::new();
        for &b in b"garbage" {
            c.clock(false, Some(b));
        }
        c.clock(true, Some(b'1'));
        for &b in b"23456789" {
            c.clock(false, Some(b));
        }
        c.clock(false, None);
        assert_eq!(c.crc(), 0xCBF4_3926);
        c.clock(true, None);
        assert_eq!(c.crc(), 0);
    }
}
