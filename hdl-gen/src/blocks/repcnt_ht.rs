//! TODO: repcnt_ht block (owner: see docs/core.md).
