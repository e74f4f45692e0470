//! TODO: output_gate block (owner: see docs/core.md).
