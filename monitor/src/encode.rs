//! Encodings of the raw tap for the Raw view. Every encoding turns the bit stream into glyphs; the
//! emoji table uses floor(log2 N) bits per glyph and only the first 2^k glyphs, so each glyph is
//! exactly as likely as every other on uniform bits (no modulo bias).

use base64::Engine;

/// Shipped default emoji table: the fully-qualified emoji of Unicode's emoji-test data, one per
/// line (regenerate with `cargo run -p speckle-monitor --example gen_emoji > monitor/data/emoji.txt`).
pub const DEFAULT_EMOJI: &str = include_str!("../data/emoji.txt");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Binary,
    Octal,
    Hex,
    Base64,
    Base58,
    Emoji,
}

impl Format {
    pub const ALL: [Format; 6] =
        [Format::Binary, Format::Octal, Format::Hex, Format::Base64, Format::Base58, Format::Emoji];

    pub fn name(self) -> &'static str {
        match self {
            Format::Binary => "binary",
            Format::Octal => "octal",
            Format::Hex => "hex",
            Format::Base64 => "base64",
            Format::Base58 => "base58",
            Format::Emoji => "emoji",
        }
    }

    pub fn from_name(s: &str) -> Result<Format, String> {
        Format::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| {
            format!(
                "unknown raw format '{s}': valid are {}",
                Format::ALL.map(|f| f.name()).join(", ")
            )
        })
    }

    pub fn next(self) -> Format {
        let i = Format::ALL.iter().position(|&f| f == self).unwrap_or(0);
        Format::ALL[(i + 1) % Format::ALL.len()]
    }
}

/// A glyph table of N entries using k = floor(log2 N) bits per glyph.
#[derive(Clone, Debug)]
pub struct EmojiTable {
    glyphs: Vec<String>,
    bits: u32,
}

impl EmojiTable {
    pub fn new(glyphs: Vec<String>) -> Result<Self, String> {
        if glyphs.len() < 2 {
            return Err(format!(
                "emoji map has {} entries: at least 2 are needed to encode a bit",
                glyphs.len()
            ));
        }
        if let Some(i) = glyphs.iter().position(|g| g.is_empty()) {
            return Err(format!("emoji map entry {i} is empty"));
        }
        let bits = usize::BITS - 1 - glyphs.len().leading_zeros();
        Ok(EmojiTable { glyphs, bits })
    }

    /// The shipped table.
    pub fn default_table() -> Self {
        Self::new(DEFAULT_EMOJI.lines().filter(|l| !l.is_empty()).map(String::from).collect())
            .expect("shipped table is valid")
    }

