//! TODO: crc32 block (owner: see docs/core.md).
