//! SHA3-256 over a byte stream (FIPS 202 §6.1), built on [`crate::keccak_f1600`].
//!
//! Written as the RTL works, byte by byte into 64-bit little-endian lanes, so that its intermediate
//! states (the lane buffer, the byte position in the block) mean the same thing in both.

use crate::keccak_f1600::{f1600, State};

/// Rate of SHA3-256 in bytes: 1088 bits.
pub const RATE_BYTES: usize = 136;
/// SHA3's domain-separation bits `01` followed by the first bit of pad10*1, LSB-first.
pub const DOMAIN_PAD: u8 = 0x06;
/// The final bit of pad10*1: the top bit of the block's last byte.
pub const PAD_END: u8 = 0x80;

/// Incremental SHA3-256.
#[derive(Clone, Debug, Default)]
pub struct Sha3_256 {
    state: State,
    /// Bytes of the current block absorbed so far, 0..RATE_BYTES.
    pos: usize,
}

impl Sha3_256 {
    pub fn new() -> Self {
        Self::default()
    }

    fn xor_byte(&mut self, byte: u8) {
        self.state[self.pos / 8] ^= (byte as u64) << (8 * (self.pos % 8));
    }

    /// Absorbs one message byte; a full block runs the permutation.
    pub fn absorb(&mut self, byte: u8) {
        self.xor_byte(byte);
        self.pos += 1;
        if self.pos == RATE_BYTES {
            f1600(&mut self.state);
            self.pos = 0;
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|&b| self.absorb(b));
    }

    /// Pads (0x06 ... 0x80, the two merging into 0x86 when one byte is left), permutes once more and
    /// returns the first 256 bits of the state, lanes little-endian.
    pub fn finalize(mut self) -> [u8; 32] {
        self.xor_byte(DOMAIN_PAD);
        self.pos = RATE_BYTES - 1;
        self.xor_byte(PAD_END);
        f1600(&mut self.state);
        let mut out = [0u8; 32];
        for (chunk, lane) in out.chunks_mut(8).zip(self.state) {
            chunk.copy_from_slice(&lane.to_le_bytes());
        }
        out
    }

    /// Number of permutations a message of `len` bytes costs: one per full block plus the padded one.
    pub fn permutations(len: usize) -> usize {
        len / RATE_BYTES + 1
    }
}

/// SHA3-256 of a whole message.
pub fn sha3_256(msg: &[u8]) -> [u8; 32] {
    let mut h = Sha3_256::new();
    h.update(msg);
    h.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use sha3::Digest;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn fips202_known_answers() {
        // NIST CSRC example values for SHA3-256.
        assert_eq!(
            sha3_256(b"").to_vec(),
            hex("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
        );
        assert_eq!(
            sha3_256(b"abc").to_vec(),
            hex("3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
        );
        assert_eq!(
            sha3_256(&[0xa3; 200]).to_vec(),
            hex("79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787")
        );
    }

    #[test]
    fn matches_the_sha3_crate_across_block_boundaries() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(256);
        for len in (0..300).chain([407, 408, 409, 543, 544, 545, 1000]) {
            let msg: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            let want: [u8; 32] = sha3::Sha3_256::digest(&msg).into();
            assert_eq!(sha3_256(&msg), want, "length {len}");
        }
    }
}
