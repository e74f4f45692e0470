//! TODO: reference model of `repcnt_ht`.
