//! TODO: reference model of `xor_fold`.
