//! `markov_ht`: transition-count test over W-sample windows (SP 800-90B §4.5 developer-defined).
//!
//! RCT and APT only look at symbol frequencies, so a source that alternates 0101... or produces a
//! slow square wave 00001111... has perfect proportions and passes both. Counting transitions over
//! the W - 1 adjacent pairs of each window catches such first-order Markov dependence: too many
//! transitions (above `markov_hi`) or too few (below `markov_lo`) fail at the window end. Windows
//! are aligned with the APT's. Cutoffs come from `CoreParams::cutoffs()` at generation time.
//! Semantics: model/src/markov_ht.rs and docs/blocks/markov_ht.md.
//!
//! Timing: `min_transitions` / `max_transitions` take a window one clock after `window_done`
//! shows it. Folding it in the window's last clock chained the transition incrementer, a 16-bit
//! compare against the statistics register and its load: the ULX3S's critical path at 100 MHz
//! (9.9 ns, docs/fpga-results.md). Folding `trans_q` a clock later compares two flip-flops.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

#[derive(LogicBlock)]
pub struct MarkovHt {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub sample: Signal<In, Bit>,
    pub sample_valid: Signal<In, Bit>,
    pub clear: Signal<In, Bit>,
    /// Restart `min_transitions` / `max_transitions` (a STATUS snapshot was taken).
    pub stats_clear: Signal<In, Bit>,
    pub fail: Signal<Out, Bit>,
    pub transitions: Signal<Out, Bits<16>>,
    pub window_done: Signal<Out, Bit>,
    pub min_transitions: Signal<Out, Bits<16>>,
    pub max_transitions: Signal<Out, Bits<16>>,
    idx: DFF<Bits<16>>,
    prev: DFF<Bit>,
    trans: DFF<Bits<16>>,
    trans_q: DFF<Bits<16>>,
    min_q: DFF<Bits<16>>,
    max_q: DFF<Bits<16>>,
    fail_q: DFF<Bit>,
    done_q: DFF<Bit>,
    trans_next: Signal<Local, Bits<16>>,
    lo: Constant<Bits<16>>,
    hi: Constant<Bits<16>>,
    last_idx: Constant<Bits<16>>,
    all_ones: Constant<Bits<16>>,
}

impl MarkovHt {
    pub fn new(window: u32, lo: u32, hi: u32) -> Self {
        assert!((2..=65536).contains(&window), "Markov window {window}: must be 2..=65536");
        assert!(
            lo <= hi && hi <= 0xFFFF,
            "Markov cutoffs lo = {lo}, hi = {hi}: need lo <= hi <= 65535"
        );
        MarkovHt {
            clock: Default::default(),
            reset: Default::default(),
            sample: Default::default(),
            sample_valid: Default::default(),
            clear: Default::default(),
            stats_clear: Default::default(),
            fail: Default::default(),
            transitions: Default::default(),
            window_done: Default::default(),
            min_transitions: Default::default(),
            max_transitions: Default::default(),
            idx: Default::default(),
            prev: Default::default(),
            trans: Default::default(),
            trans_q: Default::default(),
            min_q: Default::default(),
            max_q: Default::default(),
            fail_q: Default::default(),
            done_q: Default::default(),
            trans_next: Default::default(),
            lo: Constant::new((lo as u64).to_bits()),
            hi: Constant::new((hi as u64).to_bits()),
            last_idx: Constant::new((window as u64 - 1).to_bits()),
            all_ones: Constant::new(0xFFFF_u64.to_bits()),
        }
    }
}

