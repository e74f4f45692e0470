//! The shipped emoji table is exactly the generator's output (see examples/gen_emoji.rs).

#[test]
fn emoji_data_file_matches_the_generator() {
    let expected: String = emojis::iter().map(|e| format!("{}\n", e.as_str())).collect();
    let shipped = include_str!("../data/emoji.txt");
    assert_eq!(
        shipped, expected,
        "regenerate: cargo run -p speckle-monitor --example gen_emoji > monitor/data/emoji.txt"
    );
    let lines: Vec<&str> = shipped.lines().collect();
    let unique: std::collections::HashSet<&str> = lines.iter().copied().collect();
    assert_eq!(unique.len(), lines.len(), "duplicate glyphs would make some values ambiguous");
    assert!(shipped.lines().count() >= 1024);
}
