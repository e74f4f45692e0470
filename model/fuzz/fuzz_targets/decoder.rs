//! `cargo +nightly fuzz run decoder` (from model/): the decoder must never panic, and every frame it
//! hands out must re-encode to bytes present verbatim in the input (so its CRC checked).
#![no_main]

use libfuzzer_sys::fuzz_target;
use speckle_model::protocol::{encode, Decoder};

fuzz_target!(|data: &[u8]| {
    // First byte picks the chunk size so that split headers and CRCs are exercised too.
    let (chunk, input) = match data.split_first() {
        Some((c, rest)) => ((*c as usize % 64) + 1, rest),
        None => return,
    };
    let mut d = Decoder::new();
    for c in input.chunks(chunk) {
        for f in d.feed(c) {
            let bytes = encode(&f);
            assert!(input.windows(bytes.len()).any(|w| w == bytes.as_slice()));
            let _ = f.payload();
        }
    }
});
