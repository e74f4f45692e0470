//! LZ78Y prediction estimate (SP 800-90B §6.3.10): a dictionary of contexts of length 1 to 16
//! (capped at 65536 entries, like an LZ78 coder) predicts the next sample from the longest-seen
//! context with the strongest count. Catches dependence a compressor would find.

use crate::postfix::{key, Table};
use crate::predict::{Prediction, Score};

const B: usize = 16;
const MAX_DICT: u64 = 65_536;

/// Counts for an alphabet of `k` symbols, or `None` below 18 samples.
pub fn predict(s: &[u8], k: usize) -> Option<Prediction> {
    if s.len() < B + 2 {
        return None;
    }
    Some(if k == 2 { binary(s) } else { general(s, k) })
}

fn binary(s: &[u8]) -> Prediction {
    // dict[j - 1][pattern] = counts of (0, 1) after the j-bit context `pattern`.
    let mut dict: Vec<Vec<[u32; 2]>> = (1..=B).map(|j| vec![[0; 2]; 1 << j]).collect();
    let mut elems = 0u64;
    let mut pat = 0usize;
    for j in 0..B {
        pat |= (s[B - j - 1] as usize) << j;
        dict[j][pat][s[B] as usize] = 1;
        elems += 1;
    }
    let mut score = Score::default();
    // The last B bits, s[i - B..i], oldest first (most significant).
    let mut full = s[1..=B].iter().fold(0usize, |a, &b| (a << 1) | b as usize);
    for &next in &s[B + 1..] {
        let y = next as usize;
        let (mut max, mut guess) = (0u64, None);
        for j in (1..=B).rev() {
            let e = &mut dict[j - 1][full & ((1 << j) - 1)];
            let (g, c) = if e[0] > e[1] { (0, e[0] as u64) } else { (1, e[1] as u64) };
            if c > 0 {
                if c > max {
                    max = c;
                    guess = Some(g);
                }
                e[y] += 1;
            } else if elems < MAX_DICT {
                e[y] = 1;
                elems += 1;
            }
        }
        score.record(guess == Some(y));
        full = ((full << 1) | y) & ((1 << B) - 1);
    }
    score.prediction((s.len() - B - 1) as u64, 2)
}

fn general(s: &[u8], k: usize) -> Prediction {
    let mut tables: Vec<Table> = (0..B).map(|_| Table::default()).collect();
    let mut size = 0u64;
    for j in 1..=B {
        tables[j - 1].entry(key(&s[B - j..B])).or_default().increment(s[B], true);
        size += 1;
    }
    let mut score = Score::default();
    for i in B + 1..s.len() {
        let y = s[i];
        let (mut max, mut guess) = (0u64, None);
        for j in (1..=B).rev() {
            let kx = key(&s[i - j..i]);
            if let Some(pf) = tables[j - 1].get_mut(&kx) {
                let (g, c) = pf.predict();
                if c > max {
                    max = c;
                    guess = Some(g);
                }
                pf.increment(y, true);
            } else if size < MAX_DICT {
                tables[j - 1].entry(kx).or_default().increment(y, true);
                size += 1;
            }
        }
        score.record(guess == Some(y));
    }
    score.prediction((s.len() - B - 1) as u64, k)
}

#[cfg(test)]
mod tests {
    /// The binary tables and the general tables are two codings of one algorithm.
    #[test]
    fn binary_and_general_agree() {
        let mut x = 5u32;
        let s: Vec<u8> = (0..20_000)
            .map(|i| {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                u8::from((x >> 28) < 6 || i % 5 == 0)
            })
            .collect();
        assert_eq!(super::binary(&s), super::general(&s, 2));
    }

    /// Hand check: a constant sequence is predicted right from the first prediction on.
    #[test]
    fn constant_is_fully_predicted() {
        let p = super::predict(&[3u8; 1000], 4).unwrap();
        assert_eq!((p.correct, p.n, p.max_run), (983, 983, 983));
    }
}
