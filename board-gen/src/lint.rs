//! `speckle-lint`: lint of every generated file that goes into a bitstream, with per-line waivers.
//!
//! What is linted ([`jobs`]): each `rtl/<profile>/speckle_core.v`, each `rtl/<profile>/blocks/*.v`
//! with its own top module, and each board top `boards/top/<board>_top.v` together with the files
//! `make bitstream` synthesises it with ([`board_sources`], `FPGA_SOURCES` in mk/fpga.mk). Each job
//! runs `verilator --lint-only -Wall` and yosys `synth_<family>` + `check -assert` for its family.
//!
//! Every warning either tool prints must be waived in lint/waivers.toml ([`Waivers`]): one entry per
//! file, line, rule and warning text, each naming a class that carries the reason and the evidence
//! (globs on the warning text and on the source line) that the warning is of that kind. A warning
//! without a waiver fails, a waiver without a warning (stale) fails, and a waiver whose class's
//! evidence does not fit its warning fails. See docs/lint.md.

use crate::{board_files, Board, Family};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the waivers live, relative to the repository root.
pub const WAIVERS: &str = "lint/waivers.toml";
/// The rule name given to yosys warnings (yosys has no warning ids).
pub const YOSYS_RULE: &str = "YOSYS";

/// Which tool a warning came from, or which tools to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tool {
    Verilator,
    Yosys,
}

impl Tool {
    /// The tool whose warnings carry `rule`.
    pub fn of_rule(rule: &str) -> Tool {
        if rule == YOSYS_RULE {
            Tool::Yosys
        } else {
            Tool::Verilator
        }
    }
}

/// One warning, located in a file (`file` is empty when the tool gave no location).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub rule: String,
    pub text: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.file.is_empty() {
            write!(f, "(no location): {}: {}", self.rule, self.text)
        } else if self.col > 0 {
            write!(f, "{}:{}:{}: {}: {}", self.file, self.line, self.col, self.rule, self.text)
        } else {
            write!(f, "{}:{}: {}: {}", self.file, self.line, self.rule, self.text)
        }
    }
}

/// `file:line:col: text` after a Verilator `%Warning-RULE: ` prefix.
fn split_location(rest: &str) -> (String, u32, u32, String) {
    let mut parts = rest.splitn(4, ':');
    let (f, l, c, t) = (parts.next(), parts.next(), parts.next(), parts.next());
    match (f, l.and_then(|l| l.parse().ok()), c.and_then(|c| c.parse().ok()), t) {
        (Some(f), Some(l), Some(c), Some(t)) => (f.to_string(), l, c, t.trim().to_string()),
        _ => (String::new(), 0, 0, rest.trim().to_string()),
    }
}

/// Warnings and errors in Verilator's output. Continuation lines (source excerpts, "... For
/// warning description") are skipped; an `%Error` line is returned whole.
pub fn parse_verilator(out: &str) -> (Vec<Warning>, Vec<String>) {
    let (mut warnings, mut errors) = (vec![], vec![]);
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("%Warning-") {
            let Some((rule, rest)) = rest.split_once(": ") else {
                errors.push(format!("unparsed Verilator warning: {line}"));
                continue;
            };
            let (file, line, col, text) = split_location(rest);
            warnings.push(Warning { file, line, col, rule: rule.to_string(), text });
        } else if line.starts_with("%Error") {
            errors.push(line.to_string());
        }
    }
    (warnings, errors)
}

/// Warnings in yosys' output: `Warning: text (file:line)`; the location may be missing.
pub fn parse_yosys(out: &str) -> Vec<Warning> {
    let mut v = vec![];
    for line in out.lines() {
        let Some(rest) = line.strip_prefix("Warning: ") else { continue };
        let rest = rest.trim_end();
        let located =
            rest.strip_suffix(')').and_then(|r| r.rsplit_once(" (")).and_then(|(t, loc)| {
                let (file, pos) = loc.rsplit_once(':')?;
                let line: u32 = pos.split(['.', '-']).next()?.parse().ok()?;
                Some((t.to_string(), file.to_string(), line))
            });
        let (text, file, line) = located.unwrap_or_else(|| (rest.to_string(), String::new(), 0));
        v.push(Warning { file, line, col: 0, rule: YOSYS_RULE.into(), text });
    }
    v
}

