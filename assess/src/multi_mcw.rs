//! MultiMCW prediction estimate (SP 800-90B §6.3.7): four predictors guess the most common value
//! in the last 63, 255, 1023 and 4095 samples; the best one so far makes each prediction. Catches
//! a source whose bias drifts (a slowly wandering slicing threshold).

use crate::predict::{Prediction, Score};

const W: [usize; 4] = [63, 255, 1023, 4095];

/// Counts for an alphabet of `k` symbols, or `None` with no more than 4095 samples.
///
/// Ties follow NIST's tool: the most common value is the one seen most recently among equals.
pub fn predict(s: &[u8], k: usize) -> Option<Prediction> {
    let len = s.len();
    if len < W[3] + 1 {
        return None;
    }
    let mut counts = vec![vec![0u64; k]; 4];
    let mut poses = vec![vec![0usize; k]; 4];
    let mut max_cnt = [0u64; 4];
    let mut frequent = [0u8; 4];
    let mut scoreboard = [0u64; 4];
    let mut winner = 0usize;
    for (i, &x) in s.iter().enumerate().take(W[3]) {
        for j in 0..4 {
            if i < W[j] {
                counts[j][x as usize] += 1;
                if max_cnt[j] <= counts[j][x as usize] {
                    max_cnt[j] = counts[j][x as usize];
                    frequent[j] = x;
                }
                poses[j][x as usize] = i;
            }
        }
    }
    let mut score = Score::default();
    for i in W[0]..len {
        let x = s[i];
        score.record(frequent[winner] == x);
        for j in 0..4 {
            if i >= W[j] && frequent[j] == x {
                scoreboard[j] += 1;
                if scoreboard[j] >= scoreboard[winner] {
                    winner = j;
                }
            }
        }
        for j in 0..4 {
            if i < W[j] {
                continue;
            }
            let old = s[i - W[j]];
            counts[j][old as usize] -= 1;
            counts[j][x as usize] += 1;
            poses[j][x as usize] = i;
            if old != frequent[j] && max_cnt[j] <= counts[j][x as usize] {
                max_cnt[j] = counts[j][x as usize];
                frequent[j] = x;
            } else if old == frequent[j] {
                max_cnt[j] -= 1;
                let mut max_pos = i - W[j];
                for v in 0..k {
                    let c = counts[j][v];
                    if max_cnt[j] < c || (max_cnt[j] == c && max_pos <= poses[j][v]) {
                        max_cnt[j] = c;
                        frequent[j] = v as u8;
                        max_pos = poses[j][v];
                    }
                }
            }
        }
    }
    Some(score.prediction((len - W[0]) as u64, k))
}

#[cfg(test)]
mod tests {
    /// Hand check: a constant sequence is predicted right every time after the first window:
    /// C = N, the longest run is N, so p = 1 and H = 0.
    #[test]
    fn constant_is_fully_predicted() {
        let mut s = vec![1u8; 5000];
        s[0] = 0;
        let p = super::predict(&s, 2).unwrap();
        assert_eq!((p.correct, p.n, p.max_run), (4937, 4937, 4937));
        assert_eq!(p.entropy(), 0.0);
        assert!(super::predict(&s[..4095], 2).is_none());
    }
}
