//! TODO: reference model of `adaptp_ht`.
