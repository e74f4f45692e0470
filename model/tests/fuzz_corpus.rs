//! Replays the committed cargo-fuzz corpus (fuzz/corpus/<target>/) through the same invariants the
//! fuzz targets check, so every input the fuzzer found interesting — and every crash it found,
//! once fixed and its input added — stays a regression test under plain `cargo test`.

use speckle_model::protocol::robustness::{check_cmd_parser, check_decoder, check_payloads};
use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let r = std::panic::catch_unwind(|| check(&data));
        assert!(r.is_ok(), "{target}: {} breaks an invariant", path.display());
        n += 1;
    }
    assert!(n >= 8, "{target}: only {n} corpus files in {}", dir.display());
}

#[test]
fn frame_decoder_corpus() {
    replay("frame_decoder", check_decoder);
}

#[test]
fn payloads_corpus() {
    replay("payloads", check_payloads);
}

#[test]
fn cmd_parser_corpus() {
    replay("cmd_parser", check_cmd_parser);
}

/// The corpus is not vacuous: its command inputs make the parser accept commands, so
/// `check_cmd_parser`'s per-command assertions really run.
#[test]
fn cmd_parser_corpus_reaches_accepted_commands() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/cmd_parser");
    let mut accepted = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let mut p = speckle_model::cmd_parser::CmdParser::new();
        for b in std::fs::read(entry.unwrap().path()).unwrap() {
            if p.byte(b).is_some() {
                accepted += 1;
                p.ack_taken();
            }
        }
    }
    assert!(accepted >= 4, "only {accepted} commands accepted over the corpus");
}
