//! Boards: one TOML file per board in boards/ is the single source of truth for the FPGA, the
//! clock (oscillator → PLL → core clock), the SFP front-end pins, the UART and the LEDs. From it
//! `speckle-boards` writes the constraints (constraints/<board>.pcf or .lpf) and the board top
//! (boards/top/<board>_top.v: PLL, reset, I/O primitives, `speckle_sfp_frontend`, `speckle_core`).
//! Every problem is reported naming the file and the field, because a wrong pin found by
//! nextpnr twenty minutes later names neither.

pub mod emit;
pub mod lint;
pub mod pins;
pub mod pll;
pub mod tree;
pub mod uart;

use serde::Deserialize;
use speckle_model::params::CoreParams;
use std::path::{Path, PathBuf};

/// How the SFP's RD± pair reaches the FPGA.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RdMode {
    /// The FPGA's own LVDS input buffer on `rd_p`, the pair's true pin (iCE40 SB_IO
    /// `SB_LVDS_INPUT`: LP/HX bank 3 or any UltraPlus pair; ECP5 `IO_TYPE=LVDS`: banks 2, 3, 6, 7).
    /// The N pin is implied by the pair; `rd_n` names it and is checked against the pin database.
    Lvds,
    /// One single-ended input: RD+ through an external comparator / AC-coupled bias network.
    Single,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    pub osc_hz: Option<u64>,
    pub osc_pin: Option<String>,
    pub target_hz: Option<u64>,
    /// iCE40 only: "SB_PLL40_PAD" when the oscillator pin is the PLL's own pad, else "SB_PLL40_CORE".
    pub pll: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pins {
    pub rd_mode: Option<RdMode>,
    pub rd_p: Option<String>,
    /// Documentation only for `lvds` (the tools take the pair from rd_p); absent for `single`.
    pub rd_n: Option<String>,
    pub los: Option<String>,
    pub tx_disable: Option<String>,
    pub scl: Option<String>,
    pub sda: Option<String>,
    pub uart_tx: Option<String>,
    pub uart_rx: Option<String>,
    /// alarm, gate_open, startup_done, activity (as many as the board has, at most 4).
    pub leds: Option<Vec<String>>,
    pub leds_active_low: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardFile {
    pub description: Option<String>,
    /// A template documents the format; it is validated but nothing is generated from it.
    #[serde(default)]
    pub template: bool,
    pub family: Option<String>,
    pub device: Option<String>,
    pub package: Option<String>,
    pub profile: Option<String>,
    /// ECP5: IO_TYPE of the single-ended pins (default LVCMOS33).
    pub io_type: Option<String>,
    /// Send SFP_DIAG frames (default true). false keeps the interlock, LOS and TX_DISABLE but
    /// drops the 416-bit diagnostics bus, for parts too small for it (docs/fpga-results.md).
    pub sfp_diag: Option<bool>,
    pub clock: Option<Clock>,
    pub pins: Option<Pins>,
    pub uart: Option<uart::UartFile>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Ice40,
    Ecp5,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PllSetting {
    Ice40 {
        primitive: String,
        pll: pll::Ice40Pll,
    },
    Ecp5(pll::Ecp5Pll),
    /// CLKOP (fed back) at the oscillator's frequency, the core clock from CLKOS.
    Ecp5Clkos(pll::Ecp5Clkos),
    /// No PLL: the core clock is the oscillator pin itself. iCE40 with clock.target_hz =
    /// clock.osc_hz, the only way to a core clock below the 16 MHz an SB_PLL40 puts out at least
    /// (12 MHz for ice40-ddr). ECP5 keeps its EHXPLLL at any ratio: it makes 12 MHz from 12 MHz,
    /// with a 50 % duty cycle the oscillator does not promise.
    Oscillator,
}

/// A validated board.
#[derive(Clone, Debug)]
pub struct Board {
    pub name: String,
    pub description: String,
    pub template: bool,
    pub family: Family,
    pub device: String,
    pub package: String,
    pub profile: String,
    /// The profile samples RD on both clock edges (`CoreParams::ddr`): the top captures RD with the
    /// pin's DDR input register and the core takes the pair as `rd_pair`.
    pub ddr: bool,
    pub io_type: String,
    pub sfp_diag: bool,
    pub osc_hz: u64,
    pub osc_pin: String,
    pub target_hz: u64,
    pub pll: PllSetting,
    pub uart: uart::Uart,
    pub rd_mode: RdMode,
    pub rd_p: String,
    pub rd_n: Option<String>,
    pub los: String,
    pub tx_disable: String,
    pub scl: String,
    pub sda: String,
    pub uart_tx: String,
    pub uart_rx: String,
    pub leds: Vec<String>,
    pub leds_active_low: bool,
}

/// The PLL must hit the core clock within this: the UART divisor and the I2C timing are computed
/// from the nominal clock, and 8N1 at the far end tolerates ~2 % in total.
pub const PLL_TOLERANCE: f64 = 0.001;

const ICE40_DEVICES: &[&str] = &["lp1k", "lp8k", "hx1k", "hx4k", "hx8k", "up3k", "up5k", "u4k"];
const ECP5_DEVICES: &[&str] =
    &["12k", "25k", "45k", "85k", "um-25k", "um-45k", "um-85k", "um5g-25k", "um5g-45k", "um5g-85k"];

/// `file: field: problem`.
pub(crate) fn err(file: &Path, field: &str, what: impl std::fmt::Display) -> String {
    format!("{}: {field}: {what}", file.display())
}

pub(crate) fn need<T: Clone>(file: &Path, field: &str, v: &Option<T>) -> Result<T, String> {
    v.clone().ok_or_else(|| err(file, field, "missing"))
}

fn pin(file: &Path, field: &str, v: &Option<String>) -> Result<String, String> {
    let p = need(file, field, v)?;
    if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(err(
            file,
            field,
            format!("`{p}` is not a package pin name (letters and digits)"),
        ));
    }
    Ok(p)
}

impl Board {
    /// Reads and validates `file`; the board's name is the file stem.
    pub fn load(file: &Path) -> Result<Board, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let raw: BoardFile =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        Board::validate(file, name, &raw)
    }

    fn validate(file: &Path, name: String, raw: &BoardFile) -> Result<Board, String> {
        let family = match need(file, "family", &raw.family)?.as_str() {
            "ice40" => Family::Ice40,
            "ecp5" => Family::Ecp5,
            other => {
                return Err(err(
                    file,
                    "family",
                    format!("`{other}` is not supported: valid are ice40, ecp5"),
                ))
            }
        };
        let device = need(file, "device", &raw.device)?;
        let devices = if family == Family::Ice40 { ICE40_DEVICES } else { ECP5_DEVICES };
        if !devices.contains(&device.as_str()) {
            return Err(err(
                file,
                "device",
                format!(
                    "`{device}` is not a nextpnr device of this family: valid are {}",
                    devices.join(", ")
                ),
            ));
        }
        let package = need(file, "package", &raw.package)?;
        let profile = need(file, "profile", &raw.profile)?;
        let params = CoreParams::profile(&profile).map_err(|e| err(file, "profile", e))?;
        let clock =
            raw.clock.clone().ok_or_else(|| err(file, "clock", "missing section [clock]"))?;
        let osc_hz = need(file, "clock.osc_hz", &clock.osc_hz)?;
        let osc_pin = pin(file, "clock.osc_pin", &clock.osc_pin)?;
        let target_hz = need(file, "clock.target_hz", &clock.target_hz)?;
        let uart = uart::validate(file, raw.uart.as_ref(), &profile, &params, target_hz)?;
        let (fin, fout) = (osc_hz as f64 / 1e6, target_hz as f64 / 1e6);
        let pll = match family {
            Family::Ice40 if target_hz == osc_hz => {
                if clock.pll.is_some() {
                    return Err(err(
                        file,
                        "clock.pll",
                        "set, but clock.target_hz = clock.osc_hz: the core runs straight from the oscillator, with no PLL",
                    ));
                }
                PllSetting::Oscillator
            }
            Family::Ice40 => {
                let primitive = clock.pll.clone().unwrap_or_else(|| "SB_PLL40_CORE".into());
                if primitive != "SB_PLL40_PAD" && primitive != "SB_PLL40_CORE" {
                    return Err(err(
                        file,
                        "clock.pll",
                        format!("`{primitive}`: valid are SB_PLL40_PAD, SB_PLL40_CORE"),
                    ));
                }
                let p = pll::ice40(fin, fout).map_err(|e| err(file, "clock.target_hz", e))?;
                check_pll(file, fin, fout, p.fout_mhz)?;
                PllSetting::Ice40 { primitive, pll: p }
            }
            Family::Ecp5 => {
                if clock.pll.is_some() {
                    return Err(err(
                        file,
                        "clock.pll",
                        "only iCE40 boards choose a PLL primitive (ECP5 uses EHXPLLL)",
                    ));
                }
                let p = pll::ecp5(fin, fout).map_err(|e| err(file, "clock.target_hz", e))?;
                match pll::ecp5_clkos(fin, fin, fout) {
                    // CLKOP cannot make it, CLKOS can (e.g. 25 -> 24 MHz).
                    Ok(s)
                        if off(fout, p.fout_mhz) > PLL_TOLERANCE
                            && off(fout, s.fout_mhz) <= PLL_TOLERANCE =>
                    {
                        PllSetting::Ecp5Clkos(s)
                    }
                    _ => {
                        check_pll(file, fin, fout, p.fout_mhz)?;
                        PllSetting::Ecp5(p)
                    }
                }
            }
        };
        let pins = raw.pins.clone().ok_or_else(|| err(file, "pins", "missing section [pins]"))?;
        let rd_mode = need(file, "pins.rd_mode", &pins.rd_mode)?;
        let rd_n = match (rd_mode, &pins.rd_n) {
            (RdMode::Lvds, _) => Some(pin(file, "pins.rd_n", &pins.rd_n)?),
            (RdMode::Single, None) => None,
            (RdMode::Single, Some(_)) => {
                return Err(err(
                    file,
                    "pins.rd_n",
                    "set, but rd_mode is `single` (one input: RD+ via a comparator)",
                ))
            }
        };
        let leds = pins.leds.clone().unwrap_or_default();
        if leds.len() > 4 {
            return Err(err(
                file,
                "pins.leds",
                format!(
                    "{} LEDs: at most 4 (alarm, gate_open, startup_done, activity)",
                    leds.len()
                ),
            ));
        }
        for (i, l) in leds.iter().enumerate() {
            pin(file, &format!("pins.leds[{i}]"), &Some(l.clone()))?;
        }
        let b = Board {
            name,
            description: raw.description.clone().unwrap_or_default(),
            template: raw.template,
            family,
            device,
            package,
            profile,
            ddr: params.ddr,
            io_type: raw.io_type.clone().unwrap_or_else(|| "LVCMOS33".into()),
            sfp_diag: raw.sfp_diag.unwrap_or(true),
            osc_hz,
            osc_pin,
            target_hz,
            pll,
            uart,
            rd_mode,
            rd_p: pin(file, "pins.rd_p", &pins.rd_p)?,
            rd_n,
            los: pin(file, "pins.los", &pins.los)?,
            tx_disable: pin(file, "pins.tx_disable", &pins.tx_disable)?,
            scl: pin(file, "pins.scl", &pins.scl)?,
            sda: pin(file, "pins.sda", &pins.sda)?,
            uart_tx: pin(file, "pins.uart_tx", &pins.uart_tx)?,
            uart_rx: pin(file, "pins.uart_rx", &pins.uart_rx)?,
            leds,
            leds_active_low: pins.leds_active_low.unwrap_or(false),
        };
        b.check_pins(file)?;
        let mut used: Vec<(&str, &str)> = vec![
            ("clock.osc_pin", &b.osc_pin),
            ("pins.rd_p", &b.rd_p),
            ("pins.los", &b.los),
            ("pins.tx_disable", &b.tx_disable),
            ("pins.scl", &b.scl),
            ("pins.sda", &b.sda),
            ("pins.uart_tx", &b.uart_tx),
            ("pins.uart_rx", &b.uart_rx),
        ];
        if let Some(n) = &b.rd_n {
            used.push(("pins.rd_n", n));
        }
        used.extend(b.leds.iter().map(|l| ("pins.leds", l.as_str())));
        for (i, (f, p)) in used.iter().enumerate() {
            if let Some((g, _)) = used[..i].iter().find(|(_, q)| q.eq_ignore_ascii_case(p)) {
                return Err(err(file, f, format!("pin {p} is already used by {g}")));
            }
        }
        Ok(b)
    }
}

