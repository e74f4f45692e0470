//! TODO: reference model of `cmd_parser`.
