//! The examples of SP 800-22's sections 2.x.8 and appendix B that run on e's binary expansion,
//! with e computed here (tests/common) rather than read from STS's data file.

mod common;

use speckle_audit::tests::*;
use std::sync::OnceLock;

/// e's first 10^6 bits, computed once for both tests (several seconds in a debug build).
fn e() -> &'static [u8] {
    static E: OnceLock<Vec<u8>> = OnceLock::new();
    E.get_or_init(|| common::e_bits(1_000_000))
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < 1e-6, "{what}: got {got:.7}, the text has {want}");
}

#[test]
fn section_2_x_8_examples_on_e() {
    let e = e();
    close(rank::test_default(&e[..100_000]).unwrap(), 0.532069, "2.5.8 rank, n = 10^5");
    close(overlapping::test(e).unwrap(), 0.110434, "2.8.8 overlapping template");
    close(universal::test(e).unwrap(), 0.282568, "2.9.8 universal");
    close(
        linear_complexity::test_with(e, 1000).unwrap(),
        0.845406,
        "2.10.8 linear complexity, M = 1000",
    );
    let s = serial::test_with(e, 2);
    close(s[0], 0.843764, "2.11.8 serial ∇ψ², m = 2");
    close(s[1], 0.561915, "2.11.8 serial ∇²ψ², m = 2");
    let re = random_excursions::test(e).unwrap();
    let want = [0.573306, 0.197996, 0.164011, 0.007779, 0.786868, 0.440912, 0.797854, 0.778186];
    for (i, (g, w)) in re.iter().zip(want).enumerate() {
        close(*g, w, &format!("2.14.8 random excursions x = {}", random_excursions::STATES[i]));
    }
    let (_, j) = random_excursions::test_unchecked(e);
    assert_eq!(j, 1490, "2.14.8: J");
}

#[test]
fn appendix_b_results_on_e() {
    let e = e();
    close(frequency::test(e), 0.953749, "frequency");
    let c = cusum::test(e);
    close(c[0], 0.669887, "cusum forward");
    close(c[1], 0.724266, "cusum reverse");
    close(runs::test(e), 0.561917, "runs");
    close(longest_run::test(e).unwrap(), 0.718945, "longest run");
    close(rank::test_default(e).unwrap(), 0.306156, "rank");
    close(non_overlapping::test(e).unwrap()[0], 0.078790, "non-overlapping 000000001");
    close(random_excursions_variant::test(e).unwrap()[8], 0.826009, "variant x = -1");
    close(linear_complexity::test(e).unwrap(), 0.826335, "linear complexity");
    let s = serial::test(e).unwrap();
    close(s[0], 0.766182, "serial m = 16, first");
    close(s[1], 0.462921, "serial m = 16, second");
}
