//! Writes the default emoji table (monitor/data/emoji.txt) from the `emojis` crate, which is built
//! from Unicode's emoji-test.txt and lists its fully-qualified emoji in order:
//! `cargo run -p speckle-monitor --example gen_emoji > monitor/data/emoji.txt`.
//! The test `emoji_data_file_matches_the_generator` keeps the shipped file in step.

fn main() {
    print!("{}", speckle_monitor_emoji_list());
}

fn speckle_monitor_emoji_list() -> String {
    emojis::iter().map(|e| format!("{}\n", e.as_str())).collect()
}
