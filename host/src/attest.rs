//! Board attestation: a board's STATUS frame states the claim its output rests on (min-entropy H
//! per raw sample, α, window W, n_in bits per conditioned block, fold, oversampling, von Neumann)
//! and the health-test cutoffs it enforces. Nothing a board says is taken on trust, so on the
//! first STATUS of a link and on every STATUS after it the host checks:
//!
//! 1. the cutoffs are SP 800-90B's for the board's own H, α and W (`speckle_model::params::cutoffs`):
//!    looser cutoffs would let a failing source through while the claim still reads well;
//! 2. n_in >= (256 + 64) / H (`CoreParams::min_n_in`): below that the digests are not full entropy;
//! 3. where the operator named the board's profile (`--profile ice40|ecp5|ice40-ddr|ecp5-ddr|FILE`, or per source in
//!    the config file), every attested field equals the profile's.
//!
//! A STATUS that fails fails its source before it releases anything (ingest.rs), and the claim of
//! one that passes bounds what the kernel sink may credit per byte
//! ([`Claim::creditable_bits_per_byte`]).

use serde::Deserialize;
use speckle_model::params::{
    creditable_bits_per_byte, cutoffs, CoreParams, KeccakArch, GENERATED_PROFILES,
};
use speckle_model::protocol::{StateBits, Status};
use std::fmt;

/// The profile an operator expects a source's board to have.
#[derive(Clone, Debug, PartialEq)]
pub struct Expected {
    /// `profile ice40`, or `profile file PATH`: how messages name it.
    pub label: String,
    pub params: CoreParams,
}

/// A profile file: the generation parameters a board attests in its STATUS, under the names
/// `CoreParams` (and so `speckle-hdl`) gives them. Clock, baud, STATUS period and Keccak
/// architecture are not in a STATUS, so a file cannot ask for them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    h_claim: f64,
    alpha_log2: u32,
    window: u32,
    n_in: u32,
    fold_k: u32,
    oversample: u32,
    vn_enable: bool,
    /// Two samples per clock (STATUS `state` bit 4); absent means false.
    #[serde(default)]
    ddr: bool,
}

impl Expected {
    /// `ice40`, `ecp5` and their `-ddr` forms are speckle-model's profiles (the ones `speckle-hdl`
    /// generates); anything else is the path of a profile file, checked like a profile given to
    /// the generator.
    pub fn load(text: &str) -> Result<Self, String> {
        if GENERATED_PROFILES.contains(&text) {
            let params = CoreParams::profile(text).map_err(|e| e.to_string())?;
            return Ok(Expected { label: format!("profile {text}"), params });
        }
        let body = std::fs::read_to_string(text).map_err(|e| {
            format!(
                "profile `{text}` is neither a built-in profile ({}) nor a readable profile file: {e}",
                GENERATED_PROFILES.join(", ")
            )
        })?;
        let f: ProfileFile = crate::cli::from_toml(&format!("profile file {text}"), &body)?;
        // The fields no STATUS carries come from ice40 only so that `validate` can run.
        let params = CoreParams {
            h_claim: f.h_claim,
            alpha_log2: f.alpha_log2,
            window: f.window,
            n_in: f.n_in,
            fold_k: f.fold_k,
            oversample: f.oversample,
            vn_enable: f.vn_enable,
            ddr: f.ddr,
            keccak: unknown_keccak(f.ddr),
            ..CoreParams::ice40()
        };
        params.validate().map_err(|e| format!("profile file {text}: {e}"))?;
        Ok(Expected { label: format!("profile file {text}"), params })
    }
}

/// No STATUS or profile file names the Keccak, so validation assumes the one that refuses least:
/// for a DDR core the full Keccak, whose short pause allows the smallest fold.
fn unknown_keccak(ddr: bool) -> KeccakArch {
    if ddr {
        KeccakArch::Full
    } else {
        KeccakArch::Compact
    }
}

/// What a board attested, once it passed: the figures the entropy credit rests on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Claim {
    pub h_milli: u16,
    pub alpha_log2: u8,
    pub window: u16,
    pub n_in: u16,
}

impl Claim {
    pub fn h(&self) -> f64 {
        self.h_milli as f64 / 1000.0
    }

    /// The most the kernel may credit per output byte on this claim.
    pub fn creditable_bits_per_byte(&self) -> f64 {
        creditable_bits_per_byte(self.h(), self.n_in as u32)
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "H = {:.3}, α = 2^-{}, W = {}, n_in = {}",
            self.h(),
            self.alpha_log2,
            self.window,
            self.n_in
        )
    }
}

fn mismatch(field: &str, want: impl fmt::Display, why: &str, got: impl fmt::Display) -> String {
    format!("{field}: expected {want} ({why}), received {got}")
}

