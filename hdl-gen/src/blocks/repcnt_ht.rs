//! `repcnt_ht`: SP 800-90B §4.4.1 Repetition Count Test on the raw samples.
//!
//! The RCT catches a source that gets stuck: with claimed min-entropy H per sample, a run of
//! C = 1 + ceil(a / H) identical samples has probability at most 2^-a for a healthy source. C comes
//! from `CoreParams::cutoffs()` at generation time, so the cutoff is fixed in the gateware and cannot
//! be mis-set at run time. The block also keeps the longest run since the last `stats_clear`, for the
//! STATUS frame. Semantics: model/src/repcnt_ht.rs and docs/blocks/repcnt_ht.md. The verdict for a
//! sample appears one clock after its `sample_valid`.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

#[derive(LogicBlock)]
pub struct RepcntHt {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub sample: Signal<In, Bit>,
    pub sample_valid: Signal<In, Bit>,
    /// Forget the current run (alarm clear): the next sample starts a run of 1.
    pub clear: Signal<In, Bit>,
    /// Restart `max_run` from the current run (a STATUS snapshot was taken).
    pub stats_clear: Signal<In, Bit>,
    pub fail: Signal<Out, Bit>,
    pub run: Signal<Out, Bits<16>>,
    pub max_run: Signal<Out, Bits<16>>,
    last: DFF<Bit>,
    run_q: DFF<Bits<16>>,
    max_q: DFF<Bits<16>>,
    fail_q: DFF<Bit>,
    run_next: Signal<Local, Bits<16>>,
    max_base: Signal<Local, Bits<16>>,
    cutoff: Constant<Bits<16>>,
    saturated: Constant<Bits<16>>,
}

impl RepcntHt {
    pub fn new(cutoff: u32) -> Self {
        assert!((2..=0xFFFF).contains(&cutoff), "RCT cutoff {cutoff}: must be 2..=65535");
        RepcntHt {
            clock: Default::default(),
            reset: Default::default(),
            sample: Default::default(),
            sample_valid: Default::default(),
            clear: Default::default(),
            stats_clear: Default::default(),
            fail: Default::default(),
            run: Default::default(),
            max_run: Default::default(),
            last: Default::default(),
            run_q: Default::default(),
            max_q: Default::default(),
            fail_q: Default::default(),
            run_next: Default::default(),
            max_base: Default::default(),
            cutoff: Constant::new((cutoff as u64).to_bits()),
            saturated: Constant::new(0xFFFF_u64.to_bits()),
        }
    }
}

impl Logic for RepcntHt {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, last, run_q, max_q, fail_q);
        self.fail_q.d.next = false;
        self.run_next.next = self.run_q.q.val();
        if self.sample_valid.val() {
            self.last.d.next = self.sample.val();
            if (self.run_q.q.val() == 0) | (self.sample.val() != self.last.q.val()) {
                self.run_next.next = 1.into();
            } else if self.run_q.q.val() != self.saturated.val() {
                self.run_next.next = self.run_q.q.val() + 1;
                self.fail_q.d.next = (self.run_q.q.val() + 1) == self.cutoff.val();
            }
        }
        self.max_base.next = self.max_q.q.val();
        if self.stats_clear.val() {
            // Restart from the run in progress, so a long run is never lost from STATUS.
            self.max_base.next = self.run_q.q.val();
        }
        self.max_q.d.next = self.max_base.val();
        if self.run_next.val() > self.max_base.val() {
            self.max_q.d.next = self.run_next.val();
        }
        self.run_q.d.next = self.run_next.val();
        if self.clear.val() {
            self.run_q.d.next = 0.into();
        }
        if self.reset.val() {
            self.run_q.d.next = 0.into();
            self.max_q.d.next = 0.into();
            self.fail_q.d.next = false;
        }
        self.fail.next = self.fail_q.q.val();
        self.run.next = self.run_q.q.val();
        self.max_run.next = self.max_q.q.val();
    }
}

