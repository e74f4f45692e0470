//! TODO: holdback block (owner: see docs/core.md).
