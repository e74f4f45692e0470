use super::*;
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

const VERILATOR_OUT: &str = "\
%Warning-WIDTH: rtl/ice40/blocks/speckle_x.v:57:10: Operator ASSIGN expects 16 bits on the Assign RHS, but Assign RHS's CONST '32'h0' generates 32 bits.
   57 |        q = 32'h0;
      |          ^
                       ... For warning description see https://verilator.org/warn/WIDTH?v=5.006
                       ... Use \"/* verilator lint_off WIDTH */\" and lint_on around source to disable this message.
%Warning-UNUSEDSIGNAL: rtl/ice40/blocks/speckle_x.v:38:18: Signal is not used: 'rct$run'
%Warning-VARHIDDEN: rtl/ice40/speckle_core.v:4207:17: Declaration of signal hides declaration in upper scope: 'rx'
 4207 |     input wire  rx;
                         rtl/ice40/speckle_core.v:30:11: ... Location of original declaration
%Error: Exiting due to 1 warning(s)
";

const SOURCE: &[(&str, u32, &str)] = &[
    ("rtl/ice40/blocks/speckle_x.v", 57, "       q = 32'h0;"),
    ("rtl/ice40/blocks/speckle_x.v", 58, "       q = 32'h0;"),
    ("rtl/ice40/blocks/speckle_x.v", 38, "    wire  [15:0] rct$run;"),
    ("rtl/ice40/speckle_core.v", 4207, "    input wire  rx;"),
];

fn source(file: &str, line: u32) -> Option<String> {
    SOURCE.iter().find(|(f, l, _)| *f == file && *l == line).map(|(_, _, s)| s.to_string())
}

const CLASSES: &str = r#"
# header comment, kept by render()
[class.int-literal]
rules = ["WIDTH"]
text = ["* generates 32 bits."]
source = ["*32'h*"]
reason = "32-bit literals"

[class.child-port-stub]
rules = ["UNUSEDSIGNAL"]
text = ["Signal is not used: '*$*'"]
reason = "stubs"
"#;

fn waivers(entries: &str) -> Waivers {
    Waivers::parse("test.toml", &format!("{CLASSES}{entries}")).unwrap()
}

fn warning(file: &str, line: u32, rule: &str, text: &str) -> Warning {
    Warning { file: file.into(), line, col: 1, rule: rule.into(), text: text.into() }
}

const W57: &str = "Operator ASSIGN expects 16 bits on the Assign RHS, but Assign RHS's CONST '32'h0' generates 32 bits.";

