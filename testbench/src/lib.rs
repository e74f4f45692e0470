//! Shared helpers for the Verilator-driven tests in tests/ (one file per block, see docs/core.md).
//!
//! Every block has `clock` and `reset` (synchronous, active high), so opening a block and putting
//! it into reset is the same few lines in every test; they live here.

pub use rtl_sim::{Model, PortId};
pub use speckle_model::params::PROFILES;

/// Opens `module` (e.g. `speckle_sampler`) of `profile`; panics with rtl-sim's message, which names
/// the valid modules, or says Verilator was missing at build time.
pub fn open(profile: &str, module: &str) -> Model {
    Model::new(profile, module).unwrap_or_else(|e| panic!("{e}"))
}

/// Looks up several ports at once; panics naming the module's real ports when one is missing.
pub fn ports<const N: usize>(m: &Model, names: [&str; N]) -> [PortId; N] {
    names.map(|n| m.port(n).unwrap_or_else(|e| panic!("{e}")))
}

/// Holds `reset` high for `cycles` clocks, then releases it (inputs otherwise unchanged).
pub fn reset(m: &mut Model, cycles: u32) {
    let [clock, reset] = ports(m, ["clock", "reset"]);
    m.set(reset, 1);
    for _ in 0..cycles {
        m.tick(clock);
    }
    m.set(reset, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_clears_the_fixture_counter() {
        let mut m = open("fixture", "fixture_acc");
        let [clock, enable, count] = ports(&m, ["clock", "enable", "count"]);
        m.set(enable, 1);
        for _ in 0..5 {
            m.tick(clock);
        }
        assert_eq!(m.get(count), 5);
        m.set(enable, 0);
        reset(&mut m, 2);
        assert_eq!(m.get(count), 0);
    }

    #[test]
    #[should_panic(expected = "fixture/fixture_acc")]
    fn unknown_modules_name_the_valid_ones() {
        open("fixture", "no_such_block");
    }
}
