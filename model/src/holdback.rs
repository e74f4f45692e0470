//! TODO: reference model of `holdback`.
