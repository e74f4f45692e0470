use super::*;
use std::path::PathBuf;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A copy of boards/icebreaker.toml with `edit` applied, in its own directory.
fn variant(tag: &str, edit: impl Fn(String) -> String) -> (PathBuf, PathBuf) {
    variant_of("icebreaker", tag, edit)
}

/// A copy of boards/<board>.toml with `edit` applied, in its own directory.
fn variant_of(board: &str, tag: &str, edit: impl Fn(String) -> String) -> (PathBuf, PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("speckle-boards-{board}-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(repo().join(format!("boards/{board}.toml"))).unwrap();
    let file = dir.join(format!("{board}.toml"));
    let edited = edit(text.clone());
    assert_ne!(edited, text, "{tag}: the edit changed nothing in boards/{board}.toml");
    std::fs::write(&file, edited).unwrap();
    (dir, file)
}

#[test]
fn every_board_file_validates() {
    let files = board_files(&repo().join("boards")).unwrap();
    let names: Vec<String> =
        files.iter().map(|f| f.file_stem().unwrap().to_string_lossy().into_owned()).collect();
    for want in ["custom", "ecp5-evn", "hx8k-breakout", "icebreaker", "ulx3s"] {
        assert!(names.iter().any(|n| n == want), "boards/{want}.toml missing: {names:?}");
    }
    for f in files {
        Board::load(&f).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn regenerating_changes_nothing() {
    let root = repo();
    let want = tree::wanted(&root).unwrap();
    assert!(
        want.keys().any(|k| k == "constraints/icebreaker.pcf")
            && want.keys().any(|k| k == "boards/top/ulx3s_top.v")
    );
    let bad = tree::diff(&root, &want);
    assert!(bad.is_empty(), "run `make boards`: {bad:?}");
    // And generation is a pure function of the board file.
    assert_eq!(want, tree::wanted(&root).unwrap());
}

#[test]
fn unknown_board_names_the_valid_ones() {
    let e = find(&repo().join("boards"), "icebraker").unwrap_err();
    assert!(
        e.contains("unknown board `icebraker`") && e.contains("icebreaker, ulx3s")
            || e.contains("icebreaker"),
        "{e}"
    );
    assert!(e.contains("hx8k-breakout") && e.contains("ulx3s"), "{e}");
}

#[test]
fn missing_pin_names_the_file_and_the_field() {
    let (dir, file) = variant("nolos", |t| t.replace("los = \"2\"", ""));
    let e = Board::load(&file).unwrap_err();
    assert!(e.starts_with(&format!("{}: pins.los: missing", file.display())), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unmakeable_clock_names_the_file_and_the_field() {
    // 13.5 MHz in: the nearest SB_PLL40 output to 30 MHz is off by more than the tolerance.
    let (dir, file) = variant("clock", |t| t.replace("osc_hz = 12_000_000", "osc_hz = 13_500_000"));
    let e = Board::load(&file).unwrap_err();
    assert!(
        e.starts_with(&format!(
            "{}: clock.target_hz: the PLL cannot make 30 MHz from 13.5 MHz",
            file.display()
        )),
        "{e}"
    );
    std::fs::remove_dir_all(dir).unwrap();
    let (dir, file) =
        variant("target", |t| t.replace("target_hz = 30_000_000", "target_hz = 48_000_000"));
    let e = Board::load(&file).unwrap_err();
    assert!(e.contains("clock.target_hz: 48000000 Hz is above profile `ice40`'s clock_hz"), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// An iCE40 core clock equal to the oscillator's needs no PLL (and an SB_PLL40 could not make 12
/// MHz: 16 MHz is its least output), so the core runs on the oscillator pin; one MHz more is a PLL
/// clock again, refused with the PLL's reason.
#[test]
fn ice40_core_at_the_oscillators_clock_has_no_pll() {
    let (dir, file) = variant("osc", |t| {
        t.replace("target_hz = 30_000_000\npll = \"SB_PLL40_PAD\"", "target_hz = 12_000_000")
            .replace("\nbaud = 6_000_000", "\nbaud = 2_400_000")
    });
    let b = Board::load(&file).unwrap();
    assert_eq!(b.pll, PllSetting::Oscillator);
    let top = emit::top(&b);
    contains_all(
        &top,
        &[
            "(12 MHz / 5)",
            "// No PLL: clock.target_hz = clock.osc_hz, so the core runs on the 12 MHz oscillator",
            "assign clock = clk_osc;\n    assign locked = 1'b1;\n",
            "speckle_core core (.clock(clock), .reset(reset), .rd(rd),",
        ],
    );
    assert!(!top.contains("SB_PLL40"), "{top}");
    // The pcf's clock and `speckle-boards vars`' CLOCK_MHZ (nextpnr's --freq) are both 12 MHz.
    assert!(emit::pcf(&b).ends_with("\nset_frequency clk_osc 12\n"));
    assert_eq!(b.target_hz, b.osc_hz);
    std::fs::remove_dir_all(dir).unwrap();
    let (dir, file) = variant("osc13", |t| {
        t.replace("target_hz = 30_000_000\npll = \"SB_PLL40_PAD\"", "target_hz = 13_000_000")
            .replace("\nbaud = 6_000_000", "\nbaud = 2_600_000")
    });
    let e = Board::load(&file).unwrap_err();
    assert!(
        e.starts_with(&format!(
            "{}: clock.target_hz: iCE40 PLL output 13 MHz is outside 16–275 MHz",
            file.display()
        )),
        "{e}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn other_mistakes_name_their_field() {
    let cases: [(&str, &str, &str, &str); 5] = [
        ("dup", "sda = \"3\"", "sda = \"4\"", "pins.sda: pin 4 is already used by pins.rd_p"),
        ("dev", "device = \"up5k\"", "device = \"up6k\"", "device: `up6k` is not a nextpnr device"),
        (
            "lvds",
            "rd_mode = \"single\"",
            "rd_mode = \"lvds\"\nrd_n = \"3\"",
            "pins.rd_n: pin 3 is already used by pins.sda",
        ),
        ("typo", "los = \"2\"", "loss = \"2\"", "unknown field `loss`"),
        ("fam", "family = \"ice40\"", "family = \"gowin\"", "family: `gowin` is not supported"),
    ];
    for (tag, from, to, want) in cases {
        let (dir, file) = variant(tag, |t| t.replace(from, to));
        let e = Board::load(&file).unwrap_err();
        assert!(e.contains(want) && e.contains(&file.display().to_string()), "{tag}: {e}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

fn contains_all(text: &str, wants: &[&str]) {
    for want in wants {
        assert!(text.contains(want), "{want} missing in\n{text}");
    }
}

#[test]
fn top_wires_the_pll_front_end_and_core() {
    let b = Board::load(&repo().join("boards/icebreaker.toml")).unwrap();
    contains_all(
        &emit::top(&b),
        &[
            "SB_PLL40_PAD",
            ".DIVF(7'd79)",
            ".DIVQ(3'd5)",
            "speckle_sfp_frontend front_end",
            "speckle_core core",
            ".ext_alarm(tx_disable)",
            ".scl_in(scl_in)",
            ".D_IN_0(scl_in)",
            "led_q <= ~{gate_open, alarm};",
            "assign led = led_q;",
        ],
    );
    let b = Board::load(&repo().join("boards/ulx3s.toml")).unwrap();
    let l = emit::lpf(&b);
    assert!(
        l.contains("LOCATE COMP \"sfp_rd\" SITE \"B11\";\nIOBUF PORT \"sfp_rd\" IO_TYPE=LVCMOS33;"),
        "{l}"
    );
    // 25 -> 24 MHz: CLKOP at 25 MHz (VCO 600 MHz) is the feedback, CLKOS / 25 the core clock.
    contains_all(
        &emit::top(&b),
        &[
            "wire clock, clkop, locked;",
            ".CLKI_DIV(1), .CLKOP_ENABLE(\"ENABLED\"), .CLKOP_DIV(24),",
            ".CLKOS_ENABLE(\"ENABLED\"), .CLKOS_DIV(25),",
            ".CLKFB_DIV(1)",
            ".CLKOP(clkop), .CLKFB(clkop), .CLKOS(clock)",
            "(* FREQUENCY_PIN_CLKOS=\"24\" *)",
            "UART 3000000 baud (24 MHz / 8) to the FT231X",
        ],
    );
    let b = Board::load(&repo().join("boards/ecp5-evn.toml")).unwrap();
    let v = emit::top(&b);
    contains_all(
        &v,
        &[
            "wire clock, locked;",
            "12 MHz -> 96 MHz, VCO 576 MHz",
            ".CLKI_DIV(1), .CLKOP_ENABLE(\"ENABLED\"), .CLKOP_DIV(6),",
            ".CLKFB_DIV(8)",
            ".CLKOP(clock), .CLKFB(clock)",
        ],
    );
    assert!(!v.contains("CLKOS"), "{v}");
    // The template shows the LVDS form: only the P pin is located, with IO_TYPE=LVDS.
    let t = Board::load(&repo().join("boards/custom.toml")).unwrap();
    assert!(t.template && emit::files(&t).is_empty());
    assert!(emit::lpf(&t).contains(
        "LOCATE COMP \"sfp_rd\" SITE \"D1\";\nIOBUF PORT \"sfp_rd\" IO_TYPE=LVDS; # N: E2"
    ));
}

#[cfg(test)]
mod ddr;
#[cfg(test)]
mod lvds;
#[cfg(test)]
mod uart;
