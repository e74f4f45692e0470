//! SP 800-22 §2.7, non-overlapping template matching: every aperiodic 9-bit template counted in
//! N = 8 blocks. Blockwise: the block length is n/8, so n must be known before the first block
//! ends (the battery's fixed sequence length gives it).

use crate::stats::igamc;

/// Template length and number of blocks, the spec's defaults.
pub const M: usize = 9;
pub const BLOCKS: usize = 8;

/// Every aperiodic template of length `m` in increasing binary order (STS's template file order):
/// no proper shift of the template overlaps itself, so matches cannot overlap and the count per
/// block has the mean and variance of §3.7. Generated, not tabulated: 148 for m = 9.
pub fn aperiodic_templates(m: usize) -> Vec<Vec<u8>> {
    (0..1u32 << m)
        .map(|v| (0..m).map(|i| (v >> (m - 1 - i)) as u8 & 1).collect::<Vec<u8>>())
        .filter(|t| (1..m).all(|k| t[k..] != t[..m - k]))
        .collect()
}

/// p-value of one template over `blocks` blocks.
pub fn test_template(bits: &[u8], template: &[u8], blocks: usize) -> f64 {
    test_windows(&windows(bits, template.len()), bits.len(), template, blocks)
}

/// The m-bit word starting at each position (the last m − 1 positions hold partial words that no
/// full template can match). Computed once per sequence, so that each of the 148 templates costs
/// one integer comparison per position instead of an m-byte slice comparison.
fn windows(bits: &[u8], m: usize) -> Vec<u16> {
    let mask = (1u32 << m) - 1;
    let mut w = 0u32;
    let mut out = vec![0u16; bits.len()];
    for i in (0..bits.len()).rev() {
        w = ((w >> 1) | (u32::from(bits[i]) << (m - 1))) & mask;
        out[i] = w as u16;
    }
    out
}

fn test_windows(win: &[u16], n: usize, template: &[u8], blocks: usize) -> f64 {
    let m = template.len();
    let t = template.iter().fold(0u16, |a, &b| (a << 1) | u16::from(b));
    let big_m = n / blocks;
    let mu = (big_m - m + 1) as f64 / 2f64.powi(m as i32);
    let var =
        big_m as f64 * (1.0 / 2f64.powi(m as i32) - (2 * m - 1) as f64 / 2f64.powi(2 * m as i32));
    let chi2: f64 = (0..blocks)
        .map(|j| (count(&win[j * big_m..(j + 1) * big_m - m + 1], t, m) as f64 - mu).powi(2) / var)
        .sum();
    igamc(blocks as f64 / 2.0, chi2 / 2.0)
}

/// Non-overlapping matches in a block, given the words at its M − m + 1 start positions.
fn count(win: &[u16], t: u16, m: usize) -> usize {
    let (mut i, mut w) = (0, 0);
    while i < win.len() {
        if win[i] == t {
            w += 1;
            i += m;
        } else {
            i += 1;
        }
    }
    w
}

/// The 148 p-values with the default parameters.
pub fn test(bits: &[u8]) -> Result<Vec<f64>, String> {
    if bits.len() / BLOCKS < 2 * M {
        return Err(format!(
            "needs blocks longer than the template: {} bits is too short",
            bits.len()
        ));
    }
    let win = windows(bits, M);
    Ok(aperiodic_templates(M).iter().map(|t| test_windows(&win, bits.len(), t, BLOCKS)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;

    #[test]
    fn section_2_7_4_example() {
        let p = test_template(&parse_bits("10100100101110010110"), &[0, 0, 1], 2);
        assert!((p - 0.344154).abs() < 1e-6, "{p}");
    }

    #[test]
    fn there_are_148_aperiodic_templates_of_9_bits() {
        let t = aperiodic_templates(9);
        assert_eq!(t.len(), 148);
        assert_eq!(t[0], [0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(t[147], [1, 1, 1, 1, 1, 1, 1, 1, 0]);
    }

    #[test]
    fn a_periodic_template_is_left_out() {
        assert!(!aperiodic_templates(4).contains(&vec![1, 0, 1, 0]));
        assert!(aperiodic_templates(4).contains(&vec![1, 1, 0, 0]));
    }
}
