//! Pure-Rust reference models of every block of the Speckle core, and the frame protocol.
//! The host reuses both, so the RTL, the simulator and the daemon agree by construction.
//! A block's model file carries the block's name (see docs/core.md, "Blocks").

pub mod packing;
pub mod params;
pub mod protocol;
pub mod telemetry_row;

pub mod adaptp_ht;
pub mod cmd_parser;
pub mod core_model;
pub mod crc32;
pub mod digest_buffer;
pub mod framer;
pub mod holdback;
pub mod i2c_master;
pub mod keccak_f1600;
pub mod markov_ht;
pub mod output_gate;
pub mod repcnt_ht;
pub mod sampler;
pub mod sfp_frontend;
pub mod sha3_256;
pub mod sha3_conditioner;
pub mod uart_rx;
pub mod uart_tx;
pub mod vn_debias;
pub mod xor_fold;