impl Board {
    /// Every pin against the package's pin-out (when the pin database has the package), and an LVDS
    /// RD pair against the silicon: true pin, its partner as `rd_n`, a bank with receivers.
    fn check_pins(&self, file: &Path) -> Result<(), String> {
        let package = pins::Package::find(self.family, &self.device, &self.package);
        if let Some(pkg) = &package {
            let mut all = vec![
                ("clock.osc_pin".to_string(), &self.osc_pin),
                ("pins.rd_p".into(), &self.rd_p),
                ("pins.los".into(), &self.los),
            ];
            all.extend([
                ("pins.tx_disable".into(), &self.tx_disable),
                ("pins.scl".into(), &self.scl),
                ("pins.sda".into(), &self.sda),
            ]);
            all.extend([
                ("pins.uart_tx".into(), &self.uart_tx),
                ("pins.uart_rx".into(), &self.uart_rx),
            ]);
            all.extend(self.leds.iter().enumerate().map(|(i, l)| (format!("pins.leds[{i}]"), l)));
            for (field, p) in all {
                pkg.check(p).map_err(|e| err(file, &field, e))?;
            }
        }
        if self.rd_mode == RdMode::Lvds {
            let pkg = package.ok_or_else(|| {
                err(file, "pins.rd_mode", format!("`lvds` needs the package's pin-out to check the pair, and {} {} is not in the pin database (board-gen/data/)", self.device, self.package))
            })?;
            let n = pkg
                .lvds_partner(&self.device, &self.rd_p)
                .map_err(|e| err(file, "pins.rd_p", e))?;
            let given = self.rd_n.as_deref().unwrap_or_default();
            if !given.eq_ignore_ascii_case(&n) {
                return Err(err(
                    file,
                    "pins.rd_n",
                    format!(
                        "`{given}` is not the complement of rd_p `{}`: its pair partner is `{n}`",
                        self.rd_p
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Relative error of `got` against `want`.
fn off(want: f64, got: f64) -> f64 {
    (got - want).abs() / want
}

fn check_pll(file: &Path, fin: f64, fout: f64, got: f64) -> Result<(), String> {
    let off = off(fout, got);
    if off > PLL_TOLERANCE {
        return Err(err(
            file,
            "clock.target_hz",
            format!("the PLL cannot make {fout} MHz from {fin} MHz: nearest {got:.3} MHz is {:.2} % off (tolerance {} %)", off * 100.0, PLL_TOLERANCE * 100.0),
        ));
    }
    Ok(())
}

/// Every boards/*.toml, sorted by name.
pub fn board_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    Ok(v)
}

/// The board called `name` in `dir`, or an error listing the valid names.
pub fn find(dir: &Path, name: &str) -> Result<Board, String> {
    let files = board_files(dir)?;
    match files.iter().find(|f| f.file_stem().is_some_and(|s| s == name)) {
        Some(f) => Board::load(f),
        None => {
            let names: Vec<String> =
                files.iter().filter_map(|f| f.file_stem()?.to_str().map(String::from)).collect();
            Err(format!(
                "unknown board `{name}`: valid boards are {} (files in {})",
                names.join(", "),
                dir.display()
            ))
        }
    }
}

#[cfg(test)]
mod tests;
