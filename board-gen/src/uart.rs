//! The board's UART link and the clock that sets its rate. The core's UART divisor (clocks per bit)
//! is fixed when rtl/<profile>/ is generated: the profile's clock_hz / baud. A board therefore
//! picks its line rate by picking its core clock, baud = target_hz / divisor, and the rate must be
//! one its USB-UART bridge carries. The clock may be lower than the profile's (the core then
//! simply runs slower, at a lower rate with a proportionally smaller sample supply) but never
//! higher: clock_hz is what the core is generated and timed for.

use crate::{err, need};
use serde::Deserialize;
use speckle_model::params::CoreParams;
use std::path::Path;

/// `[uart]` as written in the board file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UartFile {
    /// The USB-UART chip (and channel) the FPGA's UART pins reach, e.g. "FT2232H channel B".
    pub bridge: Option<String>,
    /// The fastest rate that chip carries reliably, from its data sheet.
    pub bridge_max_baud: Option<u64>,
    /// The rate this board runs: target_hz / the profile's UART divisor, exactly.
    pub baud: Option<u64>,
}

/// A validated UART link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uart {
    pub bridge: String,
    pub bridge_max_baud: u64,
    pub baud: u64,
    /// Core clocks per bit (the profile's).
    pub divisor: u64,
}

/// Checks `[uart]` against the bridge and the core clock `target_hz` against the profile.
pub fn validate(
    file: &Path,
    raw: Option<&UartFile>,
    profile: &str,
    params: &CoreParams,
    target_hz: u64,
) -> Result<Uart, String> {
    let raw = raw.ok_or_else(|| err(file, "uart", "missing section [uart]"))?;
    let bridge = need(file, "uart.bridge", &raw.bridge)?;
    if bridge.trim().is_empty() {
        return Err(err(file, "uart.bridge", "empty: name the USB-UART chip, e.g. \"FT231X\""));
    }
    let max = need(file, "uart.bridge_max_baud", &raw.bridge_max_baud)?;
    let baud = need(file, "uart.baud", &raw.baud)?;
    for (field, v) in [("uart.bridge_max_baud", max), ("uart.baud", baud)] {
        if v == 0 {
            return Err(err(file, field, "0: give a rate in baud"));
        }
    }
    if baud > max {
        return Err(err(
            file,
            "uart.baud",
            format!("{baud} baud is more than the {bridge} carries reliably ({max} baud, uart.bridge_max_baud)"),
        ));
    }
    if target_hz > params.clock_hz {
        return Err(err(
            file,
            "clock.target_hz",
            format!(
                "{target_hz} Hz is above profile `{profile}`'s clock_hz {} Hz, the clock rtl/{profile}/ is generated and timed for",
                params.clock_hz
            ),
        ));
    }
    let divisor = params.baud_divisor() as u64;
    let want_hz = baud * divisor;
    if want_hz != target_hz {
        let reach = if want_hz > params.clock_hz {
            format!(
                ", above profile `{profile}`'s clock_hz {} Hz: choose a lower baud",
                params.clock_hz
            )
        } else {
            String::new()
        };
        return Err(err(
            file,
            "uart.baud",
            format!(
                "{baud} baud needs clock.target_hz = {want_hz} (profile `{profile}`'s UART divisor is {divisor} clocks per bit){reach}; clock.target_hz = {target_hz} gives {} baud",
                target_hz as f64 / divisor as f64
            ),
        ));
    }
    Ok(Uart { bridge, bridge_max_baud: max, baud, divisor })
}
