//! Special functions and bit helpers shared by the tests. statrs supplies the incomplete gamma and
//! erfc so that p-values come from the same well-tested numerics STS uses (cephes), not ad-hoc series.

use statrs::function::{erf, gamma};

/// Upper regularized incomplete gamma Q(a, x), SP 800-22's `igamc`. Out-of-domain statistics (a
/// NaN chi-square from an empty test) give 0 so that they fail rather than panic.
pub fn igamc(a: f64, x: f64) -> f64 {
    if x.is_nan() || a <= 0.0 {
        return 0.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    gamma::gamma_ur(a, x)
}

/// Complementary error function.
pub fn erfc(x: f64) -> f64 {
    erf::erfc(x)
}

/// Standard normal cumulative distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erf::erfc(-x / std::f64::consts::SQRT_2)
}

/// ln Γ(x).
pub fn ln_gamma(x: f64) -> f64 {
    gamma::ln_gamma(x)
}

/// Unpacks bytes into bits, most significant bit first: the order STS and nistrng read a binary
/// file in, so that the same file gives the same sequence to all three.
pub fn unpack_bits(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 8);
    for &b in bytes {
        for i in (0..8).rev() {
            out.push((b >> i) & 1);
        }
    }
    out
}

/// Parses a string of '0' and '1' (other characters such as spaces are ignored): the form of the
/// examples in SP 800-22's text.
pub fn parse_bits(s: &str) -> Vec<u8> {
    s.bytes().filter(|c| *c == b'0' || *c == b'1').map(|c| c - b'0').collect()
}

/// Pearson's chi-square of observed counts against expected probabilities over `total` trials.
pub fn chi_square(observed: &[u64], probs: &[f64], total: f64) -> f64 {
    observed
        .iter()
        .zip(probs)
        .map(|(&o, &p)| {
            let e = total * p;
            (o as f64 - e).powi(2) / e
        })
        .sum()
}
