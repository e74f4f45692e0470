//! TODO: uart_rx block (owner: see docs/core.md).
