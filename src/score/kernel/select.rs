//! Fused top-k: a bounded selection fed block by block, so scoring N items never materialises or
//! sorts an N-long score array. Once a threshold exists, a candidate costs one integer compare
//! against it (a whole block one compare of its best key); only those that beat it are checked
//! for exclusion and kept.
//!
//! Order is exactly [`crate::rank::top_k`]'s: higher score first by `f32::total_cmp`, equal scores
//! → lower index first (rows arrive in increasing index, so a later equal score never displaces).

use std::cmp::Ordering;

use super::order_key;
use crate::rank::Ranked;

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
///
/// Candidates that beat the current threshold are appended to a buffer; when it holds `2k`, a
/// linear-time selection keeps the best `k` and raises the threshold to the k-th best key. That is
/// amortised O(1) per candidate, cheaper than a binary heap's O(log k) push and pop while many
/// candidates still arrive (the first ~100 k items of a catalogue).
#[derive(Debug)]
pub struct TopK {
    k: usize,
    buf: Vec<Entry>,
    /// After the first compaction: the key of the k-th best entry so far; a later item must beat
    /// it strictly (an equal key with a larger index is worse).
    threshold: Option<i32>,
}

impl TopK {
    /// An empty selection of at most `k` items.
    pub fn new(k: usize) -> Self {
        Self {
            k,
            buf: Vec::with_capacity(2 * k.min(1 << 16)),
            threshold: None,
        }
    }

    /// Keeps the best `k` of the buffer and sets the threshold to the k-th best key.
    fn compact(&mut self) {
        // Ascending `Ord` is best first: after this, `buf[k - 1]` is the k-th best.
        self.buf.select_nth_unstable(self.k - 1);
        self.buf.truncate(self.k);
        self.threshold = Some(self.buf[self.k - 1].key);
    }

    /// Offers `scores[i]` as item `first + i`, skipping items for which `excluded` is true.
    /// `best_key` must be at least the largest [`order_key`] of `scores`: once a threshold
    /// exists, most blocks hold nothing better and are skipped on that alone.
    #[inline]
    pub fn offer_block(
        &mut self,
        first: u32,
        scores: &[f32],
        best_key: i32,
        excluded: &impl Fn(u32) -> bool,
    ) {
        if self.k == 0 || self.threshold.is_some_and(|t| best_key <= t) {
            return;
        }
        for (i, &score) in scores.iter().enumerate() {
            let key = order_key(score);
            if self.threshold.is_some_and(|t| key <= t) {
                continue;
            }
            let index = first + i as u32;
            if excluded(index) {
                continue;
            }
            self.buf.push(Entry { key, index, score });
            if self.buf.len() >= 2 * self.k {
                self.compact();
            }
        }
    }

    /// The selection, best first.
    pub fn into_sorted(mut self) -> Vec<Ranked> {
        self.buf.sort_unstable();
        self.buf.truncate(self.k);
        self.buf
            .into_iter()
            .map(|e| Ranked {
                index: e.index,
                score: e.score,
            })
            .collect()
    }
}
