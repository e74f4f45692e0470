//! The physics model's min-entropy per raw sample at each board's sample rate (docs/entropy.md §1,
//! made by `make entropy-rates`): prints the markdown table, and with `--raw DIR` writes DIR/<board
//! slug>.bin, `--samples` raw samples of `optimal` at each board's rate in the `speckle capture
//! --raw` format, for `speckle assess`.
//!
//! `--rate HZ` (repeatable) adds a row, and a capture, for a rate no board runs yet.
//!
//! Usage: entropy_rates [--draws N] [--raw DIR --samples N] [--rate HZ]...

use speckle_sim::entropy::{boards, model_entropy, raw_samples};
use speckle_sim::physics::TAU_C_S;
use speckle_sim::Scenario;

/// Samples of `optimal` per rate on which `h_run` is counted.
const RUN_SAMPLES: usize = 8_000_000;

fn fail(msg: &str) -> ! {
    eprintln!("entropy_rates: {msg}");
    std::process::exit(2)
}

/// File name of a row's capture: the board's first name, or the rate for a `--rate` row.
fn slug(board: &str, rate: f64) -> String {
    if board.starts_with('(') {
        return format!("rate{}", rate / 1e6);
    }
    let first = board.split(',').next().unwrap_or(board).to_lowercase();
    first.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

fn main() {
    let (mut draws, mut raw, mut samples) = (200_000usize, None, 1_000_000usize);
    let mut rows: Vec<(String, String, f64)> = boards()
        .into_iter()
        .map(|(board, _, p)| {
            let clock = format!("{} MHz / {}", p.clock_hz as f64 / 1e6, p.oversample);
            (board.to_string(), clock, p.sample_rate_hz())
        })
        .collect();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| fail(&format!("{a} needs a value")));
        match a.as_str() {
            "--draws" => draws = value().parse().unwrap_or_else(|_| fail("--draws: a count")),
            "--samples" => samples = value().parse().unwrap_or_else(|_| fail("--samples: a count")),
            "--raw" => raw = Some(std::path::PathBuf::from(value())),
            "--rate" => {
                let hz: f64 = value().parse().unwrap_or_else(|_| fail("--rate: a rate in Hz"));
                if !(hz.is_finite() && hz > 0.0) {
                    fail(&format!("--rate {hz}: give a positive rate in Hz"));
                }
                rows.push((format!("(any, at {} MS/s)", hz / 1e6), "—".into(), hz));
            }
            other => fail(&format!("unknown argument `{other}`; usage: entropy_rates [--draws N] [--raw DIR --samples N] [--rate HZ]...")),
        }
    }
    println!(
        "| board | clock / oversample | rate | τ_c (samples) | intensity corr. of neighbours | P(1) | H independent | H given the fields | H of a run |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (board, clock, rate) in &rows {
        let rate = *rate;
        let m = model_entropy(rate, draws, RUN_SAMPLES, 7);
        println!(
            "| {board} | {clock} | {} MS/s | {:.2} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            rate / 1e6,
            m.tau_c_samples,
            m.intensity_corr,
            m.p_one,
            m.h_iid,
            m.h_given_fields,
            m.h_run
        );
        if let Some(dir) = &raw {
            let file = dir.join(format!("{}.bin", slug(board, rate)));
            std::fs::write(&file, raw_samples(Scenario::Optimal, rate, 1, samples))
                .unwrap_or_else(|e| fail(&format!("{}: {e}", file.display())));
            eprintln!("entropy_rates: {} ({} MS/s, {samples} samples)", file.display(), rate / 1e6);
        }
    }
    println!(
        "\nτ_c = {:.1} ns (`physics::TAU_C_S`); {draws} field states, {RUN_SAMPLES} samples per rate.",
        TAU_C_S * 1e9
    );
}
