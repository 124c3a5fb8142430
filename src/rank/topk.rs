//! Top-k selection without sorting all scores: a size-k min-heap, O(N log k).
//!
//! Order: higher score first; equal scores → lower item index first. Scores must be finite
//! (the model reader guarantees it), but NaN is ordered anyway by `f32::total_cmp` so the
//! function stays total.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An item row and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    pub index: u32,
    pub score: f32,
}

/// Heap entry ordered so that the *worst* candidate is the heap's maximum.
struct Worst(Ranked);

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        // "Greater" = worse = lower score, or same score and larger index.
        other
            .0
            .score
            .total_cmp(&self.0.score)
            .then(self.0.index.cmp(&other.0.index))
    }
}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Worst {}

/// The best `k` items by score, best first, skipping rows for which `excluded(index)` is true.
pub fn top_k(scores: &[f32], k: usize, excluded: impl Fn(u32) -> bool) -> Vec<Ranked> {
    if k == 0 {
        return Vec::new();
    }
    let mut heap: BinaryHeap<Worst> = BinaryHeap::with_capacity(k.min(scores.len()) + 1);
    for (i, &score) in scores.iter().enumerate() {
        let index = i as u32;
        if excluded(index) {
            continue;
        }
        let cand = Worst(Ranked { index, score });
        if heap.len() < k {
            heap.push(cand);
        } else if heap.peek().is_some_and(|worst| cand < *worst) {
            heap.pop();
            heap.push(cand);
        }
    }
    // into_sorted_vec is ascending by Ord, i.e. best first.
    heap.into_sorted_vec().into_iter().map(|w| w.0).collect()
}
