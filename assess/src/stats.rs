//! Shared numerics: the confidence factor, the upper bound on a proportion, and the bisection that
//! NIST's ea_non_iid uses to invert the collision/compression/prediction expectations.
//!
//! Everything here mirrors NIST's conventions (cpp/shared/utils.h of SP800-90B_EntropyAssessment)
//! rather than the document's prose where the two differ in rounding or search details, because
//! agreement with that tool to 0.001 bit is the acceptance test.

/// z_{1-α/2} for α = 0.01 (SP 800-90B uses 2.576 in the text; NIST's tool this exact value).
pub const ZALPHA: f64 = 2.575_829_303_548_901;

/// At most this many bisection steps (the tool's ITERMAX: enough to exhaust a double's range).
const ITERMAX: usize = 1076;

/// Upper 99 % confidence bound on a proportion `p` estimated from `n` samples, capped at 1
/// (SP 800-90B §6.3.1 step 3 and every "p_u" after it).
pub fn upper_bound(p: f64, n: f64) -> f64 {
    (p + ZALPHA * (p * (1.0 - p) / (n - 1.0)).sqrt()).min(1.0)
}

/// NIST's `relEpsilonEqual(a, b, DBL_MIN, DBL_EPSILON, 4)`: equal within a relative epsilon or 4
/// ULPs. The bisections stop on it, so the same test gives the same stopping point.
pub fn rel_epsilon_equal(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return false;
    }
    if a == b {
        return true;
    }
    if a.is_infinite() || b.is_infinite() {
        return false;
    }
    let (mut a, mut b) = (a, b);
    if a.abs() > b.abs() {
        std::mem::swap(&mut a, &mut b);
    }
    let (abs_a, abs_b) = (a.abs(), b.abs());
    let diff = (b - a).abs();
    if abs_a < f64::MIN_POSITIVE
        || diff < f64::MIN_POSITIVE
        || diff.is_infinite()
        || abs_b * f64::EPSILON < f64::MIN_POSITIVE
    {
        return diff <= f64::MIN_POSITIVE;
    }
    if diff <= abs_b * f64::EPSILON {
        return true;
    }
    if a.is_sign_negative() != b.is_sign_negative() {
        return false;
    }
    abs_b.to_bits() - abs_a.to_bits() <= 4
}

fn in_closed(x: f64, a: f64, b: f64) -> bool {
    if a > b {
        x >= b && x <= a
    } else {
        x >= a && x <= b
    }
}

fn in_open(x: f64, a: f64, b: f64) -> bool {
    if a > b {
        x > b && x < a
    } else {
        x > a && x < b
    }
}

/// Finds p in [`lo`, `hi`] with `f(p) = target` for a decreasing `f`, by NIST's bisection
/// (including its invariant checks). `on_failure` is what a broken invariant returns: the tool
/// returns the low end of the domain for the compression estimate ("full entropy", step 8) and
/// the high end for the local prediction bound.
pub fn bisect(f: impl Fn(f64) -> f64, target: f64, lo: f64, hi: f64, on_failure: f64) -> f64 {
    let (mut lbound, mut hbound) = (lo, hi);
    let (mut lvalue, mut hvalue) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut p = (lbound + hbound) / 2.0;
    let mut pval = f(p);
    for _ in 0..ITERMAX {
        if rel_epsilon_equal(pval, target) {
            break;
        }
        if target < pval {
            lbound = p;
            lvalue = pval;
        } else {
            hbound = p;
            hvalue = pval;
        }
        if lbound >= hbound {
            return lbound.max(hbound).min(hi);
        }
        if !(in_closed(lbound, lo, hi) && in_closed(hbound, lo, hi)) {
            return on_failure;
        }
        if !in_closed(target, lvalue, hvalue) {
            return on_failure;
        }
        let last = p;
        p = (lbound + hbound) / 2.0;
        if !in_open(p, lbound, hbound) || last == p {
            return hbound;
        }
        pval = f(p);
        if !in_closed(pval, lvalue, hvalue) {
            return hbound;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bisect_inverts_a_decreasing_function() {
        let p = bisect(|p| 1.0 - p * p, 0.75, 0.0, 1.0, -1.0);
        assert!((p - 0.5).abs() < 1e-12, "{p}");
    }

    #[test]
    fn upper_bound_caps_at_one_and_matches_the_formula() {
        assert_eq!(upper_bound(1.0, 100.0), 1.0);
        let u = upper_bound(0.5, 1_000_001.0);
        assert!((u - (0.5 + ZALPHA * 0.0005)).abs() < 1e-15, "{u}");
    }

    #[test]
    fn ulp_equality() {
        let x = 0.3_f64;
        assert!(rel_epsilon_equal(x, f64::from_bits(x.to_bits() + 1)));
        assert!(!rel_epsilon_equal(x, x * 1.001));
    }
}
