//! `speckle-hdl`: writes the Verilog of every registered block (hdl-gen/src/registry.rs) and of
//! the whole core into rtl/<profile>/, or with `--check` verifies that rtl/ is what the
//! generators produce today (CI runs that, so committed Verilog can never drift from its source).

use clap::Parser;
use hdl_gen::registry;
use speckle_model::params::{CoreParams, PROFILES};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "speckle-hdl", about = "Generate the Speckle core's Verilog into rtl/<profile>/")]
struct Args {
    /// `ice40`, `ecp5` or `all`.
    #[arg(long)]
    profile: String,
    /// Output directory.
    #[arg(long, default_value = "rtl")]
    out: PathBuf,
    /// Write nothing; fail naming every file that generation would change, add or delete.
    #[arg(long)]
    check: bool,
    /// Claimed min-entropy per raw sample, 0 < H <= 1.
    #[arg(long)]
    h_claim: Option<f64>,
    /// False-alarm probability 2^-a of the health tests.
    #[arg(long)]
    alpha_log2: Option<u32>,
    /// XOR fold factor.
    #[arg(long)]
    fold_k: Option<u32>,
    /// Raw bits absorbed per 256-bit conditioned output.
    #[arg(long)]
    n_in: Option<u32>,
    /// Clocks per raw sample.
    #[arg(long)]
    oversample: Option<u32>,
    /// APT and Markov window W.
    #[arg(long)]
    window: Option<u32>,
}

impl Args {
    fn params(&self, profile: &str) -> Result<CoreParams, String> {
        let mut p = CoreParams::profile(profile).map_err(|e| e.to_string())?;
        if let Some(v) = self.h_claim {
            p.h_claim = v;
        }
        if let Some(v) = self.alpha_log2 {
            p.alpha_log2 = v;
        }
        if let Some(v) = self.fold_k {
            p.fold_k = v;
        }
        if let Some(v) = self.n_in {
            p.n_in = v;
        }
        if let Some(v) = self.oversample {
            p.oversample = v;
        }
        if let Some(v) = self.window {
            p.window = v;
        }
        p.validate().map_err(|e| format!("profile {profile}: {e}"))?;
        Ok(p)
    }

    fn profiles(&self) -> Result<Vec<&'static str>, String> {
        match self.profile.as_str() {
            "all" => Ok(PROFILES.to_vec()),
            name => PROFILES.iter().find(|p| **p == name).map(|p| vec![*p]).ok_or_else(|| {
                format!("unknown profile `{name}`: valid profiles are {}, all", PROFILES.join(", "))
            }),
        }
    }
}

fn describe(profile: &str, p: &CoreParams) -> String {
    let c = p.cutoffs();
    format!(
        "profile {profile}: clock_hz={} baud={} oversample={} vn_enable={} fold_k={} h_claim={} \
         alpha_log2={} window={} n_in={} status_period_log2={} keccak={:?}\n\
         profile {profile}: cutoffs RCT={} APT={} Markov lo={} hi={} (holdback {} samples)",
        p.clock_hz, p.baud, p.oversample, p.vn_enable, p.fold_k, p.h_claim, p.alpha_log2,
        p.window, p.n_in, p.status_period_log2, p.keccak, c.rct, c.apt, c.markov_lo, c.markov_hi,
        p.holdback()
    )
}

/// Every *.v that generation owns in `out/<profile>/` and `out/<profile>/blocks/`, relative to `out`.
fn existing(out: &Path, profile: &str) -> Vec<String> {
    let mut found = Vec::new();
    for sub in [profile.to_string(), format!("{profile}/blocks")] {
        if let Ok(rd) = std::fs::read_dir(out.join(&sub)) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".v") && e.path().is_file() {
                    found.push(format!("{sub}/{name}"));
                }
            }
        }
    }
    found.sort();
    found
}

/// Differences between the generated `want` and `out/`: (relative path, what is wrong).
fn diff(out: &Path, profiles: &[&str], want: &BTreeMap<String, String>) -> Vec<(String, &'static str)> {
    let mut bad = Vec::new();
    for (path, text) in want {
        match std::fs::read_to_string(out.join(path)) {
            Err(_) => bad.push((path.clone(), "missing")),
            Ok(have) if have != *text => bad.push((path.clone(), "differs")),
            Ok(_) => {}
        }
    }
    for profile in profiles {
        for path in existing(out, profile) {
            if !want.contains_key(&path) {
                bad.push((path, "stale (no generator)"));
            }
        }
    }
    bad.sort();
    bad
}

