//! Leave-last-out check (the `localrank eval` command): hold out each user's last item, train on
//! the rest, then score exactly as the device does — fold the user in from its history on the
//! *quantised* model, int8 scoring and the `NBRS` term ([`crate::score::query::Query::scores`]), rank all items with the
//! history excluded — and report HR@k and NDCG@k, next to a popularity-only baseline.
//!
//! A quick sanity check for choosing defaults, not a benchmark protocol: there is no separate
//! validation split, so numbers tuned on it are optimistic.

use std::collections::HashSet;

use super::experiment::history_of;
use super::{als, train_model, Dataset, TrainParams};
use crate::rank::top_k;
use crate::score::query::Query;
use crate::Result;

/// Hit rate and NDCG at a cut-off, averaged over the evaluated users.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub k: usize,
    pub users: usize,
    pub hit_rate: f64,
    pub ndcg: f64,
}

/// The model's metrics and the popularity baseline's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Report {
    pub model: Metrics,
    pub popularity: Metrics,
}

/// NDCG@k of one held-out item at 0-based position `rank` (`None`: not in the top k).
/// With a single relevant item the ideal DCG is 1, so NDCG = 1 / log2(rank + 2).
pub fn ndcg_at(rank: Option<usize>, k: usize) -> f64 {
    match rank {
        Some(r) if r < k => 1.0 / ((r + 2) as f64).log2(),
        _ => 0.0,
    }
}

/// Accumulates per-user results into [`Metrics`].
#[derive(Debug, Clone, Copy)]
struct Tally {
    k: usize,
    users: usize,
    hits: usize,
    ndcg: f64,
}

impl Tally {
    fn new(k: usize) -> Self {
        Self {
            k,
            users: 0,
            hits: 0,
            ndcg: 0.0,
        }
    }

    fn add(&mut self, rank: Option<usize>) {
        self.users += 1;
        self.hits += usize::from(rank.is_some_and(|r| r < self.k));
        self.ndcg += ndcg_at(rank, self.k);
    }

    fn metrics(&self) -> Metrics {
        let n = self.users.max(1) as f64;
        Metrics {
            k: self.k,
            users: self.users,
            hit_rate: self.hits as f64 / n,
            ndcg: self.ndcg / n,
        }
    }
}

/// Position of `target` in the top `k` of `scores`, with `seen` excluded.
fn rank_of(scores: &[f32], k: usize, seen: &HashSet<u32>, target: u32) -> Option<usize> {
    top_k(scores, k, |i| seen.contains(&i))
        .iter()
        .position(|r| r.index == target)
}

/// Trains on all but each user's last item and ranks that item for every user with ≥ 2 items.
pub fn leave_last_out(
    data: &Dataset,
    params: &TrainParams,
    k: usize,
    progress: &mut dyn FnMut(&als::Progress),
) -> Result<Report> {
    let split: Vec<(&[u32], u32)> = data
        .sequences
        .iter()
        .filter_map(|s| Some((s.split_last()?.1, *s.last()?)))
        .collect();
    let train = Dataset {
        sequences: split.iter().map(|(h, _)| h.to_vec()).collect(),
        ..data.clone()
    };
    let model = train_model(&train, params, progress)?;

    let mut counts = vec![0f32; data.items()];
    for &i in train.sequences.iter().flatten() {
        counts[i as usize] += 1.0;
    }
    let (mut ours, mut popular) = (Tally::new(k), Tally::new(k));
    for &(history, target) in split.iter().filter(|(h, _)| !h.is_empty()) {
        let seen: HashSet<u32> = history.iter().copied().collect();
        let query = Query::from_history(&model, &history_of(&model, history)?, Default::default())?;
        let scores = query.scores(&model.table);
        ours.add(rank_of(&scores, k, &seen, target));
        popular.add(rank_of(&counts, k, &seen, target));
    }
    Ok(Report {
        model: ours.metrics(),
        popularity: popular.metrics(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_of_a_single_item_is_one_over_log2_of_its_position_plus_one() {
        assert_eq!(ndcg_at(Some(0), 10), 1.0);
        // Position 3 (0-based 2): 1 / log2(4) = 0.5.
        assert!((ndcg_at(Some(2), 10) - 0.5).abs() < 1e-12);
        // 0-based 6: 1 / log2(8) = 1/3.
        assert!((ndcg_at(Some(6), 10) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(ndcg_at(Some(10), 10), 0.0);
        assert_eq!(ndcg_at(None, 10), 0.0);
    }

    #[test]
    fn metrics_average_over_users() {
        let mut t = Tally::new(10);
        t.add(Some(0)); // hit, ndcg 1
        t.add(Some(2)); // hit, ndcg 0.5
        t.add(None); //    miss
        t.add(Some(12)); // outside the cut-off
        let m = t.metrics();
        assert_eq!(m.users, 4);
        assert!((m.hit_rate - 0.5).abs() < 1e-12);
        assert!((m.ndcg - 1.5 / 4.0).abs() < 1e-12);
    }

    #[test]
    fn ranking_skips_seen_items_and_breaks_ties_by_index() {
        let scores = [0.9, 0.5, 0.9, 0.1];
        let seen: HashSet<u32> = [0].into_iter().collect();
        assert_eq!(rank_of(&scores, 2, &seen, 2), Some(0));
        assert_eq!(rank_of(&scores, 2, &seen, 1), Some(1));
        assert_eq!(rank_of(&scores, 2, &seen, 3), None);
    }
}
