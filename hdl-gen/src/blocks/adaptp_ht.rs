//! `adaptp_ht`: SP 800-90B §4.4.2 Adaptive Proportion Test over W-sample windows.
//!
//! The APT catches a source that loses entropy without getting stuck (a bias towards one value):
//! it counts how often the window's first sample value recurs in the window and fails at the
//! cutoff C = 1 + CRITBINOM(W, 2^-H, 1 - α), fixed at generation time from `CoreParams::cutoffs()`.
//! The count at each window end and the largest one since `stats_clear` go to the STATUS frame.
//! Semantics: model/src/adaptp_ht.rs and docs/blocks/adaptp_ht.md. Verdicts appear one clock after
//! the sample's `sample_valid`.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

#[derive(LogicBlock)]
pub struct AdaptpHt {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub sample: Signal<In, Bit>,
    pub sample_valid: Signal<In, Bit>,
    /// Abandon the current window: the next sample opens a new one.
    pub clear: Signal<In, Bit>,
    pub stats_clear: Signal<In, Bit>,
    pub fail: Signal<Out, Bit>,
    pub count: Signal<Out, Bits<16>>,
    pub window_done: Signal<Out, Bit>,
    pub max_count: Signal<Out, Bits<16>>,
    idx: DFF<Bits<16>>,
    reference: DFF<Bit>,
    cnt: DFF<Bits<16>>,
    count_q: DFF<Bits<16>>,
    max_q: DFF<Bits<16>>,
    fail_q: DFF<Bit>,
    done_q: DFF<Bit>,
    cnt_next: Signal<Local, Bits<16>>,
    max_base: Signal<Local, Bits<16>>,
    cutoff: Constant<Bits<16>>,
    last_idx: Constant<Bits<16>>,
    saturated: Constant<Bits<16>>,
}

impl AdaptpHt {
    pub fn new(window: u32, cutoff: u32) -> Self {
        assert!((2..=65536).contains(&window), "APT window {window}: must be 2..=65536");
        assert!((2..=0xFFFF).contains(&cutoff), "APT cutoff {cutoff}: must be 2..=65535");
        AdaptpHt {
            clock: Default::default(),
            reset: Default::default(),
            sample: Default::default(),
            sample_valid: Default::default(),
            clear: Default::default(),
            stats_clear: Default::default(),
            fail: Default::default(),
            count: Default::default(),
            window_done: Default::default(),
            max_count: Default::default(),
            idx: Default::default(),
            reference: Default::default(),
            cnt: Default::default(),
            count_q: Default::default(),
            max_q: Default::default(),
            fail_q: Default::default(),
            done_q: Default::default(),
            cnt_next: Default::default(),
            max_base: Default::default(),
            cutoff: Constant::new((cutoff as u64).to_bits()),
            last_idx: Constant::new((window as u64 - 1).to_bits()),
            saturated: Constant::new(0xFFFF_u64.to_bits()),
        }
    }
}

impl Logic for AdaptpHt {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, idx, reference, cnt, count_q, max_q, fail_q, done_q);
        self.fail_q.d.next = false;
        self.done_q.d.next = false;
        self.cnt_next.next = self.cnt.q.val();
        self.max_base.next = self.max_q.q.val();
        if self.stats_clear.val() {
            self.max_base.next = 0.into();
        }
        self.max_q.d.next = self.max_base.val();
        if self.sample_valid.val() {
            if self.idx.q.val() == 0 {
                self.reference.d.next = self.sample.val();
                self.cnt_next.next = 1.into();
            } else if (self.sample.val() == self.reference.q.val())
                & (self.cnt.q.val() != self.saturated.val())
            {
                self.cnt_next.next = self.cnt.q.val() + 1;
                self.fail_q.d.next = (self.cnt.q.val() + 1) == self.cutoff.val();
            }
            if self.idx.q.val() == self.last_idx.val() {
                self.idx.d.next = 0.into();
                self.done_q.d.next = true;
                self.count_q.d.next = self.cnt_next.val();
                if self.cnt_next.val() > self.max_base.val() {
                    self.max_q.d.next = self.cnt_next.val();
                }
            } else {
                self.idx.d.next = self.idx.q.val() + 1;
            }
        }
        self.cnt.d.next = self.cnt_next.val();
        if self.clear.val() {
            self.idx.d.next = 0.into();
            self.cnt.d.next = 0.into();
        }
        if self.reset.val() {
            self.idx.d.next = 0.into();
            self.cnt.d.next = 0.into();
            self.count_q.d.next = 0.into();
            self.max_q.d.next = 0.into();
            self.fail_q.d.next = false;
            self.done_q.d.next = false;
        }
        self.fail.next = self.fail_q.q.val();
        self.window_done.next = self.done_q.q.val();
        self.count.next = self.count_q.q.val();
        self.max_count.next = self.max_q.q.val();
    }
}

