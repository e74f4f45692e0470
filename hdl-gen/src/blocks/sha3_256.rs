//! TODO: sha3_256 block.