impl Logic for MarkovHt {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, idx, prev, trans, trans_q, min_q, max_q, fail_q, done_q);
        self.fail_q.d.next = false;
        self.done_q.d.next = false;
        self.trans_next.next = self.trans.q.val();
        // The statistics fold the window that ended in the previous clock (`done_q`, `trans_q`):
        // both compare operands are flip-flops, and `stats_clear` only selects the result.
        if self.stats_clear.val() {
            if self.done_q.q.val() {
                self.min_q.d.next = self.trans_q.q.val();
                self.max_q.d.next = self.trans_q.q.val();
            } else {
                self.min_q.d.next = self.all_ones.val();
                self.max_q.d.next = 0.into();
            }
        } else if self.done_q.q.val() {
            if self.trans_q.q.val() < self.min_q.q.val() {
                self.min_q.d.next = self.trans_q.q.val();
            }
            if self.trans_q.q.val() > self.max_q.q.val() {
                self.max_q.d.next = self.trans_q.q.val();
            }
        }
        if self.sample_valid.val() {
            self.prev.d.next = self.sample.val();
            if self.idx.q.val() == 0 {
                self.trans_next.next = 0.into();
            } else if self.sample.val() != self.prev.q.val() {
                self.trans_next.next = self.trans.q.val() + 1;
            }
            if self.idx.q.val() == self.last_idx.val() {
                self.idx.d.next = 0.into();
                self.done_q.d.next = true;
                self.trans_q.d.next = self.trans_next.val();
                self.fail_q.d.next = (self.trans_next.val() < self.lo.val())
                    | (self.trans_next.val() > self.hi.val());
            } else {
                self.idx.d.next = self.idx.q.val() + 1;
            }
        }
        self.trans.d.next = self.trans_next.val();
        if self.clear.val() {
            self.idx.d.next = 0.into();
            self.trans.d.next = 0.into();
        }
        if self.reset.val() {
            self.idx.d.next = 0.into();
            self.trans.d.next = 0.into();
            self.trans_q.d.next = 0.into();
            self.min_q.d.next = self.all_ones.val();
            self.max_q.d.next = 0.into();
            self.fail_q.d.next = false;
            self.done_q.d.next = false;
        }
        self.fail.next = self.fail_q.q.val();
        self.window_done.next = self.done_q.q.val();
        self.transitions.next = self.trans_q.q.val();
        self.min_transitions.next = self.min_q.q.val();
        self.max_transitions.next = self.max_q.q.val();
    }
}

/// The pair form for the DDR sampler (`p.ddr`): two samples a clock, `sample[0]` the earlier.
/// Exactly `MarkovHt` fed `sample[0]` then `sample[1]`: the transition from the previous pair's
/// last sample into `sample[0]` counts (unless `sample[0]` opens a window) and so does the one
/// inside the pair. W is even and every window starts on a pair, so a window always ends on
/// `sample[1]` and `idx` counts pairs; at most one verdict per clock, registered as in
/// `MarkovHt`, with the same one-clock-later fold into `min`/`max`.
#[derive(LogicBlock)]
pub struct MarkovHtPair {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub sample: Signal<In, Bits<2>>,
    pub sample_valid: Signal<In, Bit>,
    pub clear: Signal<In, Bit>,
    /// Restart `min_transitions` / `max_transitions` (a STATUS snapshot was taken).
    pub stats_clear: Signal<In, Bit>,
    pub fail: Signal<Out, Bit>,
    pub transitions: Signal<Out, Bits<16>>,
    pub window_done: Signal<Out, Bit>,
    pub min_transitions: Signal<Out, Bits<16>>,
    pub max_transitions: Signal<Out, Bits<16>>,
    idx: DFF<Bits<16>>,
    prev: DFF<Bit>,
    trans: DFF<Bits<16>>,
    trans_q: DFF<Bits<16>>,
    min_q: DFF<Bits<16>>,
    max_q: DFF<Bits<16>>,
    fail_q: DFF<Bit>,
    done_q: DFF<Bit>,
    s0: Signal<Local, Bit>,
    s1: Signal<Local, Bit>,
    /// The count after `sample[0]`.
    trans_mid: Signal<Local, Bits<16>>,
    trans_next: Signal<Local, Bits<16>>,
    lo: Constant<Bits<16>>,
    hi: Constant<Bits<16>>,
    last_idx: Constant<Bits<16>>,
    all_ones: Constant<Bits<16>>,
}

