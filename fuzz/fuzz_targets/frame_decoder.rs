//! See speckle_model::protocol::robustness::check_decoder for the invariants.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| speckle_model::protocol::robustness::check_decoder(data));
