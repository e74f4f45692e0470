//! LVDS RD pairs: accepted where the silicon has a differential receiver on the pair's true pin,
//! refused (naming the file and the field, and the right pin where there is one) everywhere else.
//! The refusals mirror what nextpnr does or silently gets wrong: nextpnr-ice40 places an
//! SB_LVDS_INPUT in bank 0 of an HX8K without a word (no receiver there), refuses the A pad
//! ("Bel 'X0/Y22/io1' ... is not valid"); nextpnr-ecp5 refuses PIO B ("cannot place differential IO
//! at location PIOB") and banks 0/1/8 ("Pseudo-differential IO ... must be output").

use super::*;
use crate::pins::Package;

fn refused(board: &str, tag: &str, from: &str, to: &str, want: &str) {
    let (dir, file) = variant_of(board, tag, |t| t.replace(from, to));
    let e = Board::load(&file).unwrap_err();
    assert!(e.starts_with(&file.display().to_string()) && e.contains(want), "{board} {tag}: {e}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn hx8k_breakout_takes_rd_on_its_bank3_pair() {
    let b = Board::load(&repo().join("boards/hx8k-breakout.toml")).unwrap();
    assert_eq!((b.rd_mode, b.rd_p.as_str(), b.rd_n.as_deref()), (RdMode::Lvds, "F3", Some("G3")));
    let top = emit::top(&b);
    assert!(top.contains("SB_IO #(.PIN_TYPE(6'b0000_01), .IO_STANDARD(\"SB_LVDS_INPUT\")) rd_io (.PACKAGE_PIN(sfp_rd), .D_IN_0(rd));"), "{top}");
    assert!(top.contains("speckle_core core (.clock(clock), .reset(reset), .rd(rd),"), "{top}");
    // Only the true pin is located; the complement pad must stay out of the pcf.
    let pcf = emit::pcf(&b);
    assert!(pcf.contains("set_io -nowarn sfp_rd F3\n"), "{pcf}");
    assert!(!pcf.lines().any(|l| l.starts_with("set_io") && l.ends_with(" G3")), "{pcf}");
}

#[test]
fn ecp5_evn_takes_rd_on_a_right_bank_pair() {
    let b = Board::load(&repo().join("boards/ecp5-evn.toml")).unwrap();
    let lpf = emit::lpf(&b);
    assert!(
        lpf.contains(
            "LOCATE COMP \"sfp_rd\" SITE \"N19\";\nIOBUF PORT \"sfp_rd\" IO_TYPE=LVDS; # N: N20\n"
        ),
        "{lpf}"
    );
    assert!(!lpf.contains("\"N20\""), "{lpf}");
}

#[test]
fn ice40_lvds_outside_bank3_or_on_the_wrong_pad_is_refused() {
    let pair = "rd_p = \"F3\"\nrd_n = \"G3\"";
    refused(
        "hx8k-breakout",
        "bank0",
        pair,
        "rd_p = \"B6\"\nrd_n = \"A5\"",
        "pins.rd_p: `B6` is in bank 0: hx8k has LVDS inputs only in bank 3",
    );
    refused("hx8k-breakout", "swapped", pair, "rd_p = \"G3\"\nrd_n = \"F3\"", "pins.rd_p: `G3` is the complement (RD−) pad of its pair (IO 1 of its tile; the receiver sits on IO 0): put RD+ on `F3`");
    refused(
        "hx8k-breakout",
        "partner",
        pair,
        "rd_p = \"F3\"\nrd_n = \"H3\"",
        "pins.rd_n: `H3` is not the complement of rd_p `F3`: its pair partner is `G3`",
    );
    // H1's partner is the 12 MHz oscillator input J3.
    refused(
        "hx8k-breakout",
        "osc",
        pair,
        "rd_p = \"H1\"\nrd_n = \"J3\"",
        "pins.rd_n: pin J3 is already used by clock.osc_pin",
    );
    refused(
        "hx8k-breakout",
        "nopin",
        "los = \"A6\"",
        "los = \"Z9\"",
        "pins.los: `Z9` is not a pin of the hx8k ct256 package",
    );
    refused(
        "hx8k-breakout",
        "nodb",
        "package = \"ct256\"",
        "package = \"xy99\"",
        "pins.rd_mode: `lvds` needs the package's pin-out",
    );
}

#[test]
fn up5k_lvds_is_accepted_on_a_dp_pair_and_refused_on_its_a_pad() {
    // iCEBreaker PMOD1A pins 1 and 7 (FPGA 4 and 3) share the UP5K's IO tile (9,0), pads 0 and 1;
    // SDA moves off pin 3 to make room for RD-.
    let to_lvds = |rd_p: &'static str, rd_n: &'static str| {
        move |t: String| {
            t.replace("rd_mode = \"single\"", "rd_mode = \"lvds\"")
                .replace("rd_p = \"4\"", &format!("rd_p = \"{rd_p}\"\nrd_n = \"{rd_n}\""))
                .replace("sda = \"3\"", "sda = \"48\"")
        }
    };
    let (dir, file) = variant("up5k-lvds", to_lvds("4", "3"));
    let b = Board::load(&file).unwrap();
    assert!(emit::top(&b).contains("IO_STANDARD(\"SB_LVDS_INPUT\")) rd_io (.PACKAGE_PIN(sfp_rd)"));
    std::fs::remove_dir_all(dir).unwrap();
    let (dir, file) = variant("up5k-swapped", to_lvds("3", "4"));
    let e = Board::load(&file).unwrap_err();
    assert!(e.contains("pins.rd_p: `3` is the complement (RD−) pad of its pair (IO 1 of its tile; the receiver sits on IO 0): put RD+ on `4`"), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn ecp5_lvds_outside_the_side_banks_or_on_the_complement_is_refused() {
    // The ULX3S pair that nextpnr-ecp5 refused: bank 0.
    let single = "rd_mode = \"single\"\nrd_p = \"B11\"";
    refused("ulx3s", "bank0", single, "rd_mode = \"lvds\"\nrd_p = \"B11\"\nrd_n = \"C11\"", "pins.rd_p: `B11` is in bank 0: true LVDS inputs are only in the left/right banks 2, 3, 6, 7");
    let pair = "rd_p = \"N19\"       # RASP pin 11 (RASP_IO17)\nrd_n = \"N20\"";
    refused(
        "ecp5-evn",
        "swapped",
        pair,
        "rd_p = \"N20\"\nrd_n = \"N19\"",
        "pins.rd_p: `N20` is the complement (RD−) side of its pair: put RD+ on `N19`",
    );
    // The C/D pair of the same PIC is a true input pair too.
    let pkg = Package::find(Family::Ecp5, "um5g-85k", "CABGA381").unwrap();
    assert_eq!(pkg.lvds_partner("um5g-85k", "P19"), Ok("P18".to_string()));
    assert!(pkg.lvds_partner("um5g-85k", "P18").unwrap_err().contains("put RD+ on `P19`"));
}

#[test]
fn the_ice40_ultra_is_refused_for_lvds() {
    let pkg = Package::find(Family::Ice40, "u4k", "sg48").unwrap();
    assert!(pkg.lvds_partner("u4k", "4").unwrap_err().contains("not verified"));
}
