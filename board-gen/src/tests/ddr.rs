//! DDR capture of RD. A board whose profile samples on both clock edges (`CoreParams::ddr`) gets
//! the pin's DDR input register in its top, feeding the core's `rd_pair`: SB_IO PIN_TYPE 0000_00
//! on iCE40, IDDRX1F on ECP5. Every other board keeps `.rd(rd)` byte for byte
//! (`regenerating_changes_nothing`). No shipped board samples on both edges, so the boards here are
//! fixtures (src/tests/fixtures/): HX8K breakout and iCEBreaker with `ice40-ddr`, ECP5-EVN with
//! `ecp5-ddr`, all at 12 MHz; yosys checks the emitted tops.

use super::*;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    repo().join(format!("board-gen/src/tests/fixtures/{name}.toml"))
}

/// The fixture `name` with `edit` applied, loaded from a copy with the same file name.
fn load_edited(name: &str, tag: &str, edit: impl Fn(String) -> String) -> Result<Board, String> {
    let dir = std::env::temp_dir().join(format!("speckle-ddr-{name}-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "{tag}: the edit changed nothing in {name}.toml");
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, edited).unwrap();
    let b = Board::load(&file);
    std::fs::remove_dir_all(dir).unwrap();
    b
}

/// `rd_mode = "lvds"` with its `rd_n` line → `rd_mode = "single"` on the same `rd_p`.
fn to_single(t: String) -> String {
    let t = t.replace("rd_mode = \"lvds\"", "rd_mode = \"single\"");
    t.lines().filter(|l| !l.starts_with("rd_n = ")).map(|l| format!("{l}\n")).collect()
}

/// Both families in both RD modes: (board, SB_IO/IDDRX1F line the top must hold). The iCE40
/// single-ended board is the iCEBreaker fixture (RD on PMOD1A as on the iCEBreaker).
fn ddr_boards() -> Vec<(Board, &'static str)> {
    let ice40 = Board::load(&fixture("hx8k-ddr")).unwrap();
    let ice40_single = Board::load(&fixture("icebreaker-ddr")).unwrap();
    let ecp5 = Board::load(&fixture("ecp5-evn-ddr")).unwrap();
    let ecp5_single = load_edited("ecp5-evn-ddr", "single", to_single).unwrap();
    let iddr =
        "IDDRX1F rd_iddr (.D(sfp_rd), .SCLK(clock), .RST(1'b0), .Q0(rd_pair[0]), .Q1(rd_pair[1]));";
    vec![
        (ice40, "SB_IO #(.PIN_TYPE(6'b0000_00), .IO_STANDARD(\"SB_LVDS_INPUT\")) rd_io (.PACKAGE_PIN(sfp_rd), .INPUT_CLK(clock), .D_IN_0(rd_pair[0]), .D_IN_1(rd_pair[1]));"),
        (ice40_single, "SB_IO #(.PIN_TYPE(6'b0000_00)) rd_io (.PACKAGE_PIN(sfp_rd), .INPUT_CLK(clock), .D_IN_0(rd_pair[0]), .D_IN_1(rd_pair[1]));"),
        (ecp5, iddr),
        (ecp5_single, iddr),
    ]
}

#[test]
fn ddr_tops_take_rd_through_the_pins_ddr_register() {
    let boards = ddr_boards();
    let modes: Vec<(Family, RdMode)> = boards.iter().map(|(b, _)| (b.family, b.rd_mode)).collect();
    assert_eq!(
        modes,
        [
            (Family::Ice40, RdMode::Lvds),
            (Family::Ice40, RdMode::Single),
            (Family::Ecp5, RdMode::Lvds),
            (Family::Ecp5, RdMode::Single)
        ]
    );
    for (b, primitive) in &boards {
        assert!(b.ddr);
        let top = emit::top(b);
        let source = match (b.family, b.rd_mode) {
            (Family::Ice40, RdMode::Lvds) => {
                "// RD+/RD- on the LVDS pair F3/G3, taken on both edges"
            }
            (Family::Ecp5, RdMode::Lvds) => {
                "// RD+/RD- on the LVDS pair N19/N20 (IO_TYPE=LVDS in the lpf), taken on both edges"
            }
            (_, RdMode::Single) => {
                "// RD+ from the breakout's comparator (rd_mode = \"single\"), taken on both edges"
            }
        };
        let settle = match b.family {
            Family::Ice40 => "D_IN_1 (falling edge) only half a clock.",
            Family::Ecp5 => "IDDRX1F hands both lanes over on the rising edge",
        };
        contains_all(
            &top,
            &[
                source,
                "// rd_pair[0] at the rising edge, rd_pair[1] at the falling edge half a clock later.",
                "The DDR input\n    // register is the first stage of RD's synchroniser, since only the IO cell samples the pin",
                "the core's sampler adds two fabric flip-flops per lane behind it.\n",
                settle,
                &format!("    wire [1:0] rd_pair;\n    {primitive}\n"),
                "speckle_core core (.clock(clock), .reset(reset), .rd_pair(rd_pair), .los(sfp_los),",
            ],
        );
        assert_eq!(top.matches("rd_pair[0]").count(), 2, "{top}");
        assert!(!top.contains(".rd(") && !top.contains("wire rd "), "{top}");
        // The constraints do not change with DDR: an LVDS pair stays differential at the pad, in
        // front of the register.
        let c = match b.family {
            Family::Ice40 => emit::pcf(b),
            Family::Ecp5 => emit::lpf(b),
        };
        assert_eq!(c, emit::files(&Board { ddr: false, ..b.clone() })[0].1);
        let lvds = match b.family {
            Family::Ice40 => {
                "# sfp_rd: SB_LVDS_INPUT, RD+ on F3, RD- on G3\nset_io -nowarn sfp_rd F3\n"
            }
            Family::Ecp5 => "IOBUF PORT \"sfp_rd\" IO_TYPE=LVDS; # N: N20\n",
        };
        assert_eq!(c.contains(lvds), b.rd_mode == RdMode::Lvds, "{c}");
    }
}

#[test]
fn the_profile_decides_ddr() {
    let b = Board::load(&fixture("ecp5-evn-ddr")).unwrap();
    assert!(b.ddr && b.profile == "ecp5-ddr");
    assert!(emit::top(&b)
        .contains("// Core: rtl/ecp5-ddr/speckle_core.v, UART 3000000 baud (12 MHz / 4)"));
    // The same board with the single-edge ecp5 core: `.rd(rd)` and no DDR register.
    let b = load_edited("ecp5-evn-ddr", "ecp5", |t| {
        t.replace("profile = \"ecp5-ddr\"", "profile = \"ecp5\"")
            .replace("target_hz = 12_000_000", "target_hz = 96_000_000")
            .replace("\nbaud = 3_000_000", "\nbaud = 12_000_000")
    })
    .unwrap();
    let top = emit::top(&b);
    assert!(!b.ddr && top.contains(".rd(rd),") && top.contains("    wire rd = sfp_rd;\n"), "{top}");
    assert!(!top.contains("IDDRX1F") && !top.contains("rd_pair"), "{top}");
    // And the iCEBreaker fixture with the ice40 core at 30 MHz through the PLL pad is the
    // shipped iCEBreaker: the profile and the clock are all that the fixture changes.
    let b = load_edited("icebreaker-ddr", "ice40", |t| {
        t.replace("profile = \"ice40-ddr\"", "profile = \"ice40\"")
            .replace("target_hz = 12_000_000", "target_hz = 30_000_000\npll = \"SB_PLL40_PAD\"")
            .replace("\nbaud = 3_000_000", "\nbaud = 6_000_000")
    })
    .unwrap();
    let shipped = Board::load(&repo().join("boards/icebreaker.toml")).unwrap();
    let b = Board { name: shipped.name.clone(), description: shipped.description.clone(), ..b };
    assert!(!b.ddr);
    assert_eq!(emit::files(&b), emit::files(&shipped));
}

/// ice40-ddr runs at 12 MHz, below the 16 MHz an SB_PLL40 puts out at least, and both iCE40
/// fixtures have a 12 MHz oscillator: their tops clock the core (and the DDR register) straight
/// from the oscillator pin, and the timing constraint stays the core clock.
#[test]
fn ice40_ddr_boards_run_from_the_oscillator() {
    for name in ["hx8k-ddr", "icebreaker-ddr"] {
        let b = Board::load(&fixture(name)).unwrap();
        assert!(b.ddr && b.profile == "ice40-ddr" && b.pll == PllSetting::Oscillator, "{name}");
        let top = emit::top(&b);
        contains_all(
            &top,
            &[
                "// Core: rtl/ice40-ddr/speckle_core.v, UART 3000000 baud (12 MHz / 4)",
                "    wire clock, locked;\n    // No PLL: clock.target_hz = clock.osc_hz, so the core runs on the 12 MHz oscillator itself.\n    \
                 assign clock = clk_osc;\n    assign locked = 1'b1;\n    // Reset held for the first 15 clocks after configuration.\n    reg [3:0] reset_count",
                ".INPUT_CLK(clock)",
            ],
        );
        assert!(!top.contains("SB_PLL40") && !top.contains("PLL is unlocked"), "{top}");
        assert!(emit::pcf(&b).ends_with("\nset_frequency clk_osc 12\n"), "{}", emit::pcf(&b));
    }
    // A PLL primitive named for such a board is a mistake, not ignored.
    let e = load_edited("icebreaker-ddr", "pll", |t| {
        t.replace("target_hz = 12_000_000", "target_hz = 12_000_000\npll = \"SB_PLL40_PAD\"")
    })
    .unwrap_err();
    assert!(
        e.contains("icebreaker-ddr.toml: clock.pll: set, but clock.target_hz = clock.osc_hz"),
        "{e}"
    );
}

/// A stand-in with the DDR core's ports: its sampler's two flip-flops per lane, and every input
/// reaching an output so that synthesis keeps it all.
const STAND_IN_CORE: &str = "`default_nettype none
module speckle_core(clock, reset, rd_pair, los, ext_alarm, sfp_diag, sfp_diag_en, uart_rx, uart_tx,
                    alarm, gate_open, startup_done, activity);
    input wire clock, reset;
    input wire [1:0] rd_pair;
    input wire los, ext_alarm;
    input wire [415:0] sfp_diag;
    input wire sfp_diag_en, uart_rx;
    output wire uart_tx, alarm, gate_open, startup_done, activity;
    reg [1:0] meta, sync;
    always @(posedge clock) begin
        meta <= rd_pair;
        sync <= meta;
    end
    assign uart_tx = ^{sync, reset, los, ext_alarm, sfp_diag, sfp_diag_en, uart_rx};
    assign {alarm, gate_open, startup_done, activity} = {sync, sync};
endmodule
";

/// Runs yosys in the repository root. A missing yosys fails: it is what proves that the emitted
/// primitive is one the toolchain maps and keeps.
fn yosys(what: &str, script: &str) {
    let out = Command::new("yosys")
        .current_dir(repo())
        .args(["-q", "-p", script])
        .output()
        .unwrap_or_else(|e| {
            panic!("{what}: cannot run yosys ({e}); Debian: apt install yosys (`make deps`)")
        });
    assert!(
        out.status.success(),
        "{what}: yosys failed on\n{script}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Both families' DDR tops through `synth_<family>`: against the profile's core (rtl/ice40-ddr,
/// rtl/ecp5-ddr) as a black box (its port list must take `.rd_pair`) and against the stand-in
/// core, where the netlist must show the one DDR cell with rising-edge output → `rd_pair[0]` and
/// falling-edge output → `rd_pair[1]`, each into its own first flip-flop, clocked by the core
/// clock (iCE40: the oscillator pin, no SB_PLL40; ECP5: the EHXPLLL's CLKOP) and fed by the
/// `sfp_rd` pad.
#[test]
fn ddr_tops_synthesise_with_the_ddr_register_in_place() {
    let dir = std::env::temp_dir().join(format!("speckle-ddr-synth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let stand_in = dir.join("speckle_core_stand_in.v");
    std::fs::write(&stand_in, STAND_IN_CORE).unwrap();
    for (b, _) in ddr_boards() {
        let core = format!("rtl/{}/speckle_core.v", b.profile);
        let front_end = format!("rtl/{}/blocks/speckle_sfp_frontend.v", b.profile);
        let top = dir.join(format!("{}_top.v", b.name));
        std::fs::write(&top, emit::top(&b)).unwrap();
        let module = crate::lint::board_top_module(&b);
        let lvds = b.rd_mode == RdMode::Lvds;
        let (fam, cell, q0, q1, ff, d, clk, pll, pad, plls) = match b.family {
            Family::Ice40 => (
                "ice40",
                if lvds {
                    "t:SB_IO r:PIN_TYPE=6'b000000 %i r:IO_STANDARD=SB_LVDS_INPUT %i"
                } else {
                    "t:SB_IO r:PIN_TYPE=6'b000000 %i"
                },
                "D_IN_0",
                "D_IN_1",
                "t:SB_DFF*",
                "D",
                "INPUT_CLK",
                "w:clk_osc",
                "PACKAGE_PIN",
                "select -assert-none t:SB_PLL40_*",
            ),
            Family::Ecp5 => {
                assert!(matches!(b.pll, PllSetting::Ecp5(_)), "{:?}", b.pll);
                (
                    "ecp5",
                    "t:IDDRX1F",
                    "Q0",
                    "Q1",
                    "t:TRELLIS_FF",
                    "DI",
                    "SCLK",
                    "t:EHXPLLL %co:+[CLKOP]",
                    "D",
                    "select -assert-count 1 t:EHXPLLL",
                )
            }
        };
        let top = top.display();
        let what = format!("{} ({fam})", b.name);
        yosys(
            &format!("{what} with {core} as a black box"),
            &format!(
                "read_verilog -lib {core} {front_end}; read_verilog {top}; synth_{fam} -top {module}; \
                 check -assert; {plls}; select -set ddr {cell}; select -assert-count 1 @ddr; \
                 select -assert-count 1 @ddr %co:+[{q0},{q1}] %co:+[rd_pair] t:speckle_core %i"
            ),
        );
        yosys(
            &format!("{what} with the stand-in core"),
            &format!(
                "read_verilog {top} {} {front_end}; synth_{fam} -top {module}; check -assert; \
                 splitnets; select -set ddr {cell}; select -assert-count 1 @ddr; \
                 select -assert-count 1 @ddr %co:+[{q0}] w:*rd_pair?0] %i; \
                 select -assert-count 1 @ddr %co:+[{q1}] w:*rd_pair?1] %i; \
                 select -assert-count 1 @ddr %co:+[{q0}] %co:+[{d}] {ff} %i; \
                 select -assert-count 1 @ddr %co:+[{q1}] %co:+[{d}] {ff} %i; \
                 select -assert-count 2 @ddr %co:+[{q0},{q1}] %co:+[{d}] {ff} %i; \
                 select -assert-count 1 @ddr %ci:+[{clk}] {pll} %i w:* %i; \
                 select -assert-count 1 @ddr %ci:+[{pad}] w:sfp_rd %i",
                stand_in.display()
            ),
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}
