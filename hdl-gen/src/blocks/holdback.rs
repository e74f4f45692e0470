//! `holdback`: the raw-sample FIFO between the sampler and the debiaser.
//!
//! The health tests need up to 2W samples after a fault's onset to notice it (a whole APT/Markov
//! window of faulty samples). If samples went straight on to the conditioner, output derived from
//! the first faulty samples would already be gone by then. So every sample waits here until at
//! least `depth` = 2W + 16 newer samples have been pushed, i.e. tested; an alarm's `flush` empties
//! the buffer, and whatever was taken at or after the fault onset never leaves.
//!
//! The storage is a rust-hdl `RAM` (registered read) so yosys maps it onto block RAM: 16384 x 1 bit
//! for W = 1024 costs four iCE40 EBRs instead of thousands of LUT flip-flops. The read address is
//! forwarded (next read pointer), so `out_bit` is valid in the same clock as `out_valid` and the
//! buffer sustains one sample per clock. When the buffer is full an incoming sample is dropped and
//! `dropped` strobes: losing a sample is safe (it only shortens the stream); stalling the sampler
//! is not possible. Semantics: model/src/holdback.rs.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

/// Width of the occupancy counter; enough for the largest buffer `generate` builds (2^19).
const COUNT_BITS: usize = 20;

#[derive(LogicBlock)]
pub struct Holdback<const A: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_bit: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    pub flush: Signal<In, Bit>,
    pub out_bit: Signal<Out, Bit>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub dropped: Signal<Out, Bit>,
    ram: RAM<Bit, A>,
    wr: DFF<Bits<A>>,
    rd: DFF<Bits<A>>,
    count: DFF<Bits<COUNT_BITS>>,
    dropped_q: DFF<Bit>,
    avail: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    push: Signal<Local, Bit>,
    full: Signal<Local, Bit>,
    rd_next: Signal<Local, Bits<A>>,
    depth: Constant<Bits<COUNT_BITS>>,
    capacity: Constant<Bits<COUNT_BITS>>,
}

impl<const A: usize> Holdback<A> {
    pub fn new(depth: u32) -> Self {
        let capacity = 1u64 << A;
        assert!(A < COUNT_BITS, "holdback address width {A} too large");
        assert!(
            depth >= 1 && (depth as u64) < capacity,
            "holdback depth {depth} needs a buffer larger than {capacity}"
        );
        Holdback {
            clock: Default::default(),
            reset: Default::default(),
            in_bit: Default::default(),
            in_valid: Default::default(),
            flush: Default::default(),
            out_bit: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            dropped: Default::default(),
            ram: Default::default(),
            wr: Default::default(),
            rd: Default::default(),
            count: Default::default(),
            dropped_q: Default::default(),
            avail: Default::default(),
            pop: Default::default(),
            push: Default::default(),
            full: Default::default(),
            rd_next: Default::default(),
            depth: Constant::new((depth as u64).to_bits()),
            capacity: Constant::new(capacity.to_bits()),
        }
    }
}

impl<const A: usize> Logic for Holdback<A> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wr, rd, count, dropped_q);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.avail.next = self.count.q.val() > self.depth.val();
        self.full.next = self.count.q.val() == self.capacity.val();
        self.pop.next = self.avail.val() & self.out_ready.val();
        self.push.next = self.in_valid.val() & !self.full.val() & !self.flush.val();
        self.dropped_q.d.next = self.in_valid.val() & self.full.val() & !self.flush.val();
        self.rd_next.next = self.rd.q.val();
        if self.pop.val() {
            self.rd_next.next = self.rd.q.val() + 1;
        }
        if self.push.val() {
            self.wr.d.next = self.wr.q.val() + 1;
        }
        if self.push.val() & !self.pop.val() {
            self.count.d.next = self.count.q.val() + 1;
        } else if !self.push.val() & self.pop.val() {
            self.count.d.next = self.count.q.val() - 1;
        }
        if self.flush.val() {
            self.count.d.next = 0.into();
            self.rd_next.next = self.wr.q.val();
        }
        if self.reset.val() {
            self.count.d.next = 0.into();
            self.wr.d.next = 0.into();
            self.rd_next.next = 0.into();
            self.dropped_q.d.next = false;
        }
        self.rd.d.next = self.rd_next.val();
        self.ram.read_address.next = self.rd_next.val();
        self.ram.write_address.next = self.wr.q.val();
        self.ram.write_data.next = self.in_bit.val();
        self.ram.write_enable.next = self.push.val();
        self.out_valid.next = self.avail.val();
        self.out_bit.next = self.ram.read_data.val();
        self.dropped.next = self.dropped_q.q.val();
    }
}

