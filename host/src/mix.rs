//! `--mix`: how released blocks of several sources become output.

use crate::cli::Mix;
use std::collections::VecDeque;

/// Blocks one source may have waiting for the others under `xor` (1 MiB, as many as the health gate
/// holds): a healthy source faster than its partners would otherwise queue without bound. The
/// oldest are dropped first (they are healthy; dropping loses bytes, never repeats them).
pub const MAX_QUEUED_BLOCKS: usize = 32768;

/// Combines released blocks. With `xor`, an output block is the XOR of one block from every source
/// that is healthy right now: as good as the best of them if they are independent, and a source
/// that turns unhealthy simply leaves the set (its queued blocks were released, so still good).
pub struct Mixer {
    mix: Mix,
    queues: Vec<VecDeque<[u8; 32]>>,
    healthy: Vec<bool>,
    alive: Vec<bool>,
    /// Blocks dropped because a queue reached [`MAX_QUEUED_BLOCKS`].
    pub dropped_blocks: u64,
}

impl Mixer {
    pub fn new(mix: Mix, sources: usize) -> Self {
        Mixer {
            mix,
            queues: vec![VecDeque::new(); sources],
            healthy: vec![false; sources],
            alive: vec![true; sources],
            dropped_blocks: 0,
        }
    }

    pub fn add(&mut self, source: usize, blocks: Vec<[u8; 32]>) {
        // Only a healthy source releases blocks, so this is news of its health too (the row that
        // says so comes right after).
        self.healthy[source] = true;
        let q = &mut self.queues[source];
        q.extend(blocks);
        let over = q.len().saturating_sub(MAX_QUEUED_BLOCKS);
        q.drain(..over);
        self.dropped_blocks += over as u64;
    }
    pub fn set_health(&mut self, source: usize, healthy: bool) {
        self.healthy[source] = healthy;
    }
    /// An ended source's queued (released) blocks still take part until they run out.
    pub fn end(&mut self, source: usize) {
        self.alive[source] = false;
    }
    pub fn take(&mut self) -> Vec<u8> {
        match self.mix {
            Mix::Concat => self.queues.iter_mut().flat_map(|q| q.drain(..)).flatten().collect(),
            Mix::Xor => {
                let members: Vec<usize> = (0..self.queues.len())
                    .filter(|&i| self.healthy[i] && (self.alive[i] || !self.queues[i].is_empty()))
                    .collect();
                let mut out = Vec::new();
                while !members.is_empty() && members.iter().all(|&i| !self.queues[i].is_empty()) {
                    let mut acc = [0u8; 32];
                    for &i in &members {
                        let b = self.queues[i].pop_front().unwrap();
                        acc.iter_mut().zip(b).for_each(|(a, x)| *a ^= x);
                    }
                    out.extend_from_slice(&acc);
                }
                // Queues of sources outside the set would otherwise grow without bound.
                for i in (0..self.queues.len()).filter(|i| !members.contains(i)) {
                    self.queues[i].clear();
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xor_combines_one_block_of_every_healthy_source() {
        let mut m = Mixer::new(Mix::Xor, 3);
        m.add(0, vec![[0x0F; 32], [0x01; 32]]);
        assert_eq!(
            m.take(),
            [[0x0Fu8; 32], [0x01; 32]].concat(),
            "only source 0 is known healthy: it alone is the output"
        );
        m.add(1, vec![[0xF0; 32]]);
        assert!(m.take().is_empty(), "source 0 has nothing queued, so no XOR block yet");
        m.add(0, vec![[0x02; 32], [0x03; 32]]);
        assert_eq!(m.take(), vec![0x02u8 ^ 0xF0; 32], "one block of each; 0x03 waits for source 1");
        // Source 1 turns unhealthy: it leaves the set and source 0 goes on alone.
        m.set_health(1, false);
        assert_eq!(m.take(), vec![0x03u8; 32]);
        // An ended source's queued blocks are used up before it leaves.
        m.add(1, vec![[0x30; 32]]);
        m.end(1);
        m.add(0, vec![[0x04; 32], [0x05; 32]]);
        assert_eq!(m.take(), vec![0x04u8 ^ 0x30; 32]);
        assert_eq!(m.take(), vec![0x05u8; 32], "then source 0 alone");
    }

    #[test]
    fn a_source_waiting_for_its_xor_partner_queues_a_bounded_number_of_blocks() {
        let mut m = Mixer::new(Mix::Xor, 2);
        m.add(1, vec![[0; 32]]);
        m.add(0, (0..MAX_QUEUED_BLOCKS + 5).map(|i| [(i % 251) as u8; 32]).collect());
        assert_eq!(m.dropped_blocks, 5);
        // The oldest went: the first block out is source 0's sixth.
        assert_eq!(m.take(), vec![5u8; 32]);
    }

    #[test]
    fn concat_passes_everything_through() {
        let mut m = Mixer::new(Mix::Concat, 2);
        m.add(1, vec![[1; 32]]);
        m.add(0, vec![[2; 32]]);
        assert_eq!(m.take().len(), 64);
    }
}
