//! SP 800-22 §2.14, random excursions: visits to the states ±1..±4 per cycle of the ±1 walk
//! (a cycle ends at each return to zero). One pass: per-cycle visit counts for 8 states and the
//! class tallies; eight p-values, for x = −4..−1, 1..4.

use crate::stats::{chi_square, igamc};

/// The states tested, in STS's order.
pub const STATES: [i64; 8] = [-4, -3, -2, -1, 1, 2, 3, 4];

/// Walks S_1..S_n, handing each partial sum to `visit`; returns the number of cycles J (a last
/// cycle that does not return to zero counts). Shared with the variant test.
pub fn walk(bits: &[u8], mut visit: impl FnMut(i64)) -> u64 {
    let (mut s, mut j) = (0i64, 0u64);
    for &b in bits {
        s += 2 * b as i64 - 1;
        if s == 0 {
            j += 1;
        }
        visit(s);
    }
    if s != 0 {
        j += 1;
    }
    j
}

/// The applicability bound on J: max(0.005·√n, 500) (§2.14.7, as in STS).
pub fn min_cycles(n: usize) -> f64 {
    (0.005 * (n as f64).sqrt()).max(500.0)
}

/// π_k(x): probability that state x is visited exactly k times in a cycle (k = 5 is "≥ 5").
fn pi(x: i64, k: usize) -> f64 {
    let a = 1.0 / (2.0 * x.unsigned_abs() as f64);
    match k {
        0 => 1.0 - a,
        5 => a * (1.0 - a).powi(4),
        _ => a * a * (1.0 - a).powi(k as i32 - 1),
    }
}

/// The eight p-values, with no applicability check (the small examples of §2.14.4 need that).
pub fn test_unchecked(bits: &[u8]) -> ([f64; 8], u64) {
    // visits[x] counts visits to x in the current cycle; nu[x][k] tallies cycles by visits.
    let mut visits = [0usize; 9];
    let mut nu = [[0u64; 6]; 9];
    let idx = |s: i64| (s + 4) as usize;
    let mut last = 0;
    let j = walk(bits, |s| {
        last = s;
        if s == 0 {
            for x in STATES {
                nu[idx(x)][visits[idx(x)].min(5)] += 1;
                visits[idx(x)] = 0;
            }
        } else if (-4..=4).contains(&s) {
            visits[idx(s)] += 1;
        }
    });
    if last != 0 {
        for x in STATES {
            nu[idx(x)][visits[idx(x)].min(5)] += 1;
        }
    }
    let p = STATES.map(|x| {
        let probs: Vec<f64> = (0..6).map(|k| pi(x, k)).collect();
        igamc(2.5, chi_square(&nu[idx(x)], &probs, j as f64) / 2.0)
    });
    (p, j)
}

/// The p-values of a walk of n steps with J cycles, or why they do not apply.
pub fn if_applicable<const K: usize>(
    n: usize,
    (p, j): ([f64; K], u64),
) -> Result<[f64; K], String> {
    if (j as f64) < min_cycles(n) {
        return Err(format!("not applicable: {j} cycles, fewer than {}", min_cycles(n)));
    }
    Ok(p)
}

/// The eight p-values; refused when the walk has too few cycles.
pub fn test(bits: &[u8]) -> Result<[f64; 8], String> {
    if_applicable(bits.len(), test_unchecked(bits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;

    #[test]
    fn section_2_14_4_example() {
        let (p, j) = test_unchecked(&parse_bits("0110110101"));
        assert_eq!(j, 3);
        assert!((p[4] - 0.502488).abs() < 1e-6, "{p:?}");
    }
}