/// `*` matches any run of characters (none included); everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// A kind of warning, with the reason it is waived and the evidence a warning must show to be of
/// this kind: its text must match one of `text`, and (when `source` is not empty) the source line
/// it points at must match one of `source`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Class {
    pub rules: Vec<String>,
    pub text: Vec<String>,
    #[serde(default)]
    pub source: Vec<String>,
    pub reason: String,
}

impl Class {
    /// None when `w` (whose source line is `src`) is of this kind, else why not.
    pub fn misfit(&self, w: &Warning, src: Option<&str>) -> Option<String> {
        if !self.rules.contains(&w.rule) {
            return Some(format!("rule {} is not one of {}", w.rule, self.rules.join(", ")));
        }
        if !self.text.iter().any(|g| glob(g, &w.text)) {
            return Some(format!("the warning text matches none of {:?}", self.text));
        }
        if !self.source.is_empty() {
            match src {
                None => return Some(format!("{}:{} has no such line", w.file, w.line)),
                Some(s) if !self.source.iter().any(|g| glob(g, s)) => {
                    return Some(format!(
                        "source line `{}` matches none of {:?}",
                        s.trim(),
                        self.source
                    ))
                }
                Some(_) => {}
            }
        }
        None
    }
}

/// One waiver: this warning text (a glob) of this rule at this line of this file, of this class.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Waiver {
    pub file: String,
    pub line: u32,
    pub rule: String,
    pub class: String,
    pub pattern: String,
}

impl Waiver {
    pub fn matches(&self, w: &Warning) -> bool {
        self.file == w.file
            && self.line == w.line
            && self.rule == w.rule
            && glob(&self.pattern, &w.text)
    }
}

impl std::fmt::Display for Waiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} {} [{}] \"{}\"", self.file, self.line, self.rule, self.class, self.pattern)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    path: String,
    waive: Vec<(u32, String, String, String)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaivers {
    class: BTreeMap<String, Class>,
    #[serde(default)]
    file: Vec<RawFile>,
}

/// The waiver file: classes and per-line waivers, plus the text before the first `[[file]]`
/// (header and classes), which [`Waivers::render`] keeps as written.
#[derive(Clone, Debug)]
pub struct Waivers {
    pub classes: BTreeMap<String, Class>,
    /// Class names in the order the file defines them (the order [`Waivers::class_for`] tries).
    pub order: Vec<String>,
    pub list: Vec<Waiver>,
    pub head: String,
}

