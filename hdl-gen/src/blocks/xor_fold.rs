//! TODO: xor_fold block (owner: see docs/core.md).
