//! TODO: reference model of `keccak_f1600`.
