//! TODO: reference model of `markov_ht`.
