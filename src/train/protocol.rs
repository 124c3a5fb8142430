//! The fixed offline protocol of `localrank eval`: leave-one-out, full ranking over all items.
//!
//! * **validation**: models are trained on every user's `seq[:-2]`; each user with a non-empty
//!   `seq[:-2]` is asked for `seq[-2]` with input `seq[:-2]`;
//! * **test**: models are refitted on `seq[:-1]`; each user is asked for `seq[-1]` with input
//!   `seq[:-1]`.
//!
//! Items in the input are excluded from the ranking; ties go to the lower row (the device's
//! order). Reported: HR@10/20 and NDCG@10/20 (one relevant item, so NDCG = 1/log2(rank+2)).
//! Scoring runs on every core with [`std::thread::scope`]; a [`Ranker`] fills a score vector
//! for one input sequence.

use std::collections::HashSet;

use super::evaluate::ndcg_at;
use crate::rank::top_k;

/// Which target a split asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Target `seq[-2]`, input and training data `seq[:-2]`.
    Validation,
    /// Target `seq[-1]`, input and training data `seq[:-1]`.
    Test,
}

impl Phase {
    /// `"valid"` or `"test"`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Validation => "valid",
            Phase::Test => "test",
        }
    }

    fn held_out(self) -> usize {
        match self {
            Phase::Validation => 2,
            Phase::Test => 1,
        }
    }
}

/// One split: what models train on and what they are asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub phase: Phase,
    /// Every user's training prefix (also the evaluation input), in user order.
    pub train: Vec<Vec<u32>>,
    /// `(user, target)` for every user whose prefix is non-empty.
    pub cases: Vec<(usize, u32)>,
}

impl Split {
    /// Cuts every sequence for `phase`.
    pub fn new(sequences: &[Vec<u32>], phase: Phase) -> Self {
        let h = phase.held_out();
        let mut train = Vec::with_capacity(sequences.len());
        let mut cases = Vec::new();
        for (u, s) in sequences.iter().enumerate() {
            let cut = s.len().saturating_sub(h);
            train.push(s[..cut].to_vec());
            if cut > 0 {
                cases.push((u, s[cut]));
            }
        }
        Self {
            phase,
            train,
            cases,
        }
    }

    /// The input of case `c`.
    pub fn input(&self, c: usize) -> &[u32] {
        &self.train[self.cases[c].0]
    }

    /// The split with every training/input sequence shuffled (seeded): the order ablation.
    pub fn shuffled(&self, seed: u64) -> Self {
        let mut s = self.clone();
        let mut state = seed;
        for seq in &mut s.train {
            // Fisher–Yates with splitmix64.
            for i in (1..seq.len()).rev() {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                seq.swap(i, (z % (i as u64 + 1)) as usize);
            }
        }
        s
    }
}

/// Scores every item for one user (`user`: row in the split; `input`: that user's training
/// prefix, oldest first) into `out` (length = item count, zeroed).
pub trait Ranker: Sync {
    fn score(&self, user: usize, input: &[u32], out: &mut [f32]);
}

/// HR and NDCG at 10 and 20, averaged over the cases.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Quality {
    pub cases: usize,
    pub hr10: f64,
    pub ndcg10: f64,
    pub hr20: f64,
    pub ndcg20: f64,
}

impl Quality {
    /// Averages the 0-based ranks (`None`: below 20) of the held-out items.
    pub fn from_ranks(ranks: &[Option<usize>]) -> Self {
        let n = ranks.len().max(1) as f64;
        let hr = |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r < k)).count() as f64 / n;
        let ndcg = |k: usize| ranks.iter().map(|r| ndcg_at(*r, k)).sum::<f64>() / n;
        Self {
            cases: ranks.len(),
            hr10: hr(10),
            ndcg10: ndcg(10),
            hr20: hr(20),
            ndcg20: ndcg(20),
        }
    }
}

/// 0-based rank of `target` among the top 20 of `scores` with `input` excluded.
pub fn rank_of(scores: &[f32], input: &[u32], target: u32) -> Option<usize> {
    let seen: HashSet<u32> = input.iter().copied().collect();
    top_k(scores, 20, |i| seen.contains(&i))
        .iter()
        .position(|r| r.index == target)
}

/// The rank of every case's target under `ranker`, computed on all cores.
pub fn ranks(split: &Split, items: usize, ranker: &dyn Ranker) -> Vec<Option<usize>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let n = split.cases.len();
    let chunk = n.div_ceil(threads.max(1)).max(1);
    let mut out = vec![None; n];
    std::thread::scope(|s| {
        for (t, slot) in out.chunks_mut(chunk).enumerate() {
            s.spawn(move || {
                let mut scores = vec![0f32; items];
                for (o, c) in slot.iter_mut().zip(t * chunk..) {
                    scores.fill(0.0);
                    let input = split.input(c);
                    ranker.score(split.cases[c].0, input, &mut scores);
                    *o = rank_of(&scores, input, split.cases[c].1);
                }
            });
        }
    });
    out
}

/// [`ranks`] averaged into [`Quality`].
pub fn evaluate(split: &Split, items: usize, ranker: &dyn Ranker) -> Quality {
    Quality::from_ranks(&ranks(split, items, ranker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_hold_out_the_last_and_second_to_last_items() {
        let seqs = vec![vec![1, 2, 3, 4], vec![5, 6], vec![7]];
        let v = Split::new(&seqs, Phase::Validation);
        assert_eq!(v.train, vec![vec![1, 2], vec![], vec![]]);
        assert_eq!(v.cases, vec![(0, 3)]);
        let t = Split::new(&seqs, Phase::Test);
        assert_eq!(t.train, vec![vec![1, 2, 3], vec![5], vec![]]);
        assert_eq!(t.cases, vec![(0, 4), (1, 6)]);
        assert_eq!(t.input(1), [5]);
    }

    #[test]
    fn shuffling_keeps_the_items_and_changes_the_order() {
        let seqs = vec![(0..20).collect::<Vec<u32>>()];
        let t = Split::new(&seqs, Phase::Test);
        let s = t.shuffled(7);
        assert_ne!(s.train, t.train);
        let mut sorted = s.train[0].clone();
        sorted.sort_unstable();
        assert_eq!(sorted, t.train[0]);
        assert_eq!(s.cases, t.cases);
    }

    #[test]
    fn quality_matches_hand_computed_values() {
        // Ranks 0, 3, 12, none: HR@10 1/2, HR@20 3/4;
        // NDCG@10 (1 + 1/log2 5)/4, NDCG@20 adds 1/log2 14.
        let q = Quality::from_ranks(&[Some(0), Some(3), Some(12), None]);
        assert_eq!(q.cases, 4);
        assert!((q.hr10 - 0.5).abs() < 1e-12);
        assert!((q.hr20 - 0.75).abs() < 1e-12);
        let n10 = (1.0 + 1.0 / 5f64.log2()) / 4.0;
        assert!((q.ndcg10 - n10).abs() < 1e-12);
        assert!((q.ndcg20 - (n10 + 1.0 / 14f64.log2() / 4.0)).abs() < 1e-12);
    }

    #[test]
    fn the_input_is_excluded_and_ties_go_to_the_lower_row() {
        let scores = [0.5, 0.9, 0.5, 0.9, 0.1];
        assert_eq!(rank_of(&scores, &[1], 3), Some(0));
        assert_eq!(rank_of(&scores, &[1], 0), Some(1));
        assert_eq!(rank_of(&scores, &[1], 2), Some(2));
        assert_eq!(rank_of(&scores, &[], 3), Some(1));
    }
}
