//! Fused top-k: a bounded heap fed block by block, so scoring N items never materialises or sorts
//! an N-long score array. Once the heap is full, a candidate costs one integer compare against
//! the current k-th best; only those that beat it are checked for exclusion and pushed.
//!
//! Order is exactly [`crate::rank::top_k`]'s: higher score first by `f32::total_cmp`, equal scores
//! → lower index first (rows arrive in increasing index, so a later equal score never displaces).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::rank::Ranked;

/// The integer whose signed order is `f32::total_cmp`'s order (the same bit trick std uses).
#[inline(always)]
fn order_key(score: f32) -> i32 {
    let bits = score.to_bits() as i32;
    bits ^ ((((bits >> 31) as u32) >> 1) as i32)
}

/// Heap entry; "greater" means worse, so the heap's top is the current k-th best.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: i32,
    index: u32,
    score: f32,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key).then(self.index.cmp(&other.index))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}

/// The best `k` of a stream of `(index, score)` offered in increasing index order.
#[derive(Debug)]
pub struct TopK {
    k: usize,
    heap: BinaryHeap<Entry>,
    /// Key of the heap's worst entry once the heap is full.
    threshold: i32,
}

impl TopK {
    /// An empty selection of at most `k` items.
    pub fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k.min(1 << 16) + 1),
            threshold: i32::MAX,
        }
    }

    /// Offers `scores[i]` as item `first + i`, skipping items for which `excluded` is true.
    #[inline]
    pub fn offer_block(&mut self, first: u32, scores: &[f32], excluded: &impl Fn(u32) -> bool) {
        // Once the heap is full most blocks hold nothing better than its worst entry: one
        // vectorisable max over the block skips them.
        if self.heap.len() >= self.k {
            let best = scores.iter().fold(i32::MIN, |m, &s| m.max(order_key(s)));
            if best <= self.threshold {
                return;
            }
        }
        for (i, &score) in scores.iter().enumerate() {
            let key = order_key(score);
            let full = self.heap.len() >= self.k;
            if full && key <= self.threshold {
                continue;
            }
            let index = first + i as u32;
            if excluded(index) {
                continue;
            }
            if full {
                self.heap.pop();
            }
            self.heap.push(Entry { key, index, score });
            if self.heap.len() >= self.k {
                self.threshold = self.heap.peek().map_or(i32::MAX, |worst| worst.key);
            }
        }
    }

    /// The selection, best first.
    pub fn into_sorted(self) -> Vec<Ranked> {
        // `into_sorted_vec` is ascending by `Ord`, i.e. best first.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|e| Ranked {
                index: e.index,
                score: e.score,
            })
            .collect()
    }
}
