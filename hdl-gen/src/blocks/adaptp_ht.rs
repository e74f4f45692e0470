//! TODO: adaptp_ht block (owner: see docs/core.md).
