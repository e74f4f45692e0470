//! TODO: reference model of `packing`.
