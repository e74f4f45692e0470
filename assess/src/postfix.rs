//! The (prefix → next symbol counts) tables of MultiMMC and LZ78Y for non-binary alphabets.
//!
//! A prefix of up to 16 symbols is packed into a u128 key (each prefix length has its own table,
//! so keys of different lengths never meet); each entry keeps its counts and its current prediction the
//! way NIST's `PostfixDictionary` does, so ties resolve identically (the larger symbol wins).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Counts of the symbols that followed one prefix, and the current prediction.
#[derive(Default)]
pub struct Postfix {
    counts: Vec<(u8, u64)>,
    best: u64,
    prediction: u8,
}

impl Postfix {
    /// The commonest follower and its count.
    pub fn predict(&self) -> (u8, u64) {
        (self.prediction, self.best)
    }

    /// Counts `y`; a new follower only when `make_new`. Returns whether one was added.
    pub fn increment(&mut self, y: u8, make_new: bool) -> bool {
        let (count, added) = match self.counts.iter_mut().find(|e| e.0 == y) {
            Some(e) => {
                e.1 += 1;
                (e.1, false)
            }
            None if make_new => {
                self.counts.push((y, 1));
                (1, true)
            }
            None => return false,
        };
        if count > self.best || (count == self.best && y > self.prediction) {
            self.prediction = y;
            self.best = count;
        }
        added
    }
}

/// Packs `x` (at most 16 symbols) into a key.
pub fn key(x: &[u8]) -> u128 {
    x.iter().fold(0, |a, &b| (a << 8) | b as u128)
}

/// A multiplicative hash of the packed key: the default SipHash would dominate the run time
/// (16 lookups per sample per estimator), and these keys are not attacker-chosen in any way
/// that matters for a one-off assessment.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u8(b);
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u128(&mut self, k: u128) {
        let h = (k as u64) ^ ((k >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        self.0 ^= self.0 >> 32;
    }
}

pub type Table = HashMap<u128, Postfix, BuildHasherDefault<KeyHasher>>;
