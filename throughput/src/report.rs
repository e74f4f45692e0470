//! Rates per board from the per-clock measurements, the goals, and docs/throughput.md.

use crate::Measured;
use board_gen::Board;
use speckle_model::params::OUTPUT_BLOCK_BITS;
use std::collections::BTreeMap;
use std::fmt::Write;

/// STATUS periods each end-to-end run lasts by default.
pub const PERIODS: u64 = 3;

/// Issue #18's goals, conditioned Mbit/s: above the peers below for the ECP5-EVN, at least the
/// small peers' rate on the iCE40 boards, and what the ULX3S's 3 Mbaud FT231X leaves room for.
const GOALS: &[(&str, f64)] =
    &[("ecp5-evn", 8.0), ("hx8k-breakout", 2.0), ("icebreaker", 2.0), ("ulx3s", 2.2)];

/// Published output rates of USB TRNGs of the same class (name, Mbit/s, what and where).
const PEERS: &[(&str, f64, &str)] = &[
    ("BitBabbler White", 2.5, "Voicetronix, <http://www.bitbabbler.org/what.html>"),
    ("TrueRNGpro", 3.2, "ubld.it, <https://ubld.it/truerngpro>"),
    (
        "Quantis USB (4M)",
        4.0,
        "ID Quantique, <https://www.idquantique.com/random-number-generation/products/quantis-random-number-generator/>",
    ),
];

const TERMS: [&str; 4] = ["sampler", "debias and fold", "conditioner", "link"];

pub struct BoardRow {
    pub name: String,
    pub profile: String,
    pub hz: u64,
    pub baud: u64,
    pub bridge: String,
    /// Conditioned Mbit/s each of TERMS allows.
    pub terms: [f64; 4],
    pub end_to_end: f64,
    pub goal: f64,
}

impl BoardRow {
    pub fn new(b: &Board, m: &Measured) -> Result<BoardRow, String> {
        let p = &m.p;
        if b.uart.divisor != p.baud_divisor() as u64 {
            return Err(format!(
                "{}: [uart] divisor {} but the {} core is generated with {} clocks per bit",
                b.name,
                b.uart.divisor,
                b.profile,
                p.baud_divisor()
            ));
        }
        let goal = GOALS.iter().find(|g| g.0 == b.name).map(|g| g.1).ok_or_else(|| {
            format!("{}: no throughput goal; add one to GOALS in throughput/src/report.rs", b.name)
        })?;
        let hz = b.target_hz as f64;
        let t = &m.terms;
        let per_block = OUTPUT_BLOCK_BITS as f64 / p.n_in as f64;
        let mbit = |per_clock: f64| per_clock * hz / 1e6;
        Ok(BoardRow {
            name: b.name.clone(),
            profile: b.profile.clone(),
            hz: b.target_hz,
            baud: b.uart.baud,
            bridge: b.uart.bridge.clone(),
            terms: [
                mbit(t.samples_per_clock * t.debias_fold_yield * per_block),
                mbit(t.debias_fold_bits_per_clock * per_block),
                mbit(t.digests_per_clock * OUTPUT_BLOCK_BITS as f64),
                mbit(t.link_bits_per_clock),
            ],
            end_to_end: mbit(m.e2e.bits_per_clock),
            goal,
        })
    }

    /// The smallest term and its name.
    pub fn bound(&self) -> (f64, &'static str) {
        let i = (0..4).fold(0, |k, i| if self.terms[i] < self.terms[k] { i } else { k });
        (self.terms[i], TERMS[i])
    }

    /// The second smallest term, its name, and how far above the bound it is, in %.
    pub fn next(&self) -> (f64, &'static str) {
        let (bound, term) = self.bound();
        let k =
            (0..4).filter(|&i| TERMS[i] != term).fold(None, |best: Option<usize>, i| match best {
                Some(b) if self.terms[b] <= self.terms[i] => Some(b),
                _ => Some(i),
            });
        let k = k.expect("four terms");
        (100.0 * (self.terms[k] / bound - 1.0), TERMS[k])
    }

