//! `vn_debias`: von Neumann debiaser on the stream leaving the holdback.
//!
//! For independent samples of any fixed bias, the pair (0,1) is exactly as likely as (1,0), so
//! emitting the first bit of each unequal pair gives unbiased bits whatever the bias: the
//! conditioner then need not trust the source's balance. `bypass` (from `!vn_enable`) is a
//! generation-time constant, so a bypassed core spends no logic on the pairing. One output
//! register; the input is accepted whenever that register is free or being emptied, so the block
//! keeps up with one bit per clock. Semantics: model/src/vn_debias.rs.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

#[derive(LogicBlock)]
pub struct VnDebias {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_bit: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub out_bit: Signal<Out, Bit>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    have_a: DFF<Bit>,
    a: DFF<Bit>,
    out_bit_q: DFF<Bit>,
    out_valid_q: DFF<Bit>,
    take: Signal<Local, Bit>,
    bypass: Constant<Bit>,
}

impl VnDebias {
    pub fn new(bypass: bool) -> Self {
        VnDebias {
            clock: Default::default(),
            reset: Default::default(),
            in_bit: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            out_bit: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            have_a: Default::default(),
            a: Default::default(),
            out_bit_q: Default::default(),
            out_valid_q: Default::default(),
            take: Default::default(),
            bypass: Constant::new(bypass),
        }
    }
}

impl Logic for VnDebias {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, have_a, a, out_bit_q, out_valid_q);
        self.in_ready.next = !self.out_valid_q.q.val() | self.out_ready.val();
        self.take.next = self.in_valid.val() & (!self.out_valid_q.q.val() | self.out_ready.val());
        if self.out_valid_q.q.val() & self.out_ready.val() {
            self.out_valid_q.d.next = false;
        }
        if self.take.val() {
            if self.bypass.val() {
                self.out_valid_q.d.next = true;
                self.out_bit_q.d.next = self.in_bit.val();
            } else if !self.have_a.q.val() {
                self.have_a.d.next = true;
                self.a.d.next = self.in_bit.val();
            } else {
                self.have_a.d.next = false;
                if self.a.q.val() != self.in_bit.val() {
                    self.out_valid_q.d.next = true;
                    self.out_bit_q.d.next = self.a.q.val();
                }
            }
        }
        if self.reset.val() {
            self.have_a.d.next = false;
            self.out_valid_q.d.next = false;
        }
        self.out_bit.next = self.out_bit_q.q.val();
        self.out_valid.next = self.out_valid_q.q.val();
    }
}

pub fn generate(p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_vn_debias", profile, VnDebias::new(!p.vn_enable))
}
