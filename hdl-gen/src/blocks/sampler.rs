//! TODO: sampler block (owner: see docs/core.md).
