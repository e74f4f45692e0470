//! The conditioner: n_in raw bits, packed LSB-first into n_in/8 bytes, hashed with SHA3-256.
//!
//! One digest per n_in bits (docs/core.md, "Bit order"); an abort (an alarm or an alarm clear) throws
//! away the bits of the block being collected, so no digest mixes bits from before and after it.

use crate::packing::pack_lsb_first;
use crate::sha3_256::sha3_256;

#[derive(Clone, Debug)]
pub struct Sha3Conditioner {
    n_in: usize,
    bits: Vec<bool>,
}

impl Sha3Conditioner {
    /// `n_in` must be a positive multiple of 8 (CoreParams::validate enforces the real range).
    pub fn new(n_in: u32) -> Self {
        assert!(
            n_in > 0 && n_in.is_multiple_of(8),
            "n_in = {n_in}: must be a positive multiple of 8"
        );
        Sha3Conditioner { n_in: n_in as usize, bits: Vec::with_capacity(n_in as usize) }
    }

    /// Takes one bit; returns the digest when it completes a block.
    pub fn push(&mut self, bit: bool) -> Option<[u8; 32]> {
        self.bits.push(bit);
        if self.bits.len() < self.n_in {
            return None;
        }
        let digest = sha3_256(&pack_lsb_first(&self.bits));
        self.bits.clear();
        Some(digest)
    }

    /// Drops the partial block.
    pub fn abort(&mut self) {
        self.bits.clear();
    }

    /// Bits collected towards the next digest.
    pub fn pending(&self) -> usize {
        self.bits.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use sha3::Digest;

    #[test]
    fn digest_is_sha3_of_the_packed_bytes() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(640);
        let mut c = Sha3Conditioner::new(640);
        let bits: Vec<bool> = (0..640).map(|_| rng.random()).collect();
        let mut out = None;
        for (i, &b) in bits.iter().enumerate() {
            out = c.push(b);
            assert_eq!(out.is_some(), i == 639);
        }
        let want: [u8; 32] = sha3::Sha3_256::digest(pack_lsb_first(&bits)).into();
        assert_eq!(out.unwrap(), want);
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn packing_is_lsb_first() {
        let bits = [true, false, false, false, false, false, false, false, false, true];
        assert_eq!(pack_lsb_first(&bits), vec![0x01, 0x02]);
    }

    #[test]
    fn abort_drops_the_partial_block() {
        let mut c = Sha3Conditioner::new(64);
        for _ in 0..10 {
            assert!(c.push(true).is_none());
        }
        c.abort();
        assert_eq!(c.pending(), 0);
        let bits: Vec<bool> = (0..64).map(|i| i % 3 == 0).collect();
        let out = bits.iter().map(|&b| c.push(b)).last().unwrap().unwrap();
        let want: [u8; 32] = sha3::Sha3_256::digest(pack_lsb_first(&bits)).into();
        assert_eq!(out, want);
    }
}
