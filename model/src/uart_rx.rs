//! TODO: reference model of `uart_rx`.
