//! TODO: keccak_f1600_compact block (owner: see docs/core.md).
