//! A capture as the estimators see it: one sample per byte, its values mapped onto a dense
//! alphabet, and (for more than two values) the bit string the H_bitstring estimates run on.

/// Samples of `bits_per_sample` bits, prepared the way NIST's `read_file_subset` prepares them,
/// so that every estimator sees the same symbols as ea_non_iid.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// The samples mapped onto 0..alphabet (order-preserving), as the literal estimators use them.
    pub symbols: Vec<u8>,
    /// Distinct values present.
    pub alphabet: usize,
    pub bits_per_sample: u8,
    /// Each sample's `bits_per_sample` bits, most significant first, from the unmapped values.
    pub bits: Vec<u8>,
}

impl Dataset {
    /// Validates and prepares raw samples. Errors are one line each, for `speckle assess` to print.
    pub fn new(raw: &[u8], bits_per_sample: u8) -> Result<Self, String> {
        if !(1..=8).contains(&bits_per_sample) {
            return Err(format!("--bits-per-sample must be 1 to 8, not {bits_per_sample}"));
        }
        if raw.is_empty() {
            return Err("the capture is empty: no samples to assess".into());
        }
        let limit = 1u16 << bits_per_sample;
        if let Some((i, &v)) = raw.iter().enumerate().find(|&(_, &v)| u16::from(v) >= limit) {
            return Err(format!(
                "sample {i} is {v}, which does not fit in {bits_per_sample} bit(s) per sample (is --bits-per-sample right?)"
            ));
        }
        let mut present = [false; 256];
        for &v in raw {
            present[v as usize] = true;
        }
        let mut map = [0u8; 256];
        let mut alphabet = 0usize;
        for (v, &p) in present.iter().enumerate() {
            if p {
                map[v] = alphabet as u8;
                alphabet += 1;
            }
        }
        let symbols = raw.iter().map(|&v| map[v as usize]).collect();
        let w = bits_per_sample as usize;
        let bits = if w == 1 {
            raw.to_vec()
        } else {
            let mut b = Vec::with_capacity(raw.len() * w);
            for &v in raw {
                b.extend((0..w).map(|j| (v >> (w - 1 - j)) & 1));
            }
            b
        };
        Ok(Dataset { symbols, alphabet, bits_per_sample, bits })
    }

    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// SP 800-90B §6.3 runs the bit-string estimates only for non-binary samples; NIST's tool
    /// decides this on the values present, so 8-bit samples with two values count as binary.
    pub fn needs_bitstring(&self) -> bool {
        self.alphabet > 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_values_densely_and_splits_bits_msb_first() {
        let d = Dataset::new(&[5, 2, 5, 7], 3).unwrap();
        assert_eq!(d.symbols, vec![1, 0, 1, 2]);
        assert_eq!(d.alphabet, 3);
        assert_eq!(&d.bits[..6], &[1, 0, 1, 0, 1, 0]);
        assert!(d.needs_bitstring());
    }

    #[test]
    fn rejects_bad_input_with_one_line() {
        for (raw, bps, what) in [
            (&[][..], 1, "empty"),
            (&[0, 2][..], 1, "does not fit"),
            (&[0, 1][..], 0, "1 to 8"),
            (&[0, 1][..], 9, "1 to 8"),
        ] {
            let e = Dataset::new(raw, bps).unwrap_err();
            assert!(e.contains(what) && !e.contains('\n'), "{e}");
        }
    }
}
