//! TODO: keccak_f1600_full block (owner: see docs/core.md).