fn all_files() -> BTreeSet<String> {
    ["rtl/ice40/blocks/speckle_x.v", "rtl/ice40/speckle_core.v"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn verilator_output_gives_rule_location_and_text() {
    let (w, errors) = parse_verilator(VERILATOR_OUT);
    assert_eq!(w.len(), 3, "{w:?}");
    assert_eq!(
        w[0],
        Warning {
            file: "rtl/ice40/blocks/speckle_x.v".into(),
            line: 57,
            col: 10,
            rule: "WIDTH".into(),
            text: W57.into()
        }
    );
    assert_eq!(
        (w[1].rule.as_str(), w[1].line, w[1].text.as_str()),
        ("UNUSEDSIGNAL", 38, "Signal is not used: 'rct$run'")
    );
    assert_eq!(w[2].file, "rtl/ice40/speckle_core.v");
    assert_eq!(errors, vec!["%Error: Exiting due to 1 warning(s)".to_string()]);
    let (_, errors) = parse_verilator(
        "%Error: boards/top/x_top.v:29:87: Assigning to input/const variable: 'sfp_rd'\n",
    );
    assert_eq!(errors.len(), 1);
}

#[test]
fn yosys_warnings_with_and_without_location() {
    let out = "ABC: Warning: The network is combinational.\n\
               Warning: Yosys has only limited support for tri-state logic at the moment. (boards/top/ulx3s_top.v:38)\n\
               Warning: Something odd (x.v:12.3-12.9)\n\
               Warning: multiple conflicting drivers for top.\\q [0]:\n";
    let w = parse_yosys(out);
    assert_eq!(w.len(), 3, "{w:?}");
    assert_eq!(
        (w[0].file.as_str(), w[0].line, w[0].rule.as_str()),
        ("boards/top/ulx3s_top.v", 38, "YOSYS")
    );
    assert_eq!(w[0].text, "Yosys has only limited support for tri-state logic at the moment.");
    assert_eq!((w[1].file.as_str(), w[1].line, w[1].text.as_str()), ("x.v", 12, "Something odd"));
    assert_eq!((w[2].file.as_str(), w[2].line), ("", 0));
}

#[test]
fn glob_matches_stars_and_nothing_else() {
    assert!(glob("abc", "abc"));
    assert!(!glob("abc", "abcd"));
    assert!(glob("*", ""));
    assert!(glob("a*c", "ac"));
    assert!(glob("a*b*c", "a--b--c"));
    assert!(!glob("a*b*c", "a--c--b"));
    assert!(glob("*$*", "rct$run"));
    assert!(!glob("*$*", "rct_run"));
    assert!(!glob("ab*ba", "aba"), "prefix and suffix must not overlap");
    assert!(glob("Signal is not used: '*$*'", "Signal is not used: 'rct$run'"));
}

#[test]
fn waived_unwaived_stale_and_misfit_are_told_apart() {
    let ws = waivers(&format!(
        "[[file]]\npath = \"rtl/ice40/blocks/speckle_x.v\"\nwaive = [\n  [57, \"WIDTH\", \"int-literal\", \"{}\"],\n  [99, \"WIDTH\", \"int-literal\", \"*\"],\n  [38, \"UNUSEDSIGNAL\", \"child-port-stub\", \"Signal is not used: '*'\"],\n]\n",
        W57
    ));
    let mut warnings = parse_verilator(VERILATOR_OUT).0;
    warnings.push(warnings[0].clone()); // the same warning from a second job counts once
    warnings.push(warning(
        "rtl/ice40/blocks/speckle_x.v",
        38,
        "UNUSEDSIGNAL",
        "Signal is not used: 'mine'",
    ));
    let tools = [Tool::Verilator, Tool::Yosys];
    let out = check(&ws, &warnings, &all_files(), &tools, &source);
    assert_eq!(out.waived.get("WIDTH"), Some(&1));
    assert_eq!(out.waived.get("UNUSEDSIGNAL"), Some(&1));
    // VARHIDDEN has no waiver at all.
    assert_eq!(out.unwaived.len(), 1, "{:?}", out.unwaived);
    assert_eq!(out.unwaived[0].rule, "VARHIDDEN");
    // line 99 matches nothing.
    assert_eq!(out.stale.len(), 1);
    assert_eq!(out.stale[0].line, 99);
    // The `'*'` waiver on line 38 also took `mine`, which the class (`*$*`) does not cover.
    assert_eq!(out.misfit.len(), 1, "{:?}", out.misfit);
    assert!(out.misfit[0].2.contains("matches none of"), "{}", out.misfit[0].2);
    assert!(!out.ok());
}

#[test]
fn a_waiver_only_covers_its_own_line_and_file() {
    let ws = waivers(&format!(
        "[[file]]\npath = \"rtl/ice40/blocks/speckle_x.v\"\nwaive = [[57, \"WIDTH\", \"int-literal\", \"{W57}\"]]\n"
    ));
    let moved = warning("rtl/ice40/blocks/speckle_x.v", 58, "WIDTH", W57);
    let other = warning("rtl/ecp5/blocks/speckle_x.v", 57, "WIDTH", W57);
    let out =
        check(&ws, &[moved.clone(), other.clone()], &all_files(), &[Tool::Verilator], &source);
    assert_eq!(out.unwaived, vec![other, moved]);
    assert_eq!(out.stale.len(), 1);
}

#[test]
fn class_evidence_checks_the_source_line() {
    let ws = waivers(
        "[[file]]\npath = \"rtl/ice40/blocks/speckle_x.v\"\nwaive = [[38, \"WIDTH\", \"int-literal\", \"*\"]]\n",
    );
    // Line 38 holds no 32'h literal.
    let w = warning("rtl/ice40/blocks/speckle_x.v", 38, "WIDTH", "x generates 32 bits.");
    let out = check(&ws, &[w], &all_files(), &[Tool::Verilator], &source);
    assert_eq!(out.misfit.len(), 1);
    assert!(out.misfit[0].2.contains("source line"), "{}", out.misfit[0].2);
}

#[test]
fn staleness_is_judged_only_for_linted_files_and_tools_that_ran() {
    let ws = waivers(
        "[[file]]\npath = \"rtl/ice40/blocks/speckle_x.v\"\nwaive = [[57, \"WIDTH\", \"int-literal\", \"*\"]]\n",
    );
    let none = BTreeSet::new();
    assert!(check(&ws, &[], &none, &[Tool::Verilator], &source).ok());
    assert!(check(&ws, &[], &all_files(), &[Tool::Yosys], &source).ok());
    assert!(!check(&ws, &[], &all_files(), &[Tool::Verilator], &source).ok());
}

#[test]
fn bad_waiver_files_name_the_entry() {
    let bad = |entries: &str| {
        Waivers::parse("lint/waivers.toml", &format!("{CLASSES}{entries}")).unwrap_err()
    };
    let e = bad("[[file]]\npath = \"a.v\"\nwaive = [[3, \"WIDTH\", \"nope\", \"x\"]]\n");
    assert!(
        e.contains("lint/waivers.toml: a.v:3 WIDTH [nope]") && e.contains("unknown class `nope`"),
        "{e}"
    );
    let e =
        bad("[[file]]\npath = \"a.v\"\nwaive = [[3, \"PINMISSING\", \"int-literal\", \"x\"]]\n");
    assert!(e.contains("covers rules WIDTH, not PINMISSING"), "{e}");
    let e = bad("[[file]]\npath = \"a.v\"\nwaive = [[3, \"WIDTH\", \"int-literal\", \"x\"], [3, \"WIDTH\", \"int-literal\", \"x\"]]\n");
    assert!(e.contains("listed twice"), "{e}");
    let e = bad("[[file]]\npath = \"a.v\"\nwaive = [[0, \"WIDTH\", \"int-literal\", \"x\"]]\n");
    assert!(e.contains("line 0"), "{e}");
    let e = Waivers::parse(
        "w.toml",
        "[class.x]\nrules = [\"WIDTH\"]\ntext = [\"*\"]\nreason = \" \"\n",
    )
    .unwrap_err();
    assert!(e.contains("class x: empty reason"), "{e}");
    let e = Waivers::parse("w.toml", "[class.x]\nrules = [\"WIDTH\"]\ntext = []\nreason = \"r\"\n")
        .unwrap_err();
    assert!(e.contains("class x: needs"), "{e}");
}

#[test]
fn update_moves_drops_and_adds_then_renders_what_it_parses() {
    let mut ws = waivers(&format!(
        "[[file]]\npath = \"rtl/ice40/blocks/speckle_x.v\"\nwaive = [\n  [50, \"WIDTH\", \"int-literal\", \"{W57}\"],\n  [51, \"WIDTH\", \"int-literal\", \"gone generates 32 bits.\"],\n]\n"
    ));
    let warnings = vec![
        warning("rtl/ice40/blocks/speckle_x.v", 57, "WIDTH", W57),
        warning("rtl/ice40/blocks/speckle_x.v", 58, "WIDTH", W57),
        warning(
            "rtl/ice40/blocks/speckle_x.v",
            38,
            "UNUSEDSIGNAL",
            "Signal is not used: 'rct$run'",
        ),
        warning(
            "rtl/ice40/speckle_core.v",
            4207,
            "VARHIDDEN",
            "Declaration of signal hides declaration in upper scope: 'rx'",
        ),
    ];
    let out = check(&ws, &warnings, &all_files(), &[Tool::Verilator], &source);
    let u = update(&mut ws, &out, &source);
    // 50 -> 57 (first in line order), 51 dropped, 58 and 38 added, VARHIDDEN fits no class.
    assert_eq!((u.moved, u.dropped, u.added), (1, 1, 2));
    assert_eq!(u.left.len(), 1);
    assert_eq!(u.left[0].rule, "VARHIDDEN");
    let lines: Vec<(u32, &str)> = ws.list.iter().map(|w| (w.line, w.class.as_str())).collect();
    assert_eq!(lines, vec![(38, "child-port-stub"), (57, "int-literal"), (58, "int-literal")]);
    let text = ws.render();
    assert!(text.starts_with("\n# header comment, kept by render()"), "{text}");
    let again = Waivers::parse("rendered", &text).unwrap();
    assert_eq!(again.list, ws.list);
    assert_eq!(again.render(), text);
    let out = check(&again, &warnings[..3], &all_files(), &[Tool::Verilator], &source);
    assert!(out.ok(), "{out:?}");
}

#[test]
fn quoting_round_trips_through_toml() {
    for s in ["plain", "with \"quotes\"", "back\\slash", "tab\there", "'32'h0' $x"] {
        let v: toml::Value = toml::from_str(&format!("k = {}", quote(s))).unwrap();
        assert_eq!(v["k"].as_str(), Some(s));
    }
}

#[test]
fn yosys_stat_counts_luts_and_flip_flops() {
    let stat = "   Number of cells:               12\n     SB_CARRY                        3\n     SB_DFF                          2\n     SB_DFFE                         4\n     SB_LUT4                         5\n";
    assert_eq!(count_cells(stat, Family::Ice40), (5, 6));
    let stat = "     CCU2C                           3\n     LUT4                           10\n     TRELLIS_FF                      7\n";
    assert_eq!(count_cells(stat, Family::Ecp5), (10, 7));
}

#[test]
fn jobs_cover_every_bitstream_file_once() {
    let jobs = jobs(&repo()).unwrap();
    let files: Vec<&str> = jobs.iter().map(|j| j.file.as_str()).collect();
    let unique: BTreeSet<&str> = files.iter().copied().collect();
    assert_eq!(unique.len(), files.len(), "a file linted twice: {files:?}");
    for profile in speckle_model::params::GENERATED_PROFILES {
        assert!(unique.contains(format!("rtl/{profile}/speckle_core.v").as_str()));
        for block in ["sfp_frontend", "i2c_master", "repcnt_ht", "sha3_conditioner"] {
            assert!(
                unique.contains(format!("rtl/{profile}/blocks/speckle_{block}.v").as_str()),
                "{block}"
            );
        }
    }
    for board in ["icebreaker", "hx8k-breakout", "ulx3s", "ecp5-evn"] {
        let j = jobs.iter().find(|j| j.key == board).unwrap_or_else(|| panic!("{board}"));
        assert_eq!(j.file, format!("boards/top/{board}_top.v"));
        assert_eq!(j.top, format!("speckle_{}_top", board.replace('-', "_")));
        assert!(j.lint_files.iter().any(|f| f.ends_with("speckle_sfp_frontend.v")), "{j:?}");
        assert!(j.lint_files.last().unwrap().starts_with("lint/stubs/"));
        assert_eq!(j.synth_files.len(), 1);
    }
    assert!(
        !jobs.iter().any(|j| j.key == "custom"),
        "the template board is not built, so not linted"
    );
    for j in &jobs {
        for f in j.lint_files.iter().chain(&j.synth_libs) {
            assert!(repo().join(f).is_file(), "{}: {f} missing", j.file);
        }
    }
}

#[test]
fn board_sources_are_those_of_make_bitstream() {
    // FPGA_SOURCES in mk/fpga.mk, with $(BOARD) and $(PROFILE) filled in, must list the same files.
    let mk = std::fs::read_to_string(repo().join("mk/fpga.mk")).unwrap();
    let line =
        mk.lines().find(|l| l.starts_with("FPGA_SOURCES")).expect("FPGA_SOURCES in mk/fpga.mk");
    let list = line.split_once('=').unwrap().1;
    for f in board_files(&repo().join("boards")).unwrap() {
        let b = Board::load(&f).unwrap();
        let want: Vec<String> = list
            .split_whitespace()
            .map(|s| s.replace("$(BOARD)", &b.name).replace("$(PROFILE)", &b.profile))
            .collect();
        assert_eq!(board_sources(&b), want, "{}", b.name);
    }
}

#[test]
fn block_selects_every_profile_and_unknown_names_list_the_valid_ones() {
    let all = jobs(&repo()).unwrap();
    let picked = select(all.clone(), Some("repcnt_ht")).unwrap();
    let files: Vec<&str> = picked.iter().map(|j| j.file.as_str()).collect();
    let want: Vec<String> = speckle_model::params::GENERATED_PROFILES
        .iter()
        .map(|p| format!("rtl/{p}/blocks/speckle_repcnt_ht.v"))
        .collect();
    assert_eq!(files, want);
    let n = want.len();
    assert_eq!(select(all.clone(), Some("speckle_repcnt_ht")).unwrap().len(), n);
    assert_eq!(select(all.clone(), Some("core")).unwrap().len(), n);
    assert_eq!(select(all.clone(), Some("icebreaker")).unwrap().len(), 1);
    let two = select(all.clone(), Some("sha3_256,sha3_conditioner")).unwrap();
    assert_eq!(two.len(), 8);
    let e = select(all.clone(), Some("repcnt_ht,nope")).unwrap_err();
    assert!(e.starts_with("BLOCK=nope:"), "{e}");
    let e = select(all, Some("nope")).unwrap_err();
    assert!(e.contains("BLOCK=nope") && e.contains("repcnt_ht") && e.contains("icebreaker"), "{e}");
}

#[test]
fn the_waiver_file_parses_and_every_class_is_used() {
    let ws = Waivers::load(&repo().join(WAIVERS)).unwrap_or_else(|e| panic!("{e}"));
    for (name, c) in &ws.classes {
        assert!(
            c.reason.split_whitespace().count() >= 10,
            "class {name}: say why, in a sentence or more"
        );
        assert!(ws.list.iter().any(|w| &w.class == name), "class {name} waives nothing: remove it");
    }
    // No global waiver: every waiver is for one line of one file the lint covers.
    let jobs = jobs(&repo()).unwrap();
    let files: BTreeSet<&str> =
        jobs.iter().flat_map(|j| j.lint_files.iter().map(|f| f.as_str())).collect();
    for w in &ws.list {
        assert!(files.contains(w.file.as_str()), "{w}: not a linted file");
        assert!(w.line > 0);
    }
}

/// Runs the real tools on two deliberately broken blocks: a combinational loop must fail as
/// unwaivable warnings of both tools, conflicting drivers as a yosys `check -assert` failure.
#[test]
fn broken_blocks_fail_with_the_real_tools() {
    let tools = Tools { verilator: "verilator".into(), yosys: "yosys".into() };
    for t in [&tools.verilator, &tools.yosys] {
        if Command::new(t).arg("-V").output().is_err() {
            let msg = format!("{t} not installed (Debian: verilator, yosys; `make deps`)");
            assert!(std::env::var_os("SPECKLE_NO_SKIP").is_none(), "{msg}");
            eprintln!("SKIPPED: {msg}");
            return;
        }
    }
    let root = std::env::temp_dir().join(format!("speckle-lint-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("rtl/ice40/blocks")).unwrap();
    let blocks = [
        (
            "speckle_loop",
            "input wire a, output wire y);\n    wire b;\n    assign y = ~b & a;\n    assign b = y;",
        ),
        (
            "speckle_md",
            "input wire a, input wire b, output wire y);\n    assign y = a;\n    assign y = b;",
        ),
    ];
    let mut results = vec![];
    for (top, body) in blocks {
        let file = format!("rtl/ice40/blocks/{top}.v");
        let text = format!("`default_nettype none\nmodule {top}({body}\nendmodule\n");
        std::fs::write(root.join(&file), text).unwrap();
        let job = Job {
            file: file.clone(),
            key: top.trim_start_matches("speckle_").into(),
            profile: "ice40".into(),
            family: Family::Ice40,
            top: top.into(),
            lint_files: vec![file.clone()],
            synth_files: vec![file],
            synth_libs: vec![],
        };
        results.push(run_job(&root, &job, &[Tool::Verilator, Tool::Yosys], &tools, &root));
    }
    let _ = std::fs::remove_dir_all(&root);
    let ws = Waivers::load(&repo().join(WAIVERS)).unwrap();
    let never = |_: &str, _: u32| None;
    // The loop: Verilator UNOPTFLAT and the `check` inside synth_ice40, neither waivable.
    let loop_ = &results[0];
    assert!(loop_.errors.is_empty(), "{:?}", loop_.errors);
    let out =
        check(&ws, &loop_.warnings, &BTreeSet::new(), &[Tool::Verilator, Tool::Yosys], &never);
    let rules: BTreeSet<&str> = out.unwaived.iter().map(|w| w.rule.as_str()).collect();
    assert!(rules.contains("UNOPTFLAT"), "{:?}", out.unwaived);
    assert!(
        out.unwaived.iter().any(|w| w.rule == YOSYS_RULE && w.text.contains("logic loop")),
        "{:?}",
        out.unwaived
    );
    // Conflicting drivers: `check -assert` makes yosys fail.
    let md = &results[1];
    assert!(
        md.errors.iter().any(|e| e.contains("check -assert failed") && e.contains("speckle_md.v")),
        "{:?}",
        md.errors
    );
}

#[test]
fn every_block_make_check_knows_is_a_lint_block() {
    // `make check BLOCK=x` (mk/check.mk: a doc under docs/blocks/, or speckle_core) hands x to
    // `make lint BLOCK=x`, which maps blocks without a file of their own (LINT_FILES_OF_x in
    // mk/rtl.mk) to the files that carry them.
    let mk = std::fs::read_to_string(repo().join("mk/rtl.mk")).unwrap();
    let alias = |name: &str| -> String {
        let key = format!("LINT_FILES_OF_{name} :=");
        mk.lines()
            .find_map(|l| l.strip_prefix(&key))
            .map_or_else(|| name.to_string(), |v| v.trim().to_string())
    };
    let all = jobs(&repo()).unwrap();
    let mut names = vec!["speckle_core".to_string()];
    for e in std::fs::read_dir(repo().join("docs/blocks")).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = n.strip_suffix(".md") {
            names.push(stem.to_string());
        }
    }
    assert!(names.len() > 10, "{names:?}");
    for name in names {
        let picked = select(all.clone(), Some(&alias(&name)))
            .unwrap_or_else(|e| panic!("make check BLOCK={name}: {e}"));
        assert!(picked.len() >= 2, "BLOCK={name}: {picked:?}");
    }
}
