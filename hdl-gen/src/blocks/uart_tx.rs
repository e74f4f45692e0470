//! TODO: uart_tx block (owner: see docs/core.md).
