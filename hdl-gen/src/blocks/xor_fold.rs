//! `xor_fold`: XOR of k consecutive bits into one.
//!
//! By the piling-up lemma, XOR of k independent bits with bias e has bias 2^(k-1) e^k, so folding
//! after von Neumann squeezes out residual bias from any dependence VN does not remove, and it
//! halves (k = 2) the bit rate the conditioner has to absorb. k is a generation-time constant.
//! Same stream handshake as `vn_debias`. Semantics: model/src/xor_fold.rs.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

#[derive(LogicBlock)]
pub struct XorFold {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_bit: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub out_bit: Signal<Out, Bit>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    acc: DFF<Bit>,
    n: DFF<Bits<7>>,
    out_bit_q: DFF<Bit>,
    out_valid_q: DFF<Bit>,
    take: Signal<Local, Bit>,
    last_n: Constant<Bits<7>>,
}

impl XorFold {
    pub fn new(k: u32) -> Self {
        assert!((1..=64).contains(&k), "fold_k = {k}: must be 1..=64");
        XorFold {
            clock: Default::default(),
            reset: Default::default(),
            in_bit: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            out_bit: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            acc: Default::default(),
            n: Default::default(),
            out_bit_q: Default::default(),
            out_valid_q: Default::default(),
            take: Default::default(),
            last_n: Constant::new((k as u64 - 1).to_bits()),
        }
    }
}

impl Logic for XorFold {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, acc, n, out_bit_q, out_valid_q);
        self.in_ready.next = !self.out_valid_q.q.val() | self.out_ready.val();
        self.take.next = self.in_valid.val() & (!self.out_valid_q.q.val() | self.out_ready.val());
        if self.out_valid_q.q.val() & self.out_ready.val() {
            self.out_valid_q.d.next = false;
        }
        if self.take.val() {
            if self.n.q.val() == self.last_n.val() {
                self.n.d.next = 0.into();
                self.acc.d.next = false;
                self.out_valid_q.d.next = true;
                self.out_bit_q.d.next = self.acc.q.val() ^ self.in_bit.val();
            } else {
                self.n.d.next = self.n.q.val() + 1;
                self.acc.d.next = self.acc.q.val() ^ self.in_bit.val();
            }
        }
        if self.reset.val() {
            self.n.d.next = 0.into();
            self.acc.d.next = false;
            self.out_valid_q.d.next = false;
        }
        self.out_bit.next = self.out_bit_q.q.val();
        self.out_valid.next = self.out_valid_q.q.val();
    }
}

pub fn generate(p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_xor_fold", profile, XorFold::new(p.fold_k))
}
