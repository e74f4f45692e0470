//! LSB-first bit packing (docs/core.md, "Bit order"): bit *i* of a stream is bit *i* mod 8 of byte
//! *i* / 8. This is FIPS 202's own bit order, so packed raw samples hash exactly as the conditioner
//! hashes them, and it is how RAW frames carry samples.

/// Packs bits into bytes; a final partial byte is zero-padded in its high bits.
pub fn pack_lsb_first(bits: &[bool]) -> Vec<u8> {
    let mut out = vec![0u8; bits.len().div_ceil(8)];
    for (i, &b) in bits.iter().enumerate() {
        out[i / 8] |= (b as u8) << (i % 8);
    }
    out
}

/// Unpacks every bit of `bytes`, 8 per byte.
pub fn unpack_lsb_first(bytes: &[u8]) -> Vec<bool> {
    bytes.iter().flat_map(|&b| (0..8).map(move |i| (b >> i) & 1 == 1)).collect()
}

/// Accumulates a bit stream into whole bytes, LSB first, as the hardware shift registers do.
#[derive(Clone, Debug, Default)]
pub struct BitPacker {
    cur: u8,
    nbits: u8,
}

impl BitPacker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one bit; returns the byte it completes.
    pub fn push(&mut self, bit: bool) -> Option<u8> {
        self.cur |= (bit as u8) << self.nbits;
        self.nbits += 1;
        if self.nbits == 8 {
            let b = self.cur;
            self.cur = 0;
            self.nbits = 0;
            Some(b)
        } else {
            None
        }
    }

    /// Bits held in the unfinished byte.
    pub fn pending(&self) -> u8 {
        self.nbits
    }

    /// Drops a partial byte (the conditioner's `abort`).
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_i_is_bit_i_mod_8_of_byte_i_div_8() {
        let mut bits = vec![false; 20];
        bits[0] = true;
        bits[9] = true;
        bits[19] = true;
        assert_eq!(pack_lsb_first(&bits), vec![0x01, 0x02, 0x08]);
        assert_eq!(&unpack_lsb_first(&[0x01, 0x02, 0x08])[..20], &bits[..]);
    }

    #[test]
    fn packer_matches_pack() {
        let bits: Vec<bool> = (0..64).map(|i| (i * 7 + i / 3) % 5 < 2).collect();
        let mut p = BitPacker::new();
        let streamed: Vec<u8> = bits.iter().filter_map(|&b| p.push(b)).collect();
        assert_eq!(streamed, pack_lsb_first(&bits));
        assert_eq!(p.pending(), 0);
    }
}
