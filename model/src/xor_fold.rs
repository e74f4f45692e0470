//! Reference model of `xor_fold`: every k consecutive input bits become one output bit, their XOR.
//!
//! Semantics (one call per accepted input bit): groups are consecutive, the first starting with the
//! first bit after reset (or flush, wired to the block's reset in the core); a partial group is
//! dropped by reset. Why fold: XOR of k bits with bias e has bias 2^(k-1) e^k (piling-up lemma), and
//! it compresses the stream so the conditioner's input has more entropy per bit.

#[derive(Clone, Debug)]
pub struct XorFold {
    k: u32,
    acc: bool,
    n: u32,
}

impl XorFold {
    pub fn new(k: u32) -> Self {
        assert!((1..=64).contains(&k), "fold factor k must be 1..=64");
        XorFold { k, acc: false, n: 0 }
    }

    pub fn push(&mut self, bit: bool) -> Option<bool> {
        self.acc ^= bit;
        self.n += 1;
        if self.n == self.k {
            let out = self.acc;
            self.acc = false;
            self.n = 0;
            Some(out)
        } else {
            None
        }
    }

    pub fn reset(&mut self) {
        self.acc = false;
        self.n = 0;
    }

    pub fn run(k: u32, bits: impl IntoIterator<Item = bool>) -> Vec<bool> {
        let mut f = XorFold::new(k);
        bits.into_iter().filter_map(|b| f.push(b)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_groups_of_k() {
        let bits = [true, false, true, true, false, false, true];
        assert_eq!(XorFold::run(2, bits), vec![true, false, false]);
        assert_eq!(XorFold::run(3, bits), vec![false, true]);
        assert_eq!(XorFold::run(1, bits), bits.to_vec());
    }

    #[test]
    fn reset_drops_a_partial_group() {
        let mut f = XorFold::new(2);
        f.push(true);
        f.reset();
        assert_eq!(f.push(false), None);
        assert_eq!(f.push(false), Some(false));
    }
}
