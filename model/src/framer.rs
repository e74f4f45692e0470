//! TODO: reference model of `framer`.
