//! TODO: cmd_parser block (owner: see docs/core.md).
