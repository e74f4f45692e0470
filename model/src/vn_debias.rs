//! Reference model of `vn_debias`, the von Neumann debiaser.
//!
//! Semantics (one call per accepted input bit): bits are paired in arrival order, the first bit
//! after reset (or flush, which the core wires to the block's reset) opening the first pair. A pair
//! (a, b) with a != b yields a; equal pairs yield nothing. With `bypass` every input bit is passed on
//! unchanged. Why von Neumann: for independent bits of any fixed bias it outputs unbiased bits, at
//! the cost of a yield of p(1-p) per input bit.

#[derive(Clone, Debug)]
pub struct VnDebias {
    bypass: bool,
    pending: Option<bool>,
}

impl VnDebias {
    pub fn new(bypass: bool) -> Self {
        VnDebias { bypass, pending: None }
    }

    pub fn push(&mut self, bit: bool) -> Option<bool> {
        if self.bypass {
            return Some(bit);
        }
        match self.pending.take() {
            None => {
                self.pending = Some(bit);
                None
            }
            Some(a) => (a != bit).then_some(a),
        }
    }

    /// Drops a half-filled pair (the core's flush).
    pub fn reset(&mut self) {
        self.pending = None;
    }

    /// Runs a whole bit sequence through a fresh debiaser.
    pub fn run(bypass: bool, bits: impl IntoIterator<Item = bool>) -> Vec<bool> {
        let mut d = VnDebias::new(bypass);
        bits.into_iter().filter_map(|b| d.push(b)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_map_01_to_0_and_10_to_1() {
        let bits = [false, true, true, false, true, true, false, false, true, false];
        assert_eq!(VnDebias::run(false, bits), vec![false, true, true]);
        assert_eq!(VnDebias::run(true, bits), bits.to_vec());
    }

    #[test]
    fn reset_drops_the_half_pair() {
        let mut d = VnDebias::new(false);
        d.push(true);
        d.reset();
        assert_eq!(d.push(false), None);
        assert_eq!(d.push(true), Some(false));
    }

    #[test]
    fn constant_input_yields_nothing() {
        assert!(VnDebias::run(false, std::iter::repeat_n(true, 100)).is_empty());
    }
}
