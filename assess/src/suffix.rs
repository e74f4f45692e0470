//! Tuple counts for the t-tuple and LRS estimates from a suffix array and its LCP array.
//!
//! Both estimates need, for every tuple length t, the largest number of occurrences of any
//! t-tuple (Q[t]) and the number of pairs of equal t-tuples (Σ C(count, 2)). Suffixes sharing a
//! t-prefix are adjacent in the suffix array, so each group is an LCP interval; one stack pass
//! over the LCP array visits every interval once, giving all t at once in O(n) after the sort
//! (NIST's tool uses libdivsufsort and Kaufer's algorithm for the same counts).

/// Suffix array by prefix doubling with radix sorts: O(n log L) for a longest repeat L, which
/// is about 2 log2 n for the sources assessed here. The first round sorts on as many symbols as
/// fit in a u64 (32 bits of binary data) at once, which saves the first five doublings.
pub fn suffix_array(s: &[u8]) -> Vec<u32> {
    let n = s.len();
    // Symbols are coded v + 1 in `b` bits, 0 standing for "past the end", which sorts first.
    let k = s.iter().copied().max().map_or(1, |v| v as u32 + 1);
    let b = 32 - k.leading_zeros();
    let m = (64 / b) as usize;
    let mut keys = vec![0u64; n];
    let mut key = 0u64;
    for i in (0..n).rev() {
        key = (key >> b) | ((s[i] as u64 + 1) << (b as usize * (m - 1)));
        keys[i] = key;
    }
    let mut sa = radix_sort_by_key(&keys);
    // rank[i] = 1 + the position in `sa` where i's group (suffixes equal so far) starts; 0 stands
    // for "past the end". Ranks of this kind stay valid when one group is split without
    // touching the others, which the cheap rounds below rely on. `r` counts the groups.
    let mut rank = vec![0u32; n];
    let (mut r, mut head) = (0, 0);
    for j in 0..n {
        if j == 0 || keys[sa[j] as usize] != keys[sa[j - 1] as usize] {
            r += 1;
            head = j;
        }
        rank[sa[j] as usize] = head as u32 + 1;
    }
    drop(keys);
    let mut tmp = vec![0u32; n];
    let mut count = vec![0u32; n + 2];
    let mut k = m;
    while (r as usize) < n {
        // The groups still to split. When they hold few suffixes (random data: after the first
        // round almost every suffix is alone), sort each by its second key; otherwise a full
        // radix round is cheaper.
        let mut groups = Vec::new();
        let mut pending = 0;
        let mut j = 0;
        while j < n {
            let h = rank[sa[j] as usize];
            let mut e = j + 1;
            while e < n && rank[sa[e] as usize] == h {
                e += 1;
            }
            if e - j > 1 {
                groups.push((j, e));
                pending += e - j;
            }
            j = e;
        }
        if pending <= n / 8 {
            let second = |i: u32| rank.get(i as usize + k).copied().unwrap_or(0);
            let mut updates = Vec::with_capacity(pending);
            for &(l, e) in &groups {
                sa[l..e].sort_unstable_by_key(|&i| second(i));
                let mut head = l;
                for j in l..e {
                    if j > l && second(sa[j]) != second(sa[j - 1]) {
                        head = j;
                        r += 1;
                    }
                    updates.push((sa[j], head as u32 + 1));
                }
            }
            for (i, h) in updates {
                rank[i as usize] = h;
            }
            k *= 2;
            continue;
        }
        // Order by the second key (rank at i + k): suffixes with none come first.
        let mut p = 0;
        for i in n - k.min(n)..n {
            tmp[p] = i as u32;
            p += 1;
        }
        for &j in &sa {
            if j as usize >= k {
                tmp[p] = j - k as u32;
                p += 1;
            }
        }
        // Stable counting sort by the first key.
        count.iter_mut().for_each(|c| *c = 0);
        for &i in &tmp {
            count[rank[i as usize] as usize + 1] += 1;
        }
        for c in 1..count.len() {
            count[c] += count[c - 1];
        }
        for &i in &tmp {
            let c = &mut count[rank[i as usize] as usize];
            sa[*c as usize] = i;
            *c += 1;
        }
        let key = |i: u32| {
            let i = i as usize;
            (rank[i], if i + k < n { rank[i + k] } else { 0 })
        };
        r = 0;
        let mut prev = (u32::MAX, u32::MAX);
        let mut head = 0;
        for (j, &i) in sa.iter().enumerate() {
            let kk = key(i);
            if kk != prev {
                r += 1;
                prev = kk;
                head = j;
            }
            tmp[i as usize] = head as u32 + 1;
        }
        std::mem::swap(&mut rank, &mut tmp);
        k *= 2;
    }
    sa
}

/// Indices 0..n ordered by `keys` (LSD radix sort, 16-bit digits; digits equal in every key
/// are skipped).
fn radix_sort_by_key(keys: &[u64]) -> Vec<u32> {
    let n = keys.len();
    let mut idx: Vec<u32> = (0..n as u32).collect();
    let mut tmp = vec![0u32; n];
    let (or, and) = keys.iter().fold((0u64, !0u64), |(o, a), &x| (o | x, a & x));
    let mut count = vec![0usize; 1 << 16];
    for shift in (0..64).step_by(16) {
        if ((or ^ and) >> shift) & 0xffff == 0 {
            continue;
        }
        count.iter_mut().for_each(|c| *c = 0);
        for &i in &idx {
            count[(keys[i as usize] >> shift) as usize & 0xffff] += 1;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let x = *c;
            *c = sum;
            sum += x;
        }
        for &i in &idx {
            let d = (keys[i as usize] >> shift) as usize & 0xffff;
            tmp[count[d]] = i;
            count[d] += 1;
        }
        std::mem::swap(&mut idx, &mut tmp);
    }
    idx
}

