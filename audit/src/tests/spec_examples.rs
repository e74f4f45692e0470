//! Example sequences printed in SP 800-22's text, shared by the tests' unit tests.

/// The 100-bit ε of the examples in §2.1.8, 2.2.8, 2.3.8, 2.6.8, 2.12.8 and 2.13.8.
pub const EPSILON_100: &str = "11001001000011111101101010100010001000010110100011\
                               00001000110100110001001100011001100010100010111000";
