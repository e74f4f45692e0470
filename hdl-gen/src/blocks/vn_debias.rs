//! TODO: vn_debias block (owner: see docs/core.md).
