//! TODO: framer block (owner: see docs/core.md).
