//! TODO: reference model of `sha3_256`.