/// Checks one STATUS; `Err` names the field, the expected and the received value.
pub fn attest(s: &Status, expected: Option<&Expected>) -> Result<Claim, String> {
    if s.h_milli == 0 || s.h_milli > 1000 {
        return Err(mismatch("h_milli", "1..=1000", "0 < H <= 1", s.h_milli));
    }
    let h = s.h_claim();
    let min = CoreParams::min_n_in(h);
    if (s.n_in as u32) < min {
        let why = format!("at least (256 + 64) / H for the board's own H = {h}");
        return Err(mismatch("n_in", min, &why, s.n_in));
    }
    // Everything else a real core could have, by the generator's own rules; this also keeps the
    // cutoff formulas below within their domain.
    let claimed = CoreParams {
        h_claim: h,
        alpha_log2: s.alpha_log2 as u32,
        window: s.window as u32,
        n_in: s.n_in as u32,
        fold_k: s.fold_k as u32,
        oversample: s.oversample as u32,
        vn_enable: s.state.has(StateBits::VN_ENABLED),
        ddr: s.state.has(StateBits::DDR),
        keccak: unknown_keccak(s.state.has(StateBits::DDR)),
        ..CoreParams::ice40()
    };
    claimed.validate().map_err(|e| format!("the board claims parameters no core can have: {e}"))?;
    let want = cutoffs(h, claimed.alpha_log2, claimed.window);
    let why = format!(
        "SP 800-90B for the board's own H = {h}, α = 2^-{}, W = {}",
        claimed.alpha_log2, claimed.window
    );
    for (field, want, got) in [
        ("rct_cutoff", want.rct, s.rct_cutoff),
        ("apt_cutoff", want.apt, s.apt_cutoff),
        ("markov_lo", want.markov_lo, s.markov_lo),
        ("markov_hi", want.markov_hi, s.markov_hi),
    ] {
        if want != got as u32 {
            return Err(mismatch(field, want, &why, got));
        }
    }
    if let Some(e) = expected {
        let p = &e.params;
        let fields: [(&str, String, String); 8] = [
            ("h_milli", p.h_milli().to_string(), s.h_milli.to_string()),
            ("alpha_log2", p.alpha_log2.to_string(), s.alpha_log2.to_string()),
            ("window", p.window.to_string(), s.window.to_string()),
            ("n_in", p.n_in.to_string(), s.n_in.to_string()),
            ("fold_k", p.fold_k.to_string(), s.fold_k.to_string()),
            ("oversample", p.oversample.to_string(), s.oversample.to_string()),
            ("vn_enable", p.vn_enable.to_string(), claimed.vn_enable.to_string()),
            ("ddr", p.ddr.to_string(), claimed.ddr.to_string()),
        ];
        if let Some((field, want, got)) = fields.iter().find(|(_, want, got)| want != got) {
            return Err(mismatch(field, want, &e.label, got));
        }
    }
    Ok(Claim { h_milli: s.h_milli, alpha_log2: s.alpha_log2, window: s.window, n_in: s.n_in })
}

/// Attestation state of one source's link: the expected profile and the last claim seen, so that
/// only a new or changed claim is announced.
pub struct Attestor {
    expected: Option<Expected>,
    last: Option<Claim>,
}

impl Attestor {
    pub fn new(expected: Option<Expected>) -> Self {
        Attestor { expected, last: None }
    }

    /// Checks a STATUS; `Ok(Some(claim))` on the link's first claim or when it changed.
    pub fn check(&mut self, s: &Status) -> Result<Option<Claim>, String> {
        let claim = attest(s, self.expected.as_ref())?;
        Ok((self.last.replace(claim) != Some(claim)).then_some(claim))
    }

