//! TODO: reference model of `sampler`.
