//! TODO: reference model of `core_model`.