fn write(out: &Path, profiles: &[&str], want: &BTreeMap<String, String>) -> Result<usize, String> {
    let mut changed = 0;
    for (path, what) in diff(out, profiles, want) {
        let full = out.join(&path);
        let io = |e: std::io::Error| format!("{}: {e}", full.display());
        match want.get(&path) {
            Some(text) => {
                std::fs::create_dir_all(full.parent().unwrap()).map_err(io)?;
                std::fs::write(&full, text).map_err(io)?;
            }
            None => std::fs::remove_file(&full).map_err(io)?,
        }
        println!("{what:>20}: {}", full.display());
        changed += 1;
    }
    Ok(changed)
}

fn run(args: &Args) -> Result<(), String> {
    let profiles = args.profiles()?;
    let mut want = BTreeMap::new();
    for profile in &profiles {
        let p = args.params(profile)?;
        println!("{}", describe(profile, &p));
        want.extend(registry::files(&p, profile));
    }
    println!(
        "blocks: {} (+ speckle_core: {})",
        registry::BLOCKS.iter().map(|b| b.0).collect::<Vec<_>>().join(", "),
        if registry::CORE.is_some() { "yes" } else { "not registered yet" }
    );
    if args.check {
        let bad = diff(&args.out, &profiles, &want);
        if !bad.is_empty() {
            let list: Vec<String> = bad.iter().map(|(p, w)| format!("  {w}: {}", args.out.join(p).display())).collect();
            return Err(format!(
                "{} is out of date with the generators ({} file(s)); run `make rtl` and commit:\n{}",
                args.out.display(),
                bad.len(),
                list.join("\n")
            ));
        }
        println!("{}: {} file(s) up to date", args.out.display(), want.len());
    } else {
        let changed = write(&args.out, &profiles, &want)?;
        println!("{}: {} file(s) generated, {changed} changed", args.out.display(), want.len());
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("speckle-hdl: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Args {
        Args::parse_from(["speckle-hdl"].iter().chain(extra))
    }

    #[test]
    fn overrides_go_through_validate() {
        let a = args(&["--profile", "ice40", "--n-in", "512"]);
        let e = a.params("ice40").unwrap_err();
        assert!(e.contains("n_in = 512") && e.contains("640"), "{e}");
        let a = args(&["--profile", "ice40", "--fold-k", "3", "--window", "512"]);
        let p = a.params("ice40").unwrap();
        assert_eq!((p.fold_k, p.window), (3, 512));
        assert!(args(&["--profile", "x"]).profiles().unwrap_err().contains("ice40, ecp5, all"));
        assert_eq!(args(&["--profile", "all"]).profiles().unwrap(), vec!["ice40", "ecp5"]);
    }

    #[test]
    fn description_carries_the_computed_cutoffs() {
        let p = CoreParams::ice40();
        let c = p.cutoffs();
        let d = describe("ice40", &p);
        assert!(d.contains(&format!("RCT={} APT={}", c.rct, c.apt)), "{d}");
    }

    #[test]
    fn check_names_changed_missing_and_stale_files_and_write_fixes_them() {
        let out = std::env::temp_dir().join(format!("speckle-hdl-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let want: BTreeMap<String, String> = [
            ("ice40/blocks/speckle_a.v".to_string(), "module speckle_a();\n".to_string()),
            ("ice40/speckle_core.v".to_string(), "module speckle_core();\n".to_string()),
        ]
        .into();
        std::fs::create_dir_all(out.join("ice40/blocks")).unwrap();
        std::fs::write(out.join("ice40/speckle_core.v"), "old").unwrap();
        std::fs::write(out.join("ice40/blocks/speckle_gone.v"), "old").unwrap();
        let bad = diff(&out, &["ice40"], &want);
        assert_eq!(
            bad,
            vec![
                ("ice40/blocks/speckle_a.v".to_string(), "missing"),
                ("ice40/blocks/speckle_gone.v".to_string(), "stale (no generator)"),
                ("ice40/speckle_core.v".to_string(), "differs"),
            ]
        );
        assert_eq!(write(&out, &["ice40"], &want).unwrap(), 3);
        assert!(diff(&out, &["ice40"], &want).is_empty());
        assert!(!out.join("ice40/blocks/speckle_gone.v").exists());
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn generation_is_deterministic() {
        for profile in PROFILES {
            let p = CoreParams::profile(profile).unwrap();
            assert_eq!(registry::files(&p, profile), registry::files(&p, profile));
        }
    }
}