/// lcp[j] = length of the common prefix of suffixes sa[j-1] and sa[j] (lcp[0] = 0), by Kasai.
pub fn lcp_array(s: &[u8], sa: &[u32]) -> Vec<u32> {
    let n = s.len();
    let mut rank = vec![0u32; n];
    for (j, &i) in sa.iter().enumerate() {
        rank[i as usize] = j as u32;
    }
    let mut lcp = vec![0u32; n];
    let mut h = 0usize;
    for i in 0..n {
        let r = rank[i] as usize;
        if r > 0 {
            let j = sa[r - 1] as usize;
            while i + h < n && j + h < n && s[i + h] == s[j + h] {
                h += 1;
            }
            lcp[r] = h as u32;
            h = h.saturating_sub(1);
        } else {
            h = 0;
        }
    }
    lcp
}

/// Per tuple length t (index t, 1..=v): the commonest t-tuple's count and the number of equal
/// pairs. `v` is the longest repeated substring's length.
pub struct TupleCounts {
    pub max_count: Vec<u64>,
    pub pairs: Vec<u64>,
    pub v: usize,
}

pub fn tuple_counts(s: &[u8]) -> TupleCounts {
    let n = s.len();
    let sa = suffix_array(s);
    let lcp = lcp_array(s, &sa);
    let v = lcp.iter().copied().max().unwrap_or(0) as usize;
    let mut top = vec![1u64; v + 2];
    // Pairs added over (parent lcp, lcp] of each interval, as a difference array (wrapping: the
    // prefix sums are the true, non-negative counts).
    let mut diff = vec![0u64; v + 2];
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    // lcp[1..n], then 0 to close every interval at the end.
    let depths = lcp.iter().skip(1).map(|&l| l as usize).chain(std::iter::once(0));
    for (i, l) in (1..=n).zip(depths) {
        let mut lb = i - 1;
        while l < stack.last().unwrap().0 {
            let (h, left) = stack.pop().unwrap();
            let size = (i - left) as u64;
            let parent = l.max(stack.last().unwrap().0);
            top[h] = top[h].max(size);
            let c = size * (size - 1) / 2;
            diff[parent + 1] = diff[parent + 1].wrapping_add(c);
            diff[h + 1] = diff[h + 1].wrapping_sub(c);
            lb = left;
        }
        if l > stack.last().unwrap().0 {
            stack.push((l, lb));
        }
    }
    // Q[t] is the largest interval reaching depth t or deeper.
    for t in (1..v).rev() {
        top[t] = top[t].max(top[t + 1]);
    }
    let mut pairs = vec![0u64; v + 1];
    let mut acc = 0u64;
    for t in 1..=v {
        acc = acc.wrapping_add(diff[t]);
        pairs[t] = acc;
    }
    top.truncate(v + 1);
    TupleCounts { max_count: top, pairs, v }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn naive(s: &[u8], t: usize) -> (u64, u64) {
        let mut m: HashMap<&[u8], u64> = HashMap::new();
        for w in s.windows(t) {
            *m.entry(w).or_default() += 1;
        }
        let max = m.values().copied().max().unwrap_or(1);
        (max, m.values().map(|c| c * (c - 1) / 2).sum())
    }

    /// Against brute force on a small pseudo-random and a very repetitive sequence.
    #[test]
    fn counts_match_brute_force() {
        let mut x = 12345u32;
        let rnd: Vec<u8> = (0..3000)
            .map(|_| {
                x = x.wrapping_mul(1103515245).wrapping_add(12345);
                ((x >> 16) % 3) as u8
            })
            .collect();
        let rep: Vec<u8> = [0, 0, 1].iter().cycle().take(500).copied().collect();
        for s in [&rnd[..], &rep[..]] {
            let c = tuple_counts(s);
            assert_eq!(c.v, (1..s.len()).rev().find(|&t| naive(s, t).0 > 1).unwrap());
            for t in 1..=c.v {
                assert_eq!((c.max_count[t], c.pairs[t]), naive(s, t), "t = {t}");
            }
        }
    }

    /// Against a comparison sort, on inputs that stress the packed first round and both kinds of
    /// later round: all 256 values (9-bit codes), bits ending in a run of zeros (suffixes that
    /// differ only by their end), sparse ones, constant data (full rounds up to n).
    #[test]
    fn suffix_array_matches_a_comparison_sort() {
        let mut x = 1u32;
        let bytes: Vec<u8> = (0..3000)
            .map(|_| {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                (x >> 24) as u8
            })
            .collect();
        let mut bits: Vec<u8> = bytes.iter().map(|b| b & 1).collect();
        bits.extend([0; 100]);
        // Mostly zeros (a dark source): full rounds first, then the per-group ones.
        let sparse: Vec<u8> =
            (0..5000u32).map(|i| u8::from(i.wrapping_mul(2_654_435_761) >> 24 < 3)).collect();
        for s in [&bytes[..], &bits[..], &sparse[..], &[0u8; 300][..], &[255u8; 70][..], &[1u8][..]]
        {
            let mut naive: Vec<u32> = (0..s.len() as u32).collect();
            naive.sort_by(|&a, &b| s[a as usize..].cmp(&s[b as usize..]));
            assert_eq!(suffix_array(s), naive);
        }
    }

    #[test]
    fn suffix_array_is_sorted() {
        let s = b"mississippi";
        let sa = suffix_array(s);
        assert_eq!(sa, vec![10, 7, 4, 1, 0, 9, 8, 6, 3, 5, 2]);
        assert_eq!(lcp_array(s, &sa), vec![0, 1, 1, 4, 0, 0, 1, 0, 2, 1, 3]);
    }
}