/// The APT of a DDR sampler: two raw samples per `sample_valid`, `sample[0]` the earlier one. It is
/// `AdaptpHt` applied to `sample[0]` then `sample[1]` in one clock (ports and registers as there).
/// W is even and a window starts at a pair after reset or `clear`, so windows hold W / 2 whole
/// pairs: the reference is always a pair's earlier sample and a window always ends with a pair's
/// later one, which lets the index count pairs. Counts only rise within a window and C >= 2, so at
/// most one sample of a pair can make the count exactly C.
#[derive(LogicBlock)]
pub struct AdaptpHtPair {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub sample: Signal<In, Bits<2>>,
    pub sample_valid: Signal<In, Bit>,
    /// Abandon the current window: the next pair opens a new one.
    pub clear: Signal<In, Bit>,
    pub stats_clear: Signal<In, Bit>,
    pub fail: Signal<Out, Bit>,
    pub count: Signal<Out, Bits<16>>,
    pub window_done: Signal<Out, Bit>,
    pub max_count: Signal<Out, Bits<16>>,
    /// Index of the pair in its window.
    pair_idx: DFF<Bits<16>>,
    reference: DFF<Bit>,
    cnt: DFF<Bits<16>>,
    count_q: DFF<Bits<16>>,
    max_q: DFF<Bits<16>>,
    fail_q: DFF<Bit>,
    done_q: DFF<Bit>,
    /// Reference for the later sample: the earlier one when it opens the window.
    ref_mid: Signal<Local, Bit>,
    cnt_mid: Signal<Local, Bits<16>>,
    cnt_next: Signal<Local, Bits<16>>,
    max_base: Signal<Local, Bits<16>>,
    cutoff: Constant<Bits<16>>,
    last_pair: Constant<Bits<16>>,
    saturated: Constant<Bits<16>>,
}

impl AdaptpHtPair {
    pub fn new(window: u32, cutoff: u32) -> Self {
        assert!(
            (2..=65536).contains(&window) && window.is_multiple_of(2),
            "APT window {window}: must be even and 2..=65536 for pairs"
        );
        assert!((2..=0xFFFF).contains(&cutoff), "APT cutoff {cutoff}: must be 2..=65535");
        AdaptpHtPair {
            clock: Default::default(),
            reset: Default::default(),
            sample: Default::default(),
            sample_valid: Default::default(),
            clear: Default::default(),
            stats_clear: Default::default(),
            fail: Default::default(),
            count: Default::default(),
            window_done: Default::default(),
            max_count: Default::default(),
            pair_idx: Default::default(),
            reference: Default::default(),
            cnt: Default::default(),
            count_q: Default::default(),
            max_q: Default::default(),
            fail_q: Default::default(),
            done_q: Default::default(),
            ref_mid: Default::default(),
            cnt_mid: Default::default(),
            cnt_next: Default::default(),
            max_base: Default::default(),
            cutoff: Constant::new((cutoff as u64).to_bits()),
            last_pair: Constant::new((window as u64 / 2 - 1).to_bits()),
            saturated: Constant::new(0xFFFF_u64.to_bits()),
        }
    }
}

impl Logic for AdaptpHtPair {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, pair_idx, reference, cnt, count_q, max_q, fail_q, done_q);
        self.fail_q.d.next = false;
        self.done_q.d.next = false;
        self.ref_mid.next = self.reference.q.val();
        self.cnt_mid.next = self.cnt.q.val();
        self.cnt_next.next = self.cnt.q.val();
        self.max_base.next = self.max_q.q.val();
        if self.stats_clear.val() {
            self.max_base.next = 0.into();
        }
        self.max_q.d.next = self.max_base.val();
        if self.sample_valid.val() {
            if self.pair_idx.q.val() == 0 {
                self.ref_mid.next = self.sample.val().get_bit(0);
                self.cnt_mid.next = 1.into();
            } else if (self.sample.val().get_bit(0) == self.reference.q.val())
                & (self.cnt.q.val() != self.saturated.val())
            {
                self.cnt_mid.next = self.cnt.q.val() + 1;
                self.fail_q.d.next = (self.cnt.q.val() + 1) == self.cutoff.val();
            }
            self.reference.d.next = self.ref_mid.val();
            self.cnt_next.next = self.cnt_mid.val();
            if (self.sample.val().get_bit(1) == self.ref_mid.val())
                & (self.cnt_mid.val() != self.saturated.val())
            {
                self.cnt_next.next = self.cnt_mid.val() + 1;
                if (self.cnt_mid.val() + 1) == self.cutoff.val() {
                    self.fail_q.d.next = true;
                }
            }
            if self.pair_idx.q.val() == self.last_pair.val() {
                self.pair_idx.d.next = 0.into();
                self.done_q.d.next = true;
                self.count_q.d.next = self.cnt_next.val();
                if self.cnt_next.val() > self.max_base.val() {
                    self.max_q.d.next = self.cnt_next.val();
                }
            } else {
                self.pair_idx.d.next = self.pair_idx.q.val() + 1;
            }
        }
        self.cnt.d.next = self.cnt_next.val();
        if self.clear.val() {
            self.pair_idx.d.next = 0.into();
            self.cnt.d.next = 0.into();
        }
        if self.reset.val() {
            self.pair_idx.d.next = 0.into();
            self.cnt.d.next = 0.into();
            self.count_q.d.next = 0.into();
            self.max_q.d.next = 0.into();
            self.fail_q.d.next = false;
            self.done_q.d.next = false;
        }
        self.fail.next = self.fail_q.q.val();
        self.window_done.next = self.done_q.q.val();
        self.count.next = self.count_q.q.val();
        self.max_count.next = self.max_q.q.val();
    }
}

/// The single-lane APT, or its pair form when the sampler is DDR (same module name either way).
pub fn generate(p: &CoreParams, profile: &str) -> String {
    let cutoff = p.cutoffs().apt;
    if p.ddr {
        crate::emit::emit("speckle_adaptp_ht", profile, AdaptpHtPair::new(p.window, cutoff))
    } else {
        crate::emit::emit("speckle_adaptp_ht", profile, AdaptpHt::new(p.window, cutoff))
    }
}