    /// `--emoji-map FILE`: a JSON list of strings.
    pub fn from_json_file(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read emoji map {}: {e}", path.display()))?;
        let glyphs: Vec<String> = serde_json::from_str(&text).map_err(|e| {
            format!("emoji map {} must be a JSON list of strings: {e}", path.display())
        })?;
        Self::new(glyphs).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn bits_per_glyph(&self) -> u32 {
        self.bits
    }

    pub fn len(&self) -> usize {
        self.glyphs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }

    /// Glyph for a k-bit value (`v < 2^k`).
    pub fn glyph(&self, v: usize) -> &str {
        debug_assert!(v < 1 << self.bits);
        &self.glyphs[v]
    }
}

/// Reads the bytes as a bit stream (MSB first) in groups of `k` bits; a trailing partial group is
/// dropped so every value is drawn from a full k bits.
pub fn groups(bytes: &[u8], k: u32) -> Vec<usize> {
    let total = bytes.len() * 8;
    let mut out = Vec::with_capacity(total / k as usize);
    let mut i = 0;
    while i + k as usize <= total {
        let mut v = 0usize;
        for j in i..i + k as usize {
            v = (v << 1) | (bytes[j / 8] >> (7 - j % 8) & 1) as usize;
        }
        out.push(v);
        i += k as usize;
    }
    out
}

/// The glyphs for `bytes` in `format`: one string per glyph (one character, or one emoji).
pub fn encode(bytes: &[u8], format: Format, emoji: &EmojiTable) -> Vec<String> {
    const B58_CHUNK: usize = 16;
    let digits = |k: u32, alphabet: &[u8]| {
        groups(bytes, k).into_iter().map(|v| (alphabet[v] as char).to_string()).collect()
    };
    match format {
        Format::Binary => digits(1, b"01"),
        Format::Octal => digits(3, b"01234567"),
        Format::Hex => digits(4, b"0123456789abcdef"),
        Format::Base64 => {
            let whole = bytes.len() / 3 * 3;
            base64::engine::general_purpose::STANDARD
                .encode(&bytes[..whole])
                .chars()
                .map(String::from)
                .collect()
        }
        // Base58 is not a power of two: encode fixed 16-byte chunks so the glyphs keep flowing.
        Format::Base58 => bytes
            .chunks_exact(B58_CHUNK)
            .flat_map(|c| {
                bs58::encode(c).into_string().chars().map(String::from).collect::<Vec<_>>()
            })
            .collect(),
        Format::Emoji => groups(bytes, emoji.bits_per_glyph())
            .into_iter()
            .map(|v| emoji.glyph(v).to_string())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_radix_encodings_read_the_bits_msb_first() {
        let e = EmojiTable::default_table();
        let join = |f| encode(&[0xA5, 0x0F, 0xFF], f, &e).concat();
        assert_eq!(join(Format::Binary), "101001010000111111111111");
        assert_eq!(join(Format::Hex), "a50fff");
        assert_eq!(join(Format::Octal), "51207777");
        assert_eq!(join(Format::Base64), "pQ//");
        let b58 = encode(
            &[0u8; 15].iter().chain(&[1u8]).copied().collect::<Vec<_>>(),
            Format::Base58,
            &e,
        )
        .concat();
        assert_eq!(b58, "1111111111111112");
    }

    #[test]
    fn emoji_uses_floor_log2_bits_and_only_the_first_power_of_two_glyphs() {
        let glyphs: Vec<String> = (0..5).map(|i| format!("g{i}")).collect();
        let t = EmojiTable::new(glyphs).unwrap();
        assert_eq!(t.bits_per_glyph(), 2);
        // All 256 bytes: every 2-bit value equally often, so g0..g3 appear equally and g4 never.
        let bytes: Vec<u8> = (0..=255).collect();
        let out = encode(&bytes, Format::Emoji, &t);
        for g in ["g0", "g1", "g2", "g3"] {
            assert_eq!(out.iter().filter(|x| *x == g).count(), 256, "{g}");
        }
        assert!(!out.iter().any(|x| x == "g4"));
        let d = EmojiTable::default_table();
        assert!(1usize << d.bits_per_glyph() <= d.len());
        assert!(1usize << (d.bits_per_glyph() + 1) > d.len());
    }

    #[test]
    fn emoji_groups_are_a_bijection_on_k_bit_values() {
        let t = EmojiTable::default_table();
        let k = t.bits_per_glyph();
        // Bytes holding every k-bit value once, in order: the glyph sequence is the table's prefix.
        let mut bits = Vec::new();
        for v in 0..1usize << k {
            for j in (0..k).rev() {
                bits.push((v >> j) & 1 == 1);
            }
        }
        let bytes: Vec<u8> = bits
            .chunks(8)
            .map(|c| c.iter().enumerate().fold(0u8, |a, (i, &b)| a | (b as u8) << (7 - i)))
            .collect();
        let out = encode(&bytes, Format::Emoji, &t);
        assert_eq!(out.len(), 1 << k);
        for (v, g) in out.iter().enumerate() {
            assert_eq!(g, t.glyph(v));
        }
    }

    #[test]
    fn bad_emoji_maps_are_refused_with_a_reason() {
        assert!(EmojiTable::new(vec!["x".into()]).unwrap_err().contains("at least 2"));
        let dir =
            std::env::temp_dir().join(format!("speckle-monitor-emoji-{}", std::process::id()));
        std::fs::write(&dir, "{\"a\": 1}").unwrap();
        assert!(EmojiTable::from_json_file(&dir).unwrap_err().contains("JSON list of strings"));
        std::fs::write(&dir, "[\"🍎\", \"🍐\", \"🍊\"]").unwrap();
        assert_eq!(EmojiTable::from_json_file(&dir).unwrap().bits_per_glyph(), 1);
        let _ = std::fs::remove_file(&dir);
        assert!(Format::from_name("hexx").unwrap_err().contains("binary, octal"));
    }
}