    /// A goal is met when both the bound and the measured end-to-end rate reach it.
    pub fn met(&self) -> bool {
        self.bound().0 >= self.goal && self.end_to_end >= self.goal
    }
}

/// Every missed goal, failed end-to-end check, and inconsistency between the measurements.
pub fn failures(rows: &[BoardRow], measured: &BTreeMap<String, Measured>) -> Vec<String> {
    let mut out = Vec::new();
    for (profile, m) in measured {
        let boards: Vec<&str> =
            rows.iter().filter(|r| &r.profile == profile).map(|r| r.name.as_str()).collect();
        let who = format!("{} ({profile} core)", boards.join(", "));
        for (check, r) in &m.e2e.checks {
            if let Err(e) = r {
                out.push(format!("{who}: end-to-end check `{check}` failed: {e}"));
            }
        }
        let (block, core) = (m.terms.samples_per_clock, m.e2e.status_samples_per_clock);
        if (block - core).abs() > 1e-4 * block {
            out.push(format!(
                "{who}: the core's STATUS counts {core:.6} samples per clock, the sampler block {block:.6}"
            ));
        }
    }
    for r in rows {
        let (bound, term) = r.bound();
        if r.end_to_end > bound * 1.001 {
            out.push(format!(
                "{}: end-to-end {:.3} Mbit/s exceeds the {term} bound {bound:.3}: a term is mis-measured",
                r.name, r.end_to_end
            ));
        }
        if !r.met() {
            out.push(format!(
                "{}: goal {} Mbit/s missed: bound {bound:.3} Mbit/s ({term}), end-to-end {:.3} Mbit/s",
                r.name, r.goal, r.end_to_end
            ));
        }
    }
    out
}

fn mhz(hz: u64) -> String {
    format!("{}", hz as f64 / 1e6)
}

pub fn render(rows: &[BoardRow], measured: &BTreeMap<String, Measured>, periods: u64) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "# Conditioned throughput per board\n");
    let _ = writeln!(
        w,
        "Written by `make throughput` (throughput/src/); do not edit by hand. Every figure is \
         measured on the Verilated RTL of rtl/ (rtl-sim) with seeded stimulus, so a rerun on the \
         same RTL writes the same file (`make throughput-check` in `make test` compares).\n"
    );
    let _ = writeln!(w, "## Per board\n");
    let _ = writeln!(
        w,
        "Conditioned output = min(sampler, debias and fold, conditioner, link), in Mbit/s of \
         digest payload at the board's core clock (`[clock] target_hz`) and baud (`[uart]`). \
         The generated Verilog is per core, not per board: each board's clock turns its core's \
         per-clock measurements (below) into rates. The end-to-end column is the whole \
         `speckle_core` measured on its UART pin (below). A goal is met when both the bound and \
         the end-to-end rate reach it.\n"
    );
    let _ = writeln!(
        w,
        "| board | core | clock MHz | baud | sampler | debias and fold | conditioner | link | bound | next term | end to end | goal | |"
    );
    let _ = writeln!(w, "|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|");
    for r in rows {
        let (bound, term) = r.bound();
        let (margin, next) = r.next();
        let t = r.terms;
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} ({}) | {:.3} | {:.3} | {:.3} | {:.3} | {bound:.3} ({term}) | {next}, +{margin:.1} % | {:.3} | ≥ {} | {} |",
            r.name,
            r.profile,
            mhz(r.hz),
            r.baud,
            r.bridge,
            t[0],
            t[1],
            t[2],
            t[3],
            r.end_to_end,
            r.goal,
            if r.met() { "met" } else { "**missed**" }
        );
    }
    let _ = writeln!(w, "\n## Peers\n");
    let _ = writeln!(w, "| device | conditioned Mbit/s | source |\n|---|---:|---|");
    for (name, rate, src) in PEERS {
        let _ = writeln!(w, "| {name} | {rate} | {src} |");
    }
    let _ = writeln!(
        w,
        "\nThe rates are the makers' published figures as quoted in issue #18 (not re-read from \
         the pages when this file was generated)."
    );
    render_method(w, measured, periods);
    s
}

