//! Drive the generated Verilog of rtl/ from Rust, through Verilator.
//!
//! `build.rs` verilates every `rtl/<profile>/speckle_core.v`, `rtl/<profile>/blocks/*.v` and
//! `rtl-sim/fixtures/*.v` (profile `fixture`) at build time; a model is picked at run time by
//! profile and module name (the file stem, e.g. `speckle_sampler`). Rebuilding after `make rtl`
//! re-verilates only the files whose content changed.
//!
//! # API
//!
//! ```no_run
//! use rtl_sim::Model;
//! let mut m = Model::new("ice40", "speckle_sampler")?;   // Err names the valid modules
//! let clock = m.port("clock")?;                            // Err names the valid ports
//! let (reset, rd, sample) = (m.port("reset")?, m.port("rd")?, m.port("sample")?);
//! m.set(reset, 1);
//! m.tick(clock);                                           // clock 0, eval, clock 1, eval
//! m.set(reset, 0);
//! m.set(rd, 1);
//! for _ in 0..8 { m.tick(clock); }
//! let bit: u64 = m.get(sample);
//! # let wide = sample;
//! m.set_wide(wide, &[1, 2, 3]);                            // ports > 64 bits: u32 words, LSW first
//! let words: Vec<u32> = m.get_wide(wide);
//! # Ok::<(), rtl_sim::Error>(())
//! ```
//!
//! - [`available()`] is false when Verilator was missing at build time; [`unavailable_reason()`]
//!   says why and how to fix it. [`modules()`] lists what was built.
//! - `set` panics on an output port or a value wider than the port (a test bug, not a runtime
//!   condition); `get` panics on a port wider than 64 bits (use `get_wide`).
//! - Time advances by one unit per `eval`, so a `tick` is two units.
//! - [`Model`] is `Send`: a simulated board may run it in its own thread. Any number of models,
//!   of the same or different modules, coexist (each has its own `VerilatedContext`).
//!
//! # Waveforms
//!
//! With the environment variable `SPECKLE_VCD=<dir>` set, every model writes a VCD of all its
//! signals to `<dir>/<module>-<profile>-<n>.vcd` (n = first free number), for GTKWave. Traces grow
//! by roughly the number of toggling bits per cycle, so set it for a short failing test only.

mod ffi;
mod model;

pub use ffi::{Dir, PortInfo};
pub use model::{Model, PortId};

use std::fmt;

/// True when Verilator was found at build time, so [`Model::new`] can work.
pub fn available() -> bool {
    !cfg!(rtl_sim_no_verilator)
}

/// Why no (or no usable) model is available, with what to do about it; None when models exist.
pub fn unavailable_reason() -> Option<&'static str> {
    if ffi::UNAVAILABLE.is_empty() {
        None
    } else {
        Some(ffi::UNAVAILABLE)
    }
}

/// The Verilator this crate was built with: its resolved path and `--version` line, or "" when
/// none was found. A test compares it with what PATH resolves to now, so a build made before
/// Verilator was installed (or upgraded) cannot pass for a current one.
pub fn verilator_stamp() -> &'static str {
    ffi::VERILATOR_STAMP
}

/// Environment variable that `make test` sets: a test that needs a tool fails when the tool is
/// missing instead of skipping (every tool is installed by `make test`, so a skip there would
/// hide a broken install).
pub const NO_SKIP_ENV: &str = "SPECKLE_NO_SKIP";

/// For a test that needs Verilated models: true when they exist. Otherwise it fails the test under
/// `make test` ([`NO_SKIP_ENV`] set) and, outside make, prints a skip line naming the missing tool
/// and returns false so the caller returns early.
pub fn require_verilator(test: &str) -> bool {
    match unavailable_reason() {
        None => true,
        Some(why) if std::env::var_os(NO_SKIP_ENV).is_some() => {
            panic!("{test} needs Verilator ({NO_SKIP_ENV} is set, so it may not skip): {why}")
        }
        Some(why) => {
            eprintln!("SKIPPED {test}: needs verilator: {why}");
            false
        }
    }
}

/// A module that build.rs found, and whether it could be built.
#[derive(Clone, Copy, Debug)]
pub struct ModuleInfo {
    pub profile: &'static str,
    pub name: &'static str,
    /// The Verilog file it was built from.
    pub source: &'static str,
    pub ports: &'static [PortInfo],
    /// Verilator's or the C++ compiler's complaint, when the module could not be built.
    pub error: Option<&'static str>,
}

/// Every module found at build time, sorted by profile then name.
pub fn modules() -> Vec<ModuleInfo> {
    let mut v: Vec<ModuleInfo> = ffi::MODULES
        .iter()
        .map(|m| ModuleInfo {
            profile: m.profile,
            name: m.name,
            source: m.source,
            ports: m.ports,
            error: m.error,
        })
        .collect();
    v.sort_by_key(|m| (m.profile, m.name));
    v
}

/// What went wrong when opening a model or looking up a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Verilator was missing at build time.
    Unavailable(String),
    /// No such profile/module pair; the message lists the valid ones.
    UnknownModule(String),
    /// The module exists but Verilator or the C++ compiler rejected it.
    BuildFailed(String),
    /// No such port; the message lists the module's ports.
    UnknownPort(String),
    /// SPECKLE_VCD was set but the trace file could not be created.
    Trace(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unavailable(m)
            | Error::UnknownModule(m)
            | Error::BuildFailed(m)
            | Error::UnknownPort(m)
            | Error::Trace(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
#[path = "../build/ports.rs"]
mod build_ports;
