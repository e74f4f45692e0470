//! Reference model of `digest_buffer`: a byte FIFO of [`CAPACITY_BYTES`] that takes whole digests
//! and releases a CONDITIONED frame's payload once `blocks_per_frame` digests are in it.
//!
//! Only the contract is modelled, not the RTL's byte-per-clock write: a digest is accepted when 32
//! bytes are free, a frame is available when 32 · K bytes are held, and bytes leave in order. The
//! core model uses it at that level; the clock-level behaviour is checked through the framer and
//! core tests under Verilator.

use crate::protocol::DIGEST_LEN;
use std::collections::VecDeque;

/// RAM size: two frames of the largest K (7 · 32 · 2 = 448) fit, so the conditioner can fill the
/// next frame while one is being sent.
pub const CAPACITY_BYTES: usize = 512;

#[derive(Clone, Debug)]
pub struct DigestBuffer {
    frame_bytes: usize,
    bytes: VecDeque<u8>,
}

impl DigestBuffer {
    pub fn new(blocks_per_frame: u32) -> Self {
        let frame_bytes = blocks_per_frame as usize * DIGEST_LEN;
        assert!(2 * frame_bytes <= CAPACITY_BYTES, "{blocks_per_frame} blocks per frame");
        DigestBuffer { frame_bytes, bytes: VecDeque::with_capacity(CAPACITY_BYTES) }
    }

    /// Whether a digest would be taken now.
    pub fn has_room(&self) -> bool {
        self.bytes.len() + DIGEST_LEN <= CAPACITY_BYTES
    }

    /// Takes `d` if there is room; returns whether it did.
    pub fn push(&mut self, d: &[u8; DIGEST_LEN]) -> bool {
        let room = self.has_room();
        if room {
            self.bytes.extend(d);
        }
        room
    }

    /// One frame's payload, if a whole one is buffered.
    pub fn take_frame(&mut self) -> Option<Vec<u8>> {
        (self.bytes.len() >= self.frame_bytes)
            .then(|| self.bytes.drain(..self.frame_bytes).collect())
    }

    /// Digests held (whole ones: the model never holds a partial digest).
    pub fn digests(&self) -> usize {
        self.bytes.len() / DIGEST_LEN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_wait_for_k_digests_and_keep_their_order() {
        let mut b = DigestBuffer::new(3);
        for i in 0..2u8 {
            assert!(b.push(&[i; 32]));
            assert_eq!(b.take_frame(), None, "a frame before 3 digests");
        }
        assert!(b.push(&[2; 32]));
        assert!(b.push(&[3; 32]));
        let f = b.take_frame().unwrap();
        assert_eq!(f.len(), 96);
        assert_eq!((f[0], f[32], f[95]), (0, 1, 2));
        assert_eq!(b.digests(), 1);
    }

    #[test]
    fn a_full_buffer_refuses_a_digest() {
        let mut b = DigestBuffer::new(7);
        let n = (0..100).take_while(|_| b.push(&[0; 32])).count();
        assert_eq!(n, CAPACITY_BYTES / DIGEST_LEN);
        assert!(!b.has_room());
    }
}
