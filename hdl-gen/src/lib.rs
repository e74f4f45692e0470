//! rust-hdl generators of the Speckle core. `speckle-hdl` (src/main.rs) writes their Verilog into rtl/.
pub mod blocks;
pub mod emit;
pub mod registry;