impl Waivers {
    /// Parses and validates: every waiver names a known class whose rules include its rule, every
    /// class has a reason and evidence, no waiver is listed twice. Errors name `origin` and the entry.
    pub fn parse(origin: &str, text: &str) -> Result<Waivers, String> {
        let raw: RawWaivers = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        let mut errs = vec![];
        for (name, c) in &raw.class {
            if c.reason.trim().is_empty() {
                errs.push(format!("{origin}: class {name}: empty reason"));
            }
            if c.rules.is_empty() || c.text.is_empty() {
                errs.push(format!("{origin}: class {name}: needs `rules` and `text` (evidence)"));
            }
        }
        let mut list = vec![];
        let mut seen = BTreeSet::new();
        for f in &raw.file {
            for (line, rule, class, pattern) in &f.waive {
                let w = Waiver {
                    file: f.path.clone(),
                    line: *line,
                    rule: rule.clone(),
                    class: class.clone(),
                    pattern: pattern.clone(),
                };
                match raw.class.get(class) {
                    None => errs.push(format!(
                        "{origin}: {w}: unknown class `{class}` (classes: {})",
                        raw.class.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                    Some(c) if !c.rules.contains(rule) => errs.push(format!(
                        "{origin}: {w}: class `{class}` covers rules {}, not {rule}",
                        c.rules.join(", ")
                    )),
                    Some(_) => {}
                }
                if *line == 0 {
                    errs.push(format!("{origin}: {w}: line 0 (waivers are per line)"));
                }
                if pattern.is_empty() {
                    errs.push(format!("{origin}: {w}: empty warning text"));
                }
                if !seen.insert((w.file.clone(), w.line, w.rule.clone(), w.pattern.clone())) {
                    errs.push(format!("{origin}: {w}: listed twice"));
                }
                list.push(w);
            }
        }
        if !errs.is_empty() {
            return Err(errs.join("\n"));
        }
        let head =
            format!("{}\n", text[..text.find("\n[[file]]").unwrap_or(text.len())].trim_end());
        let mut order: Vec<(usize, String)> = raw
            .class
            .keys()
            .map(|k| (text.find(&format!("[class.{k}]")).unwrap_or(usize::MAX), k.clone()))
            .collect();
        order.sort();
        let order = order.into_iter().map(|(_, k)| k).collect();
        Ok(Waivers { classes: raw.class, order, list, head })
    }

    pub fn load(path: &Path) -> Result<Waivers, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Waivers::parse(&path.display().to_string(), &text)
    }

    /// The head, then one `[[file]]` table per file, its waivers sorted by line.
    pub fn render(&self) -> String {
        let mut by_file: BTreeMap<&str, Vec<&Waiver>> = BTreeMap::new();
        for w in &self.list {
            by_file.entry(&w.file).or_default().push(w);
        }
        let mut s = self.head.clone();
        for (file, mut ws) in by_file {
            ws.sort();
            s.push_str(&format!("\n[[file]]\npath = {}\nwaive = [\n", quote(file)));
            for w in ws {
                s.push_str(&format!(
                    "  [{}, {}, {}, {}],\n",
                    w.line,
                    quote(&w.rule),
                    quote(&w.class),
                    quote(&w.pattern)
                ));
            }
            s.push_str("]\n");
        }
        s
    }

    /// The first class (in the file's order: the specific before the general) that `w` fits.
    pub fn class_for(&self, w: &Warning, src: Option<&str>) -> Option<&str> {
        self.order.iter().find(|n| self.classes[*n].misfit(w, src).is_none()).map(|n| n.as_str())
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                q.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// What [`check`] found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Warnings no waiver covers.
    pub unwaived: Vec<Warning>,
    /// Waivers (of a linted file and a tool that ran) that match no warning.
    pub stale: Vec<Waiver>,
    /// A waiver matched a warning that its class's evidence does not fit: (waiver, warning, why).
    pub misfit: Vec<(Waiver, Warning, String)>,
    /// Waived warnings per rule.
    pub waived: BTreeMap<String, usize>,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.unwaived.is_empty() && self.stale.is_empty() && self.misfit.is_empty()
    }
}

/// Matches `warnings` (deduplicated) against `waivers`. Staleness is judged only for waivers of
/// `linted` files and of tools in `tools`. `source(file, line)` gives a source line for the
/// classes' evidence.
pub fn check(
    waivers: &Waivers,
    warnings: &[Warning],
    linted: &BTreeSet<String>,
    tools: &[Tool],
    source: &dyn Fn(&str, u32) -> Option<String>,
) -> Outcome {
    let warnings: BTreeSet<&Warning> = warnings.iter().collect();
    let mut used = vec![false; waivers.list.len()];
    let mut out = Outcome::default();
    for w in warnings {
        let hits: Vec<usize> =
            (0..waivers.list.len()).filter(|&i| waivers.list[i].matches(w)).collect();
        let Some(&first) = hits.first() else {
            out.unwaived.push(w.clone());
            continue;
        };
        for &i in &hits {
            used[i] = true;
        }
        let v = &waivers.list[first];
        let src = source(&w.file, w.line);
        match waivers.classes.get(&v.class).and_then(|c| c.misfit(w, src.as_deref())) {
            Some(why) => out.misfit.push((v.clone(), w.clone(), why)),
            None => *out.waived.entry(w.rule.clone()).or_default() += 1,
        }
    }
    for (i, v) in waivers.list.iter().enumerate() {
        if !used[i] && linted.contains(&v.file) && tools.contains(&Tool::of_rule(&v.rule)) {
            out.stale.push(v.clone());
        }
    }
    out
}

/// What [`update`] changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Update {
    pub moved: usize,
    pub dropped: usize,
    pub added: usize,
    /// Warnings that fit no class: fix them, or add a class with its reason by hand.
    pub left: Vec<Warning>,
}

