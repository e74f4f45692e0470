//! Reference model of `holdback`: the raw-sample FIFO that keeps every sample until the health
//! tests have seen at least `depth` newer samples.
//!
//! Clock-accurate, because whether a sample is dropped depends on how full the buffer is in that
//! clock, which depends on the consumer's `out_ready` history. Semantics per clock edge, with
//! `count` the number of buffered samples before the edge:
//! - `out_valid = count > depth` (the oldest sample has >= depth newer ones behind it) and `out_bit`
//!   is the oldest sample; it leaves when `out_valid && out_ready` (this happens even in a flush
//!   clock: the handshake is complete, the consumer is flushed by the core).
//! - an input sample is stored when `count < capacity`; otherwise it is lost and `dropped` is high
//!   for one clock after the edge.
//! - `flush` (or reset) empties the buffer and discards that clock's input without counting a drop.
//!
//! The DDR sampler's pair form (`HoldbackPair` in hdl-gen) stores, counts and drops pairs as units,
//! with the same rules in pairs: [`HoldbackOf`] is generic over the item for that, and depth and
//! capacity are then counted in items (pairs), not samples.

use std::collections::VecDeque;

/// The FIFO over items of type `T`: single samples ([`Holdback`]) or the DDR form's pairs
/// (`HoldbackOf<[bool; 2]>`, index 0 the earlier sample).
#[derive(Clone, Debug)]
pub struct HoldbackOf<T> {
    depth: usize,
    capacity: usize,
    fifo: VecDeque<T>,
}

/// The single-lane holdback: one sample per item.
pub type Holdback = HoldbackOf<bool>;

/// What the ports show in one clock: the output offer (before the edge) and the drop strobe
/// (after the edge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoldbackStep<T = bool> {
    /// Item handed over in this clock (valid and ready both high).
    pub out: Option<T>,
    pub dropped: bool,
}

impl<T: Copy> HoldbackOf<T> {
    /// `depth` and `capacity` in items.
    pub fn new(depth: usize, capacity: usize) -> Self {
        assert!(depth >= 1 && depth < capacity, "holdback needs 1 <= depth < capacity");
        HoldbackOf { depth, capacity, fifo: VecDeque::with_capacity(capacity) }
    }

    /// `out_valid` as the port shows it before the next edge.
    pub fn out_valid(&self) -> bool {
        self.fifo.len() > self.depth
    }

    /// The item offered before the next edge (`out_bit` / `out_pair` when `out_valid`).
    pub fn out_item(&self) -> Option<T> {
        self.out_valid().then(|| self.fifo[0])
    }

    pub fn len(&self) -> usize {
        self.fifo.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fifo.is_empty()
    }

    pub fn clock(&mut self, input: Option<T>, out_ready: bool, flush: bool) -> HoldbackStep<T> {
        let out = if self.out_valid() && out_ready { Some(self.fifo[0]) } else { None };
        let full = self.fifo.len() == self.capacity;
        if flush {
            self.fifo.clear();
            return HoldbackStep { out, dropped: false };
        }
        if out.is_some() {
            self.fifo.pop_front();
        }
        let mut dropped = false;
        if let Some(b) = input {
            if full {
                dropped = true;
            } else {
                self.fifo.push_back(b);
            }
        }
        HoldbackStep { out, dropped }
    }
}

impl HoldbackOf<bool> {
    pub fn out_bit(&self) -> Option<bool> {
        self.out_item()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_a_sample_only_after_depth_newer_ones() {
        let mut h = Holdback::new(3, 8);
        let mut outs = Vec::new();
        for i in 0..10 {
            let s = h.clock(Some(i % 3 == 0), true, false);
            outs.push(s.out);
        }
        // Sample 0 is offered once samples 1, 2, 3 are in: before the edge of clock 4.
        assert_eq!(&outs[..4], &[None, None, None, None]);
        assert_eq!(outs[4], Some(true));
        assert_eq!(outs[5], Some(false));
    }

    #[test]
    fn drops_when_full_and_flush_empties() {
        let mut h = Holdback::new(2, 4);
        let drops = (0..6).filter(|_| h.clock(Some(true), false, false).dropped).count();
        assert_eq!(drops, 2);
        assert_eq!(h.len(), 4);
        assert!(!h.clock(Some(true), false, true).dropped);
        assert!(h.is_empty());
    }

    #[test]
    fn pairs_move_drop_and_flush_as_units() {
        let mut h = HoldbackOf::<[bool; 2]>::new(2, 4);
        let pairs = [[false, true], [true, true], [true, false], [false, false], [true, true]];
        // Five pairs into four places with no consumer: the fifth is dropped whole.
        let drops: Vec<bool> =
            pairs.iter().map(|&x| h.clock(Some(x), false, false).dropped).collect();
        assert_eq!(drops, [false, false, false, false, true]);
        assert_eq!(h.len(), 4);
        // The oldest pair leaves with two newer pairs behind it, in its order.
        assert_eq!(h.out_item(), Some([false, true]));
        assert_eq!(h.clock(None, true, false).out, Some([false, true]));
        assert_eq!(h.clock(None, true, false).out, Some([true, true]));
        assert_eq!(h.out_item(), None);
        assert!(!h.clock(Some([true, false]), false, true).dropped);
        assert!(h.is_empty());
    }
}
