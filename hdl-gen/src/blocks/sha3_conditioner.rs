//! TODO: sha3_conditioner block (owner: see docs/core.md).
