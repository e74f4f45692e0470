//! TODO: reference model of `uart_tx`.
