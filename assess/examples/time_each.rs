//! Times each estimator once on a file (development aid for `make assess-bench`'s figures).
//! Usage: time_each FILE [BITS_PER_SAMPLE]
use speckle_assess::*;
use std::time::Instant;

fn main() {
    let mut a = std::env::args().skip(1);
    let raw = std::fs::read(a.next().expect("usage: time_each FILE [BITS]")).expect("read");
    let d = Dataset::new(&raw, a.next().map_or(1, |b| b.parse().expect("bits"))).expect("data");
    let (s, k) = (&d.symbols[..], d.alphabet);
    let t = |name: &str, f: &dyn Fn() -> Option<f64>| {
        let t0 = Instant::now();
        let h = f();
        println!("{name:12} {:8.1} ms  {h:?}", t0.elapsed().as_secs_f64() * 1e3);
    };
    t("mcv", &|| Some(mcv::estimate(s, k)));
    t("collision", &|| Some(collision::estimate(s)));
    t("markov", &|| Some(markov::estimate(s)));
    t("compression", &|| compression::estimate(s));
    t("suffix", &|| tuple::estimate(&suffix::tuple_counts(s), s.len()).lrs);
    t("multi_mcw", &|| multi_mcw::predict(s, k).map(|p| p.entropy()));
    t("lag", &|| Some(lag::predict(s, k).entropy()));
    t("multi_mmc", &|| multi_mmc::predict(s, k).map(|p| p.entropy()));
    t("lz78y", &|| lz78y::predict(s, k).map(|p| p.entropy()));
}