impl MarkovHtPair {
    pub fn new(window: u32, lo: u32, hi: u32) -> Self {
        assert!(
            (2..=65536).contains(&window) && window.is_multiple_of(2),
            "Markov window {window}: the pair form needs an even window in 2..=65536"
        );
        assert!(
            lo <= hi && hi <= 0xFFFF,
            "Markov cutoffs lo = {lo}, hi = {hi}: need lo <= hi <= 65535"
        );
        MarkovHtPair {
            clock: Default::default(),
            reset: Default::default(),
            sample: Default::default(),
            sample_valid: Default::default(),
            clear: Default::default(),
            stats_clear: Default::default(),
            fail: Default::default(),
            transitions: Default::default(),
            window_done: Default::default(),
            min_transitions: Default::default(),
            max_transitions: Default::default(),
            idx: Default::default(),
            prev: Default::default(),
            trans: Default::default(),
            trans_q: Default::default(),
            min_q: Default::default(),
            max_q: Default::default(),
            fail_q: Default::default(),
            done_q: Default::default(),
            s0: Default::default(),
            s1: Default::default(),
            trans_mid: Default::default(),
            trans_next: Default::default(),
            lo: Constant::new((lo as u64).to_bits()),
            hi: Constant::new((hi as u64).to_bits()),
            last_idx: Constant::new((window as u64 / 2 - 1).to_bits()),
            all_ones: Constant::new(0xFFFF_u64.to_bits()),
        }
    }
}

impl Logic for MarkovHtPair {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, idx, prev, trans, trans_q, min_q, max_q, fail_q, done_q);
        self.fail_q.d.next = false;
        self.done_q.d.next = false;
        self.s0.next = self.sample.val().get_bit(0);
        self.s1.next = self.sample.val().get_bit(1);
        self.trans_mid.next = self.trans.q.val();
        self.trans_next.next = self.trans.q.val();
        // As in `MarkovHt`: the fold takes the window that ended in the previous clock.
        if self.stats_clear.val() {
            if self.done_q.q.val() {
                self.min_q.d.next = self.trans_q.q.val();
                self.max_q.d.next = self.trans_q.q.val();
            } else {
                self.min_q.d.next = self.all_ones.val();
                self.max_q.d.next = 0.into();
            }
        } else if self.done_q.q.val() {
            if self.trans_q.q.val() < self.min_q.q.val() {
                self.min_q.d.next = self.trans_q.q.val();
            }
            if self.trans_q.q.val() > self.max_q.q.val() {
                self.max_q.d.next = self.trans_q.q.val();
            }
        }
        if self.sample_valid.val() {
            self.prev.d.next = self.s1.val();
            if self.idx.q.val() == 0 {
                self.trans_mid.next = 0.into();
            } else if self.s0.val() != self.prev.q.val() {
                self.trans_mid.next = self.trans.q.val() + 1;
            }
            self.trans_next.next = self.trans_mid.val();
            if self.s1.val() != self.s0.val() {
                self.trans_next.next = self.trans_mid.val() + 1;
            }
            if self.idx.q.val() == self.last_idx.val() {
                self.idx.d.next = 0.into();
                self.done_q.d.next = true;
                self.trans_q.d.next = self.trans_next.val();
                self.fail_q.d.next = (self.trans_next.val() < self.lo.val())
                    | (self.trans_next.val() > self.hi.val());
            } else {
                self.idx.d.next = self.idx.q.val() + 1;
            }
        }
        self.trans.d.next = self.trans_next.val();
        if self.clear.val() {
            self.idx.d.next = 0.into();
            self.trans.d.next = 0.into();
        }
        if self.reset.val() {
            self.idx.d.next = 0.into();
            self.trans.d.next = 0.into();
            self.trans_q.d.next = 0.into();
            self.min_q.d.next = self.all_ones.val();
            self.max_q.d.next = 0.into();
            self.fail_q.d.next = false;
            self.done_q.d.next = false;
        }
        self.fail.next = self.fail_q.q.val();
        self.window_done.next = self.done_q.q.val();
        self.transitions.next = self.trans_q.q.val();
        self.min_transitions.next = self.min_q.q.val();
        self.max_transitions.next = self.max_q.q.val();
    }
}

/// `MarkovHtPair` for a DDR sampler (`p.ddr`), else `MarkovHt`; both under one module name.
pub fn generate(p: &CoreParams, profile: &str) -> String {
    let c = p.cutoffs();
    if p.ddr {
        return crate::emit::emit(
            "speckle_markov_ht",
            profile,
            MarkovHtPair::new(p.window, c.markov_lo, c.markov_hi),
        );
    }
    crate::emit::emit(
        "speckle_markov_ht",
        profile,
        MarkovHt::new(p.window, c.markov_lo, c.markov_hi),
    )
}
