//! GF(2) linear algebra on bit-packed rows: the rank of binary matrices (SP 800-22 §2.5 and the
//! large-matrix test) and Berlekamp–Massey (§2.10 and the scatter test). Packing 64 bits a word
//! makes the 1024×1024 matrices and 500-bit LFSR searches cheap enough to run on every sequence.

/// Packs `bits` (0/1, at most 64 per word) into words, bit i of the slice at bit i%64 of word i/64.
pub fn pack(bits: &[u8]) -> Vec<u64> {
    let mut w = vec![0u64; bits.len().div_ceil(64)];
    for (i, &b) in bits.iter().enumerate() {
        w[i / 64] |= (b as u64) << (i % 64);
    }
    w
}

/// Rank over GF(2) of a matrix given as `rows` rows of `cols` bits each, taken row by row from
/// `bits` (SP 800-22 fills matrices row-wise).
pub fn rank(bits: &[u8], rows: usize, cols: usize) -> usize {
    let mut m: Vec<Vec<u64>> = (0..rows).map(|r| pack(&bits[r * cols..(r + 1) * cols])).collect();
    let mut rank = 0;
    for c in 0..cols {
        let (word, bit) = (c / 64, 1u64 << (c % 64));
        let Some(pivot) = (rank..rows).find(|&r| m[r][word] & bit != 0) else { continue };
        m.swap(rank, pivot);
        let prow = m[rank].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != rank && row[word] & bit != 0 {
                for (a, b) in row.iter_mut().zip(&prow).skip(word) {
                    *a ^= b;
                }
            }
        }
        rank += 1;
        if rank == rows {
            break;
        }
    }
    rank
}

/// Probability that a random rows×cols binary matrix has rank exactly `r` (SP 800-22 §3.5).
pub fn rank_probability(r: usize, rows: usize, cols: usize) -> f64 {
    let (m, q) = (rows as f64, cols as f64);
    let mut log2 = r as f64 * (q + m - r as f64) - m * q;
    for i in 0..r {
        let i = i as f64;
        log2 += ((1.0 - 2f64.powf(i - q)) * (1.0 - 2f64.powf(i - m))
            / (1.0 - 2f64.powf(i - r as f64)))
        .log2();
    }
    2f64.powf(log2)
}

/// Linear complexity of `bits` by Berlekamp–Massey: the length of the shortest LFSR that
/// generates the sequence.
pub fn linear_complexity(bits: &[u8]) -> usize {
    let n = bits.len();
    let words = n.div_ceil(64) + 1;
    // c and b are connection polynomials, coefficient j at bit j. The discrepancy at step k is
    // Σ c_j s_{k-j}: kept as a dot product with the sequence reversed and packed, so that each
    // step is a few word operations.
    let rev: Vec<u8> = bits.iter().rev().copied().collect();
    let srev = pack(&rev);
    let (mut c, mut b) = (vec![0u64; words], vec![0u64; words]);
    c[0] = 1;
    b[0] = 1;
    let (mut l, mut m) = (0usize, -1isize);
    for k in 0..n {
        // s_{k-j} for j = 0..=l sits at rev index n-1-k+j.
        let d = dot_shifted(&c, &srev, n - 1 - k, l + 1) & 1;
        if d == 1 {
            let t = c.clone();
            let shift = (k as isize - m) as usize;
            xor_shifted(&mut c, &b, shift);
            if 2 * l <= k {
                l = k + 1 - l;
                m = k as isize;
                b = t;
            }
        }
    }
    l
}

/// Parity of Σ_{j<len} c_j · s[off + j], with s packed.
fn dot_shifted(c: &[u64], s: &[u64], off: usize, len: usize) -> u64 {
    let mut acc = 0u64;
    for (w, &cw) in c.iter().enumerate().take(len.div_ceil(64)) {
        let take = (len - 64 * w).min(64);
        let mask = if take == 64 { !0 } else { (1u64 << take) - 1 };
        acc ^= cw & read_bits(s, off + 64 * w) & mask;
    }
    (acc.count_ones() & 1) as u64
}

/// 64 bits of `s` starting at bit `pos` (zeros past the end).
fn read_bits(s: &[u64], pos: usize) -> u64 {
    let (w, o) = (pos / 64, pos % 64);
    let lo = s.get(w).copied().unwrap_or(0) >> o;
    if o == 0 {
        lo
    } else {
        lo | s.get(w + 1).copied().unwrap_or(0) << (64 - o)
    }
}

/// c ^= b << shift (polynomial multiplication by x^shift), truncated to c's length.
fn xor_shifted(c: &mut [u64], b: &[u64], shift: usize) {
    let (ws, bs) = (shift / 64, shift % 64);
    for i in (ws..c.len()).rev() {
        let src = i - ws;
        let mut v = b[src] << bs;
        if bs != 0 && src > 0 {
            v |= b[src - 1] >> (64 - bs);
        }
        c[i] ^= v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::parse_bits;

    /// Berlekamp–Massey by the book on unpacked bits, to check the packed one against.
    fn bm_plain(s: &[u8]) -> usize {
        let n = s.len();
        let (mut c, mut b) = (vec![0u8; n + 1], vec![0u8; n + 1]);
        c[0] = 1;
        b[0] = 1;
        let (mut l, mut m) = (0usize, -1isize);
        for k in 0..n {
            let d = (0..=l).fold(0, |d, j| d ^ (c[j] & s[k - j]));
            if d == 1 {
                let t = c.clone();
                let sh = (k as isize - m) as usize;
                for j in 0..=n - sh {
                    c[j + sh] ^= b[j];
                }
                if 2 * l <= k {
                    l = k + 1 - l;
                    m = k as isize;
                    b = t;
                }
            }
        }
        l
    }

    #[test]
    fn section_2_10_4_example_has_complexity_4() {
        assert_eq!(linear_complexity(&parse_bits("1101011110001")), 4);
    }

    #[test]
    fn packed_berlekamp_massey_equals_the_plain_one() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in [1, 2, 63, 64, 65, 200, 500, 777] {
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 11) as u8 & 1
                })
                .collect();
            assert_eq!(linear_complexity(&s), bm_plain(&s), "length {len}");
        }
    }

    #[test]
    fn an_lfsr_sequence_has_its_register_length() {
        // s_k = s_{k-3} ^ s_{k-5}: a 5-stage LFSR.
        let mut s = vec![1u8, 0, 0, 1, 1];
        for k in 5..300 {
            s.push(s[k - 3] ^ s[k - 5]);
        }
        assert_eq!(linear_complexity(&s), 5);
    }

    #[test]
    fn section_2_5_4_ranks() {
        let e = parse_bits("01011001001010101101");
        assert_eq!(rank(&e[0..9], 3, 3), 2);
        assert_eq!(rank(&e[9..18], 3, 3), 3);
    }

    #[test]
    fn rank_probabilities_of_32_by_32_are_the_specs() {
        assert!((rank_probability(32, 32, 32) - 0.2888).abs() < 1e-4);
        assert!((rank_probability(31, 32, 32) - 0.5776).abs() < 1e-4);
        let total: f64 = (0..=32).map(|r| rank_probability(r, 32, 32)).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}
