//! TODO: speckle_core block (owner: see docs/core.md).