/// The RCT of a DDR sampler: two raw samples per `sample_valid`, `sample[0]` the earlier one. It is
/// `RepcntHt` applied to `sample[0]` then `sample[1]` in one clock (ports and registers as there),
/// so every raw sample is tested, not just one per clock. With C >= 2 at most one sample of a pair
/// can make the run exactly C, so `fail` stays one strobe per over-long run.
#[derive(LogicBlock)]
pub struct RepcntHtPair {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub sample: Signal<In, Bits<2>>,
    pub sample_valid: Signal<In, Bit>,
    /// Forget the current run (alarm clear): the next sample starts a run of 1.
    pub clear: Signal<In, Bit>,
    /// Restart `max_run` from the current run (a STATUS snapshot was taken).
    pub stats_clear: Signal<In, Bit>,
    pub fail: Signal<Out, Bit>,
    pub run: Signal<Out, Bits<16>>,
    pub max_run: Signal<Out, Bits<16>>,
    last: DFF<Bit>,
    run_q: DFF<Bits<16>>,
    max_q: DFF<Bits<16>>,
    fail_q: DFF<Bit>,
    /// Run after the earlier sample.
    run_mid: Signal<Local, Bits<16>>,
    /// Run after the later sample.
    run_next: Signal<Local, Bits<16>>,
    max_base: Signal<Local, Bits<16>>,
    /// Maximum after the earlier sample: the run may restart at the later one, so the earlier
    /// sample's run must count on its own.
    max_mid: Signal<Local, Bits<16>>,
    cutoff: Constant<Bits<16>>,
    saturated: Constant<Bits<16>>,
}

impl RepcntHtPair {
    pub fn new(cutoff: u32) -> Self {
        assert!((2..=0xFFFF).contains(&cutoff), "RCT cutoff {cutoff}: must be 2..=65535");
        RepcntHtPair {
            clock: Default::default(),
            reset: Default::default(),
            sample: Default::default(),
            sample_valid: Default::default(),
            clear: Default::default(),
            stats_clear: Default::default(),
            fail: Default::default(),
            run: Default::default(),
            max_run: Default::default(),
            last: Default::default(),
            run_q: Default::default(),
            max_q: Default::default(),
            fail_q: Default::default(),
            run_mid: Default::default(),
            run_next: Default::default(),
            max_base: Default::default(),
            max_mid: Default::default(),
            cutoff: Constant::new((cutoff as u64).to_bits()),
            saturated: Constant::new(0xFFFF_u64.to_bits()),
        }
    }
}

impl Logic for RepcntHtPair {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, last, run_q, max_q, fail_q);
        self.fail_q.d.next = false;
        self.run_mid.next = self.run_q.q.val();
        self.run_next.next = self.run_q.q.val();
        if self.sample_valid.val() {
            self.last.d.next = self.sample.val().get_bit(1);
            if (self.run_q.q.val() == 0) | (self.sample.val().get_bit(0) != self.last.q.val()) {
                self.run_mid.next = 1.into();
            } else if self.run_q.q.val() != self.saturated.val() {
                self.run_mid.next = self.run_q.q.val() + 1;
                self.fail_q.d.next = (self.run_q.q.val() + 1) == self.cutoff.val();
            }
            // run_mid >= 1 here, so the later sample only compares with the earlier one.
            self.run_next.next = self.run_mid.val();
            if self.sample.val().get_bit(1) != self.sample.val().get_bit(0) {
                self.run_next.next = 1.into();
            } else if self.run_mid.val() != self.saturated.val() {
                self.run_next.next = self.run_mid.val() + 1;
                if (self.run_mid.val() + 1) == self.cutoff.val() {
                    self.fail_q.d.next = true;
                }
            }
        }
        self.max_base.next = self.max_q.q.val();
        if self.stats_clear.val() {
            // Restart from the run in progress, so a long run is never lost from STATUS.
            self.max_base.next = self.run_q.q.val();
        }
        self.max_mid.next = self.max_base.val();
        if self.run_mid.val() > self.max_base.val() {
            self.max_mid.next = self.run_mid.val();
        }
        self.max_q.d.next = self.max_mid.val();
        if self.run_next.val() > self.max_mid.val() {
            self.max_q.d.next = self.run_next.val();
        }
        self.run_q.d.next = self.run_next.val();
        if self.clear.val() {
            self.run_q.d.next = 0.into();
        }
        if self.reset.val() {
            self.run_q.d.next = 0.into();
            self.max_q.d.next = 0.into();
            self.fail_q.d.next = false;
        }
        self.fail.next = self.fail_q.q.val();
        self.run.next = self.run_q.q.val();
        self.max_run.next = self.max_q.q.val();
    }
}

/// The single-lane RCT, or its pair form when the sampler is DDR (same module name either way).
pub fn generate(p: &CoreParams, profile: &str) -> String {
    let cutoff = p.cutoffs().rct;
    if p.ddr {
        crate::emit::emit("speckle_repcnt_ht", profile, RepcntHtPair::new(cutoff))
    } else {
        crate::emit::emit("speckle_repcnt_ht", profile, RepcntHt::new(cutoff))
    }
}