fn render_method(w: &mut String, measured: &BTreeMap<String, Measured>, periods: u64) {
    let _ = writeln!(w, "\n## Per clock, per core\n");
    let _ = writeln!(
        w,
        "Each term is a block (or a pair) of rtl/<core>/blocks/ driven at its maximum input \
         rate, its output checked against the model while it is counted:\n\n\
         - **sampler**: `speckle_sampler`, a fair level on RD every clock: `sample_valid` per \
         clock × clock × yield × 256 / n_in, the yield being the debias-and-fold chain's output \
         bits per input bit on a fair source (1 / fold_k with VN off, about 1 / (4 fold_k) with \
         VN on);\n\
         - **debias and fold**: `speckle_vn_debias` → `speckle_xor_fold`, one fair bit offered \
         every clock, output always taken: output bits per clock × clock × 256 / n_in;\n\
         - **conditioner**: `speckle_sha3_conditioner`, `in_valid` and `digest_ready` always \
         high: digests per clock (first to last of 40) × clock × 256;\n\
         - **link**: `speckle_framer` → `speckle_uart_tx` with a CONDITIONED frame always \
         waiting (as a never-empty digest buffer presents it) and the other sources idle, the \
         pin decoded by the `uart_rx` model and the host decoder: payload bits per clock (first \
         to last of 12 frames) × clock. STATUS frames, one per STATUS period, share the link in \
         the core and are left out here.\n"
    );
    let _ = writeln!(
        w,
        "| core | clocks per sample | debias-fold yield | debias-fold bits per clock | clocks per digest | clocks per UART byte | payload bits per clock on the link | framing overhead |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for (profile, m) in measured {
        let t = &m.terms;
        let len = m.p.conditioned_payload_len();
        let _ = writeln!(
            w,
            "| {profile} | {:.3} | {:.4} | {:.4} | {:.1} | {:.2} | {:.4} | 10 / {} = {:.1} % |",
            1.0 / t.samples_per_clock,
            t.debias_fold_yield,
            t.debias_fold_bits_per_clock,
            1.0 / t.digests_per_clock,
            t.link_clocks_per_byte,
            t.link_bits_per_clock,
            len + 10,
            1000.0 / (len + 10) as f64
        );
    }
    let _ = writeln!(w, "\n## End to end\n");
    let _ = writeln!(
        w,
        "The whole `speckle_core` of each core, a fair source on RD (ChaCha8, fixed seed, one \
         level per sample period), for {periods} STATUS periods (the generated \
         `status_period_log2`, unchanged), the UART pin decoded by the `uart_rx` model and \
         `speckle_model::protocol::Decoder`. The end-to-end rate is the CONDITIONED payload \
         from the first frame's last byte to the last frame's; the boards of one core share the \
         run, their clock scaling it.\n"
    );
    let _ = writeln!(w, "| core | check | result |\n|---|---|---|");
    for (profile, m) in measured {
        let e = &m.e2e;
        let _ = writeln!(
            w,
            "| {profile} | run | {} clocks, {} CONDITIONED frames, {} STATUS frames, {:.4} payload bits per clock |",
            e.clocks, e.frames, e.status_frames, e.bits_per_clock
        );
        let _ = writeln!(
            w,
            "| {profile} | sampler rate at the core | STATUS `samples`, first to last snapshot: {:.6} per clock (sampler block: {:.6}) |",
            e.status_samples_per_clock, m.terms.samples_per_clock
        );
        for (check, r) in &e.checks {
            let text = match r {
                Ok(seen) => format!("pass: {seen}"),
                Err(e) => format!("**FAIL**: {e}"),
            };
            let _ = writeln!(w, "| {profile} | {check} | {text} |");
        }
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
