//! TODO: markov_ht block (owner: see docs/core.md).
