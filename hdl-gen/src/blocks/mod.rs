//! One file per block; each file holds the rust-hdl LogicBlock and its `generate` function.
pub mod adaptp_ht;
pub mod cmd_parser;
pub mod crc32;
pub mod framer;
pub mod holdback;
pub mod keccak_f1600_compact;
pub mod keccak_f1600_full;
pub mod markov_ht;
pub mod output_gate;
pub mod repcnt_ht;
pub mod sampler;
pub mod sha3_conditioner;
pub mod speckle_core;
pub mod uart_rx;
pub mod uart_tx;
pub mod vn_debias;
pub mod xor_fold;
