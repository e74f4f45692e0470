//! Verilator-driven tests of the generated RTL live in tests/.