/// Brings `waivers` in line with `outcome`: a stale waiver whose warning text reappears in the
/// same file under the same rule moves to its new line (pairs taken in line order); other stale
/// waivers are dropped; an unwaived warning that fits a class gets a waiver of that class with its
/// exact text. Misfits are left for a person to resolve.
pub fn update(
    waivers: &mut Waivers,
    outcome: &Outcome,
    source: &dyn Fn(&str, u32) -> Option<String>,
) -> Update {
    let mut u = Update::default();
    let stale: BTreeSet<&Waiver> = outcome.stale.iter().collect();
    let mut kept: Vec<Waiver> =
        waivers.list.iter().filter(|w| !stale.contains(w)).cloned().collect();
    let mut unwaived: Vec<Option<&Warning>> = outcome.unwaived.iter().map(Some).collect();
    let mut stale: Vec<&Waiver> = stale.into_iter().collect();
    stale.sort_by_key(|w| (w.file.clone(), w.rule.clone(), w.line));
    for v in stale {
        let slot = unwaived.iter().position(|w| {
            w.is_some_and(|w| w.file == v.file && w.rule == v.rule && glob(&v.pattern, &w.text))
        });
        match slot {
            Some(i) => {
                let w = unwaived[i].take().unwrap();
                kept.push(Waiver { line: w.line, ..v.clone() });
                u.moved += 1;
            }
            None => u.dropped += 1,
        }
    }
    for w in unwaived.into_iter().flatten() {
        let src = source(&w.file, w.line);
        match waivers.class_for(w, src.as_deref()) {
            Some(class) if !w.file.is_empty() && w.line > 0 => {
                kept.push(Waiver {
                    file: w.file.clone(),
                    line: w.line,
                    rule: w.rule.clone(),
                    class: class.to_string(),
                    pattern: w.text.clone(),
                });
                u.added += 1;
            }
            _ => u.left.push(w.clone()),
        }
    }
    kept.sort();
    kept.dedup();
    waivers.list = kept;
    u
}

/// One file to lint (with the files it needs) and synthesise for one family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The file the job is about; its waivers are checked for staleness when the job runs.
    pub file: String,
    /// `--block` name: block stem without `speckle_`, `core`, or the board's name.
    pub key: String,
    pub profile: String,
    pub family: Family,
    pub top: String,
    /// Verilator sources: `file` first, then what it instantiates (and the lint stubs of the
    /// family's primitives for a board top).
    pub lint_files: Vec<String>,
    /// yosys reads these as Verilog, and `synth_libs` as black boxes (`read_verilog -lib`).
    pub synth_files: Vec<String>,
    pub synth_libs: Vec<String>,
}

pub fn family_name(f: Family) -> &'static str {
    match f {
        Family::Ice40 => "ice40",
        Family::Ecp5 => "ecp5",
    }
}

/// The FPGA family whose synthesis checks rtl/<profile>/ (each profile is named after it, a variant
/// such as `ecp5-ddr` by its family and a suffix).
pub fn profile_family(profile: &str) -> Result<Family, String> {
    match profile.split('-').next().unwrap_or(profile) {
        "ice40" => Ok(Family::Ice40),
        "ecp5" => Ok(Family::Ecp5),
        other => {
            Err(format!("profile `{other}`: no FPGA family known to speckle-lint (ice40, ecp5)"))
        }
    }
}

/// The board top's module name (as `speckle-boards vars` prints it as TOP).
pub fn board_top_module(b: &Board) -> String {
    format!("speckle_{}_top", b.name.replace('-', "_"))
}

/// The files `make bitstream` synthesises for a board (FPGA_SOURCES in mk/fpga.mk), top first.
pub fn board_sources(b: &Board) -> Vec<String> {
    vec![
        format!("boards/top/{}_top.v", b.name),
        format!("rtl/{}/speckle_core.v", b.profile),
        format!("rtl/{}/blocks/speckle_sfp_frontend.v", b.profile),
    ]
}

