//! TODO: reference model of `vn_debias`.