/// The pair form for the DDR sampler (`p.ddr`): two samples a clock arrive as `in_pair` (bit 0 the
/// earlier) and leave as `out_pair`, so the FIFO stores, counts and drops pairs. A RAM two bits
/// wide keeps one push and one pop per clock, which a one-bit FIFO could not at two samples a
/// clock. `depth` is in pairs (`CoreParams::holdback_entries`), so every sample still waits for at least
/// `p.holdback()` newer tested samples. Logic as in `Holdback`.
#[derive(LogicBlock)]
pub struct HoldbackPair<const A: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_pair: Signal<In, Bits<2>>,
    pub in_valid: Signal<In, Bit>,
    pub flush: Signal<In, Bit>,
    pub out_pair: Signal<Out, Bits<2>>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub dropped: Signal<Out, Bit>,
    ram: RAM<Bits<2>, A>,
    wr: DFF<Bits<A>>,
    rd: DFF<Bits<A>>,
    count: DFF<Bits<COUNT_BITS>>,
    dropped_q: DFF<Bit>,
    avail: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    push: Signal<Local, Bit>,
    full: Signal<Local, Bit>,
    rd_next: Signal<Local, Bits<A>>,
    depth: Constant<Bits<COUNT_BITS>>,
    capacity: Constant<Bits<COUNT_BITS>>,
}

impl<const A: usize> HoldbackPair<A> {
    /// `depth_pairs`: pairs that must be behind a pair before it leaves
    /// (`CoreParams::holdback_entries`).
    pub fn new(depth_pairs: u32) -> Self {
        let capacity = 1u64 << A;
        assert!(A < COUNT_BITS, "holdback address width {A} too large");
        assert!(
            depth_pairs >= 1 && (depth_pairs as u64) < capacity,
            "holdback depth {depth_pairs} pairs needs a buffer larger than {capacity}"
        );
        HoldbackPair {
            clock: Default::default(),
            reset: Default::default(),
            in_pair: Default::default(),
            in_valid: Default::default(),
            flush: Default::default(),
            out_pair: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            dropped: Default::default(),
            ram: Default::default(),
            wr: Default::default(),
            rd: Default::default(),
            count: Default::default(),
            dropped_q: Default::default(),
            avail: Default::default(),
            pop: Default::default(),
            push: Default::default(),
            full: Default::default(),
            rd_next: Default::default(),
            depth: Constant::new((depth_pairs as u64).to_bits()),
            capacity: Constant::new(capacity.to_bits()),
        }
    }
}

impl<const A: usize> Logic for HoldbackPair<A> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wr, rd, count, dropped_q);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.avail.next = self.count.q.val() > self.depth.val();
        self.full.next = self.count.q.val() == self.capacity.val();
        self.pop.next = self.avail.val() & self.out_ready.val();
        self.push.next = self.in_valid.val() & !self.full.val() & !self.flush.val();
        self.dropped_q.d.next = self.in_valid.val() & self.full.val() & !self.flush.val();
        self.rd_next.next = self.rd.q.val();
        if self.pop.val() {
            self.rd_next.next = self.rd.q.val() + 1;
        }
        if self.push.val() {
            self.wr.d.next = self.wr.q.val() + 1;
        }
        if self.push.val() & !self.pop.val() {
            self.count.d.next = self.count.q.val() + 1;
        } else if !self.push.val() & self.pop.val() {
            self.count.d.next = self.count.q.val() - 1;
        }
        if self.flush.val() {
            self.count.d.next = 0.into();
            self.rd_next.next = self.wr.q.val();
        }
        if self.reset.val() {
            self.count.d.next = 0.into();
            self.wr.d.next = 0.into();
            self.rd_next.next = 0.into();
            self.dropped_q.d.next = false;
        }
        self.rd.d.next = self.rd_next.val();
        self.ram.read_address.next = self.rd_next.val();
        self.ram.write_address.next = self.wr.q.val();
        self.ram.write_data.next = self.in_pair.val();
        self.ram.write_enable.next = self.push.val();
        self.out_valid.next = self.avail.val();
        self.out_pair.next = self.ram.read_data.val();
        self.dropped.next = self.dropped_q.q.val();
    }
}

/// Address bits of the buffer for a holdback of `depth`: four times the smallest power of two
/// above `depth`. The extra is slack for back-pressure: the conditioner holds a finished digest
/// until the framer has sent its last payload byte, which can take two frame times (~40k clocks on
/// ecp5 at 2 Mbaud, one frame still going out), and the samples arriving meanwhile must wait here
/// instead of being dropped. In block RAM the slack costs a few EBRs, not LUTs.
pub fn address_bits(depth: u32) -> usize {
    (64 - (depth as u64).leading_zeros()) as usize + 2
}

/// Emits `module` as the holdback for `p` (the core instantiates it under its own name):
/// `HoldbackPair` for a DDR sampler, else `Holdback`.
pub fn emit_for(module: &str, p: &CoreParams, profile: &str) -> String {
    let depth = p.holdback_entries();
    macro_rules! sized {
        ($block:ident, $unit:literal, $range:literal; $($a:literal),*) => {
            match address_bits(depth) {
                $($a => crate::emit::emit(module, profile, $block::<$a>::new(depth)),)*
                other => panic!(
                    "holdback depth {depth} {} needs {other} address bits; supported {} (window <= 32768)",
                    $unit, $range
                ),
            }
        };
    }
    // A pair holdback is half as deep, so W = 64 needs 9 address bits.
    if p.ddr {
        sized!(HoldbackPair, "pairs", "9..=19"; 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
    } else {
        sized!(Holdback, "samples", "10..=19"; 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
    }
}

pub fn generate(p: &CoreParams, profile: &str) -> String {
    emit_for("speckle_holdback", p, profile)
}
