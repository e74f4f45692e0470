//! TODO: reference model of `protocol`.