    /// A reconnected link may be another board: its first STATUS is announced again.
    pub fn reset(&mut self) {
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A STATUS as a board of `p` sends it.
    fn status_of(p: &CoreParams) -> Status {
        Status::claiming(p)
    }

    fn profile(name: &str) -> Expected {
        Expected::load(name).unwrap()
    }

    #[test]
    fn a_board_of_each_profile_passes_and_its_claim_supports_full_entropy() {
        for name in GENERATED_PROFILES {
            let e = profile(name);
            let claim = attest(&status_of(&e.params), Some(&e)).unwrap();
            assert_eq!((claim.h_milli, claim.n_in), (e.params.h_milli(), e.params.n_in as u16));
            assert_eq!(claim.creditable_bits_per_byte(), 8.0);
            assert_eq!(attest(&status_of(&e.params), None), Ok(claim));
        }
    }

    #[test]
    fn each_cutoff_off_by_one_is_named_with_both_values() {
        let p = CoreParams::ice40();
        let c = p.cutoffs();
        type Edit = fn(&mut Status);
        let cases: [(&str, u32, Edit); 4] = [
            ("rct_cutoff", c.rct, |s| s.rct_cutoff += 1),
            ("apt_cutoff", c.apt, |s| s.apt_cutoff += 1),
            ("markov_lo", c.markov_lo, |s| s.markov_lo -= 1),
            ("markov_hi", c.markov_hi, |s| s.markov_hi += 1),
        ];
        for (field, want, edit) in cases {
            let mut s = status_of(&p);
            edit(&mut s);
            let e = attest(&s, None).unwrap_err();
            let got = if field == "markov_lo" { want - 1 } else { want + 1 };
            assert_eq!(
                e,
                format!(
                    "{field}: expected {want} (SP 800-90B for the board's own H = 0.5, α = 2^-30, W = 1024), received {got}"
                )
            );
        }
    }

    #[test]
    fn cutoffs_consistent_with_a_weaker_claim_still_fail_the_full_entropy_rule() {
        // H = 0.4 with the ice40's n_in: the cutoffs are right for H = 0.4, but n_in bits of it
        // carry less than 256 + 64.
        let mut p = CoreParams::ice40();
        p.h_claim = 0.4;
        let e = attest(&status_of(&p), None).unwrap_err();
        assert_eq!(
            e,
            format!(
                "n_in: expected 800 (at least (256 + 64) / H for the board's own H = 0.4), received {}",
                p.n_in
            )
        );
        let mut s = status_of(&CoreParams::ice40());
        s.h_milli = 0;
        assert!(attest(&s, None).unwrap_err().starts_with("h_milli: expected 1..=1000"));
        let mut s = status_of(&CoreParams::ice40());
        s.window = 1000;
        let e = attest(&s, None).unwrap_err();
        assert!(e.contains("window = 1000") && e.contains("power of two"), "{e}");
    }

    #[test]
    fn a_board_of_another_profile_is_named_by_its_first_differing_field() {
        let mut p = CoreParams::ice40();
        p.window = 512;
        let ice40 = profile("ice40");
        let e = attest(&status_of(&p), Some(&ice40)).unwrap_err();
        assert_eq!(e, "window: expected 1024 (profile ice40), received 512");
        let mut p = CoreParams::ice40();
        p.vn_enable = true;
        let e = attest(&status_of(&p), Some(&ice40)).unwrap_err();
        assert_eq!(e, "vn_enable: expected false (profile ice40), received true");
        let mut p = CoreParams::ice40();
        p.h_claim = 0.6;
        let e = attest(&status_of(&p), Some(&ice40)).unwrap_err();
        assert_eq!(e, "h_milli: expected 500 (profile ice40), received 600");
        // A DDR board is told apart by its STATUS DDR bit, even where every number agrees.
        let p = CoreParams::ice40_ddr();
        let sdr = CoreParams { ddr: false, ..CoreParams::ice40_ddr() };
        let e = attest(&status_of(&p), Some(&Expected { label: "profile x".into(), params: sdr }));
        assert_eq!(e.unwrap_err(), "ddr: expected false (profile x), received true");
        let e = attest(&status_of(&CoreParams::ecp5()), Some(&profile("ecp5-ddr"))).unwrap_err();
        assert_eq!(e, "fold_k: expected 8 (profile ecp5-ddr), received 1");
    }

    #[test]
    fn profile_files_are_read_checked_and_compared() {
        let dir = std::env::temp_dir().join(format!("speckle-attest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("board.toml");
        let body = "h_claim = 0.5\nalpha_log2 = 20\nwindow = 1024\nn_in = 640\nfold_k = 2\noversample = 4\nvn_enable = true\n";
        std::fs::write(&f, body).unwrap();
        let path = f.to_str().unwrap();
        let e = Expected::load(path).unwrap();
        assert_eq!(e.label, format!("profile file {path}"));
        assert_eq!(e.params.alpha_log2, 20);
        let err = attest(&status_of(&CoreParams::ice40()), Some(&e)).unwrap_err();
        assert_eq!(err, format!("alpha_log2: expected 20 (profile file {path}), received 30"));
        assert!(attest(&status_of(&e.params), Some(&e)).is_ok());

        std::fs::write(&f, body.replace("n_in = 640", "n_in = 512")).unwrap();
        let err = Expected::load(path).unwrap_err();
        assert!(err.starts_with(&format!("profile file {path}: n_in = 512")), "{err}");
        std::fs::write(&f, format!("{body}baud = 1000000\n")).unwrap();
        let err = Expected::load(path).unwrap_err();
        assert!(err.contains("line 8") && err.contains("unknown field `baud`"), "{err}");
        let err = Expected::load("ice41").unwrap_err();
        assert!(
            err.contains("neither a built-in profile (ice40, ecp5, ecp5-ddr, ice40-ddr)"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_attestor_announces_a_claim_once_and_again_after_a_reset_or_a_change() {
        let p = CoreParams::ice40();
        let mut a = Attestor::new(None);
        assert!(a.check(&status_of(&p)).unwrap().is_some());
        assert_eq!(a.check(&status_of(&p)), Ok(None));
        a.reset();
        assert!(a.check(&status_of(&p)).unwrap().is_some());
        let mut q = p.clone();
        q.n_in = 1088;
        assert_eq!(a.check(&status_of(&q)).unwrap().map(|c| c.n_in), Some(1088));
    }
}
