//! SP 800-22 §2.15, random excursions variant: total visits to the states ±1..±9 over the whole
//! walk against the number of cycles. One pass with 18 counters.

use super::random_excursions::{if_applicable, walk};
use crate::stats::erfc;

/// The states tested, in STS's order.
pub const STATES: [i64; 18] = [-9, -8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/// The eighteen p-values, with no applicability check.
pub fn test_unchecked(bits: &[u8]) -> ([f64; 18], u64) {
    let mut xi = [0u64; 19];
    let j = walk(bits, |s| {
        if (-9..=9).contains(&s) {
            xi[(s + 9) as usize] += 1;
        }
    });
    let jf = j as f64;
    let p = STATES.map(|x| {
        let d = xi[(x + 9) as usize] as f64 - jf;
        erfc(d.abs() / (2.0 * jf * (4.0 * x.unsigned_abs() as f64 - 2.0)).sqrt())
    });
    (p, j)
}

/// The eighteen p-values; refused when the walk has too few cycles.
pub fn test(bits: &[u8]) -> Result<[f64; 18], String> {
    if_applicable(bits.len(), test_unchecked(bits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;

    #[test]
    fn section_2_15_4_example() {
        let (p, j) = test_unchecked(&parse_bits("0110110101"));
        assert_eq!(j, 3);
        assert!((p[9] - 0.683091).abs() < 1e-6, "{p:?}");
    }
}