/// Lint stand-ins for the family's primitives (lint/stubs/), for Verilator only.
pub fn stub_file(f: Family) -> String {
    format!("lint/stubs/{}_cells.v", family_name(f))
}

/// Every job: per profile the core and each block file, then each board top (templates skipped).
pub fn jobs(root: &Path) -> Result<Vec<Job>, String> {
    let mut jobs = vec![];
    for profile in speckle_model::params::GENERATED_PROFILES {
        let family = profile_family(profile)?;
        let core = format!("rtl/{profile}/speckle_core.v");
        if !root.join(&core).is_file() {
            return Err(format!("{core} is missing: run `make rtl`"));
        }
        let mut files = vec![core];
        let dir = root.join(format!("rtl/{profile}/blocks"));
        let rd = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut blocks: Vec<String> = rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".v"))
            .map(|n| format!("rtl/{profile}/blocks/{n}"))
            .collect();
        blocks.sort();
        files.extend(blocks);
        for file in files {
            let top = file.rsplit('/').next().unwrap().trim_end_matches(".v").to_string();
            jobs.push(Job {
                key: top.trim_start_matches("speckle_").to_string(),
                profile: profile.to_string(),
                family,
                lint_files: vec![file.clone()],
                synth_files: vec![file.clone()],
                synth_libs: vec![],
                file,
                top,
            });
        }
    }
    for f in board_files(&root.join("boards"))? {
        let b = Board::load(&f)?;
        if b.template {
            continue;
        }
        let sources = board_sources(&b);
        let mut lint_files = sources.clone();
        lint_files.push(stub_file(b.family));
        jobs.push(Job {
            file: sources[0].clone(),
            key: b.name.clone(),
            profile: b.profile.clone(),
            family: b.family,
            top: board_top_module(&b),
            lint_files,
            synth_files: vec![sources[0].clone()],
            synth_libs: sources[1..].to_vec(),
        });
    }
    Ok(jobs)
}

