//! TODO: reference model of `crc32`.
