//! `sampler`: brings the asynchronous RD pin into the clock domain and takes one raw sample every
//! `oversample` clocks.
//!
//! Two flip-flops in series give a metastable first stage a full clock to settle before anything
//! looks at it. Sampling at a fixed sub-rate instead of every clock keeps consecutive samples from
//! being correlated through the limiting amplifier's finite bandwidth (the speckle pattern changes
//! slower than the core clock). Reset only clears the phase and the output strobe: the synchroniser
//! holds no state worth clearing.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

#[derive(LogicBlock)]
pub struct Sampler {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rd: Signal<In, Bit>,
    pub sample: Signal<Out, Bit>,
    pub sample_valid: Signal<Out, Bit>,
    sync1: DFF<Bit>,
    sync2: DFF<Bit>,
    phase: DFF<Bits<8>>,
    sample_q: DFF<Bit>,
    valid_q: DFF<Bit>,
    last_phase: Constant<Bits<8>>,
}

impl Sampler {
    pub fn new(oversample: u32) -> Self {
        assert!((1..=256).contains(&oversample), "oversample = {oversample}: must be 1..=256");
        Sampler {
            clock: Default::default(),
            reset: Default::default(),
            rd: Default::default(),
            sample: Default::default(),
            sample_valid: Default::default(),
            sync1: Default::default(),
            sync2: Default::default(),
            phase: Default::default(),
            sample_q: Default::default(),
            valid_q: Default::default(),
            last_phase: Constant::new((oversample as u64 - 1).to_bits()),
        }
    }
}

impl Logic for Sampler {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sync1, sync2, phase, sample_q, valid_q);
        self.sync1.d.next = self.rd.val();
        self.sync2.d.next = self.sync1.q.val();
        self.valid_q.d.next = false;
        if self.phase.q.val() == self.last_phase.val() {
            self.phase.d.next = 0.into();
            self.valid_q.d.next = true;
            self.sample_q.d.next = self.sync2.q.val();
        } else {
            self.phase.d.next = self.phase.q.val() + 1;
        }
        if self.reset.val() {
            self.phase.d.next = 0.into();
            self.valid_q.d.next = false;
            self.sample_q.d.next = false;
        }
        self.sample.next = self.sample_q.q.val();
        self.sample_valid.next = self.valid_q.q.val();
    }
}

/// The pair form (`ddr`): the pin's DDR input register (outside the core, in the board top) hands
/// over `rd_pair` every clock, bit 0 taken at the rising edge and bit 1 at the falling edge after
/// it. That register is the synchroniser's first stage; each lane then passes the same two
/// flip-flops as the single-lane sampler, so the falling-edge lane, which the iCE40's SB_IO
/// presents half a clock after capture, still gets two whole clocks before anything reads it.
/// There is no phase counter: a pair every clock is the only even spacing.
#[derive(LogicBlock, Default)]
pub struct SamplerDdr {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rd_pair: Signal<In, Bits<2>>,
    pub sample: Signal<Out, Bits<2>>,
    pub sample_valid: Signal<Out, Bit>,
    sync1: DFF<Bits<2>>,
    sync2: DFF<Bits<2>>,
    sample_q: DFF<Bits<2>>,
    valid_q: DFF<Bit>,
}

impl Logic for SamplerDdr {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sync1, sync2, sample_q, valid_q);
        self.sync1.d.next = self.rd_pair.val();
        self.sync2.d.next = self.sync1.q.val();
        self.valid_q.d.next = true;
        self.sample_q.d.next = self.sync2.q.val();
        if self.reset.val() {
            self.valid_q.d.next = false;
            self.sample_q.d.next = 0.into();
        }
        self.sample.next = self.sample_q.q.val();
        self.sample_valid.next = self.valid_q.q.val();
    }
}

pub fn generate(p: &CoreParams, profile: &str) -> String {
    if p.ddr {
        crate::emit::emit("speckle_sampler", profile, SamplerDdr::default())
    } else {
        crate::emit::emit("speckle_sampler", profile, Sampler::new(p.oversample))
    }
}
