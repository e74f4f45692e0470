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

/// The pair form (`ddr`): the holdback hands over a pair of samples per clock, and the data path
/// after it moves one bit per clock, so the pair's XOR is the fold's first level and k / 2 pairs
/// make an output bit. The output stream equals [`XorFold`]'s on the same samples in order, since
/// a group of k (even) never splits a pair: groups start at reset, and the holdback flushes whole
/// pairs.
#[derive(LogicBlock)]
pub struct XorFoldPair {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_pair: Signal<In, Bits<2>>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub out_bit: Signal<Out, Bit>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    acc: DFF<Bit>,
    n: DFF<Bits<6>>,
    out_bit_q: DFF<Bit>,
    out_valid_q: DFF<Bit>,
    take: Signal<Local, Bit>,
    pair_xor: Signal<Local, Bit>,
    last_n: Constant<Bits<6>>,
}

impl XorFoldPair {
    /// `k`: samples per output bit, even (the pair is its first XOR).
    pub fn new(k: u32) -> Self {
        assert!(
            k.is_multiple_of(2) && (2..=64).contains(&k),
            "fold_k = {k}: the pair form needs an even k in 2..=64"
        );
        XorFoldPair {
            clock: Default::default(),
            reset: Default::default(),
            in_pair: Default::default(),
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
            pair_xor: Default::default(),
            last_n: Constant::new((k as u64 / 2 - 1).to_bits()),
        }
    }
}

impl Logic for XorFoldPair {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, acc, n, out_bit_q, out_valid_q);
        self.pair_xor.next = self.in_pair.val().get_bit(0) ^ self.in_pair.val().get_bit(1);
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
                self.out_bit_q.d.next = self.acc.q.val() ^ self.pair_xor.val();
            } else {
                self.n.d.next = self.n.q.val() + 1;
                self.acc.d.next = self.acc.q.val() ^ self.pair_xor.val();
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
    if p.ddr {
        crate::emit::emit("speckle_xor_fold", profile, XorFoldPair::new(p.fold_k))
    } else {
        crate::emit::emit("speckle_xor_fold", profile, XorFold::new(p.fold_k))
    }
}
