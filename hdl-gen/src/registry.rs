//! Which blocks `speckle-hdl` writes, and with which generator.
//!
//! A block appears here once its generator `hdl-gen/src/blocks/<name>.rs` exposes
//! `pub fn generate(p: &CoreParams, profile: &str) -> String`; the file it produces is
//! `rtl/<profile>/blocks/speckle_<name>.v`. The whole core is listed separately because its file
//! sits at `rtl/<profile>/speckle_core.v`.

use crate::blocks;
use speckle_model::params::CoreParams;

/// Emits one block's Verilog for one parameter set and profile.
pub type Generator = fn(&CoreParams, &str) -> String;

/// (block name, generator), sorted by name.
pub const BLOCKS: &[(&str, Generator)] = &[
    ("adaptp_ht", blocks::adaptp_ht::generate),
    ("cmd_parser", blocks::cmd_parser::generate),
    ("crc32", blocks::crc32::generate),
    ("digest_buffer", blocks::digest_buffer::generate),
    ("framer", blocks::framer::generate),
    ("holdback", blocks::holdback::generate),
    ("i2c_master", blocks::i2c_master::generate),
    ("markov_ht", blocks::markov_ht::generate),
    ("output_gate", blocks::output_gate::generate),
    ("repcnt_ht", blocks::repcnt_ht::generate),
    ("sampler", blocks::sampler::generate),
    ("sfp_frontend", blocks::sfp_frontend::generate),
    ("sha3_256", blocks::sha3_256::generate),
    ("sha3_conditioner", blocks::sha3_conditioner::generate),
    ("uart_rx", blocks::uart_rx::generate),
    ("uart_tx", blocks::uart_tx::generate),
    ("vn_debias", blocks::vn_debias::generate),
    ("xor_fold", blocks::xor_fold::generate),
];

/// Generator of the complete `speckle_core`.
pub const CORE: Option<Generator> = Some(blocks::speckle_core::generate);

/// Every file of one profile: (path relative to the output dir, contents), sorted by path.
pub fn files(p: &CoreParams, profile: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = BLOCKS
        .iter()
        .map(|(name, generate)| {
            (format!("{profile}/blocks/speckle_{name}.v"), generate(p, profile))
        })
        .collect();
    if let Some(core) = CORE {
        out.push((format!("{profile}/speckle_core.v"), core(p, profile)));
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_and_unique() {
        let names: Vec<&str> = BLOCKS.iter().map(|b| b.0).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn every_block_names_its_top_module_after_its_file() {
        let p = CoreParams::ice40();
        for (path, text) in files(&p, "ice40") {
            let stem = path.rsplit('/').next().unwrap().trim_end_matches(".v");
            assert!(text.contains(&format!("\nmodule {stem}(")), "{path} lacks module {stem}");
        }
    }
}
