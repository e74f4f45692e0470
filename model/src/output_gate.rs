//! TODO: reference model of `output_gate`.