/// The jobs of `--block a,b,…` (each a block, `core` or a board; `speckle_` prefix optional), in
/// job order, or an error naming an unknown name and listing the valid ones.
pub fn select(jobs: Vec<Job>, block: Option<&str>) -> Result<Vec<Job>, String> {
    let Some(names) = block else { return Ok(jobs) };
    let names: Vec<&str> = names
        .split(',')
        .map(|n| n.trim())
        .map(|n| n.strip_prefix("speckle_").unwrap_or(n))
        .collect();
    for name in &names {
        if !jobs.iter().any(|j| j.key == *name) {
            let keys: BTreeSet<&str> = jobs.iter().map(|j| j.key.as_str()).collect();
            return Err(format!(
                "BLOCK={name}: no such block, core or board; valid: {}",
                keys.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(jobs.into_iter().filter(|j| names.contains(&j.key.as_str())).collect())
}

/// What one job produced.
#[derive(Debug, Default)]
pub struct JobResult {
    pub warnings: Vec<Warning>,
    /// Tool failures (Verilator `%Error`, yosys exit status), each with the log to read.
    pub errors: Vec<String>,
    /// LUT4 and flip-flop counts from yosys `stat`, when synthesis ran.
    pub cells: Option<(u64, u64)>,
    pub seconds: f64,
}

/// Verilator and yosys command names (overridable for other installs).
#[derive(Clone, Debug)]
pub struct Tools {
    pub verilator: String,
    pub yosys: String,
}

fn run_tool(cmd: &mut Command, log: &Path) -> Result<(bool, String), String> {
    let out = cmd.output().map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    std::fs::write(log, &text).map_err(|e| format!("{}: {e}", log.display()))?;
    Ok((out.status.success(), text))
}

/// LUT4 and flip-flop cells in a yosys `stat` report.
pub fn count_cells(stat: &str, family: Family) -> (u64, u64) {
    let (lut, ff) = match family {
        Family::Ice40 => ("SB_LUT4", "SB_DFF"),
        Family::Ecp5 => ("LUT4", "TRELLIS_FF"),
    };
    let (mut l, mut r) = (0, 0);
    for line in stat.lines() {
        let mut it = line.split_whitespace();
        if let (Some(cell), Some(n), None) =
            (it.next(), it.next().and_then(|n| n.parse::<u64>().ok()), it.next())
        {
            if cell == lut {
                l += n;
            } else if cell.starts_with(ff) {
                r += n;
            }
        }
    }
    (l, r)
}

/// Runs one job's tools from `root`, logs in `logs`.
pub fn run_job(root: &Path, job: &Job, which: &[Tool], tools: &Tools, logs: &Path) -> JobResult {
    let start = std::time::Instant::now();
    let mut r = JobResult::default();
    let stem = format!("{}-{}", job.profile, job.file.replace('/', "_"));
    if which.contains(&Tool::Verilator) {
        let log = logs.join(format!("{stem}.verilator.log"));
        let mut cmd = Command::new(&tools.verilator);
        cmd.current_dir(root)
            .args(["--lint-only", "-Wall", "-Wno-fatal", "--top-module", &job.top])
            .args(&job.lint_files);
        match run_tool(&mut cmd, &log) {
            Err(e) => r.errors.push(e),
            Ok((ok, text)) => {
                let (w, errors) = parse_verilator(&text);
                r.warnings.extend(w);
                for e in &errors {
                    r.errors.push(format!("verilator on {}: {e}", job.file));
                }
                if !ok && errors.is_empty() {
                    r.errors.push(format!(
                        "verilator on {} failed; see {}",
                        job.file,
                        log.display()
                    ));
                } else if !errors.is_empty() {
                    r.errors.push(format!("(full Verilator output: {})", log.display()));
                }
            }
        }
    }
    if which.contains(&Tool::Yosys) {
        let fam = family_name(job.family);
        let log = logs.join(format!("{stem}.yosys.log"));
        let stat = logs.join(format!("{stem}.stat"));
        let _ = std::fs::remove_file(&stat);
        let mut script = format!("read_verilog {}; ", job.synth_files.join(" "));
        if !job.synth_libs.is_empty() {
            script.push_str(&format!("read_verilog -lib {}; ", job.synth_libs.join(" ")));
        }
        script.push_str(&format!(
            "synth_{fam} -top {}; check -assert; tee -q -o {} stat",
            job.top,
            stat.display()
        ));
        let mut cmd = Command::new(&tools.yosys);
        cmd.current_dir(root).args(["-q", "-p", &script]);
        match run_tool(&mut cmd, &log) {
            Err(e) => r.errors.push(e),
            Ok((ok, text)) => {
                r.warnings.extend(parse_yosys(&text));
                if !ok {
                    let tail: Vec<&str> = text.lines().rev().take(8).collect();
                    let tail: Vec<&str> = tail.into_iter().rev().collect();
                    r.errors.push(format!(
                        "yosys synth_{fam} + check -assert failed on {} (full log: {}):\n    {}",
                        job.file,
                        log.display(),
                        tail.join("\n    ")
                    ));
                } else if let Ok(s) = std::fs::read_to_string(&stat) {
                    r.cells = Some(count_cells(&s, job.family));
                }
            }
        }
    }
    r.seconds = start.elapsed().as_secs_f64();
    r
}

/// A source line reader with a cache, for the classes' evidence.
pub struct Sources {
    root: PathBuf,
    cache: std::sync::Mutex<BTreeMap<String, Option<Vec<String>>>>,
}

impl Sources {
    pub fn new(root: &Path) -> Sources {
        Sources { root: root.to_path_buf(), cache: Default::default() }
    }

    pub fn line(&self, file: &str, line: u32) -> Option<String> {
        if file.is_empty() || line == 0 {
            return None;
        }
        let mut cache = self.cache.lock().unwrap();
        let lines = cache.entry(file.to_string()).or_insert_with(|| {
            std::fs::read_to_string(self.root.join(file))
                .ok()
                .map(|t| t.lines().map(String::from).collect())
        });
        lines.as_ref()?.get(line as usize - 1).cloned()
    }
}

#[cfg(test)]
mod tests;
