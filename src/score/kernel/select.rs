//! Fused top-k: a bounded selection fed block by block, so scoring N items never materialises or
//! sorts an N-long score array. Once a threshold exists, a candidate costs one integer compare
//! against it (a whole block one compare of its best key); only those that beat it are checked
//! for exclusion and kept.
//!
//! Order is exactly [`crate::rank::top_k`]'s: higher score first by `f32::total_cmp`, equal scores
//! → lower index first (rows arrive in increasing index, so a later equal score never displaces).

use super::{order_key, GROUP};
use crate::rank::Ranked;

/// A candidate packed in one word whose *smaller* value is the better item: the high half is
/// the order key complemented (higher score first), the low half the index (lower first on equal
/// scores). Integer compares make selection and sorting cheap; the score is recovered from the
/// key ([`order_key`] is its own inverse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry(u64);

impl Entry {
    fn new(key: i32, index: u32) -> Self {
        // `key as u32 ^ 2³¹` maps i32 order onto u32 order; `!` reverses it.
        let word = !((key as u32) ^ 0x8000_0000);
        Entry((u64::from(word) << 32) | u64::from(index))
    }

    fn key(self) -> i32 {
        (!((self.0 >> 32) as u32) ^ 0x8000_0000) as i32
    }

    fn index(self) -> u32 {
        self.0 as u32
    }

    fn score(self) -> f32 {
        // `order_key`'s bit flip, applied to the key, gives the score's bits back.
        let key = self.key();
        f32::from_bits((key ^ ((((key >> 31) as u32) >> 1) as i32)) as u32)
    }
}

/// The best `k` of a stream of `(index, score)` offered in increasing index order.
///
/// Candidates that beat the current threshold are appended to a buffer; when it holds `2k`, a
/// linear-time selection keeps the best `k` and raises the threshold to the k-th best key. That is
/// amortised O(1) per candidate, cheaper than a binary heap's O(log k) push and pop while many
/// candidates still arrive (the first ~100 k items of a catalogue).
#[derive(Debug)]
pub struct TopK {
    k: usize,
    /// [`Entry`] words, kept as plain `u64`: every integer sort in the crate is a `u64` sort, so
    /// the wasm module carries one copy of the sorting code (each instantiation is ~3.5 KB).
    buf: Vec<u64>,
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
        // Ascending order is best first: after this, `buf[k - 1]` is the k-th best.
        self.buf.select_nth_unstable(self.k - 1);
        self.buf.truncate(self.k);
        self.threshold = Some(Entry(self.buf[self.k - 1]).key());
    }

    /// Offers `scores[i]` as item `first + i`, skipping items for which `excluded` is true.
    /// `groups[g]` must be at least the largest [`order_key`] of `scores[g·GROUP..(g+1)·GROUP]`
    /// and `best_key` at least the largest of all: once a threshold exists, most blocks hold
    /// nothing better and are skipped on `best_key` alone, and in the others only the groups that
    /// beat it are looked at item by item.
    #[inline]
    pub fn offer_block(
        &mut self,
        first: u32,
        scores: &[f32],
        groups: &[i32],
        best_key: i32,
        excluded: &impl Fn(u32) -> bool,
    ) {
        if self.k == 0 || self.threshold.is_some_and(|t| best_key <= t) {
            return;
        }
        for (g, &group_key) in groups.iter().enumerate() {
            if self.threshold.is_some_and(|t| group_key <= t) {
                continue;
            }
            let start = g * GROUP;
            let group = &scores[start..scores.len().min(start + GROUP)];
            // The items above the threshold as a bit mask; only those are visited. A compaction inside the group raises the threshold,
            // so each visited item is checked again.
            let mut mask = match self.threshold {
                Some(t) => above(group, t),
                None => (1u32 << group.len()) - 1,
            };
            while mask != 0 {
                let i = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                let score = group[i];
                let key = order_key(score);
                if self.threshold.is_some_and(|t| key <= t) {
                    continue;
                }
                let index = first + (start + i) as u32;
                if excluded(index) {
                    continue;
                }
                self.buf.push(Entry::new(key, index).0);
                if self.buf.len() >= 2 * self.k {
                    self.compact();
                }
            }
        }
    }

    /// The selection, best first.
    pub fn into_sorted(self) -> Vec<Ranked> {
        sorted_words(self.buf, self.k)
    }
}

/// The best `k` of `list` in [`TopK`]'s order (the GPU's per-workgroup winners are merged with
/// it), by the same `u64` sort.
pub fn best_first(list: &[Ranked], k: usize) -> Vec<Ranked> {
    let words = list
        .iter()
        .map(|r| Entry::new(order_key(r.score), r.index).0)
        .collect();
    sorted_words(words, k)
}

/// [`Entry`] words sorted (best first), cut to `k` and unpacked.
fn sorted_words(mut words: Vec<u64>, k: usize) -> Vec<Ranked> {
    words.sort_unstable();
    words.truncate(k);
    words
        .into_iter()
        .map(Entry)
        .map(|e| Ranked {
            index: e.index(),
            score: e.score(),
        })
        .collect()
}

/// Bit `i` set when `order_key(scores[i]) > t` (at most 32 scores).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn above(scores: &[f32], t: i32) -> u32 {
    scores
        .iter()
        .enumerate()
        .fold(0, |m, (i, &s)| m | (u32::from(order_key(s) > t) << i))
}

/// Bit `i` set when `order_key(scores[i]) > t`: four scores per compare and `i32x4.bitmask`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn above(scores: &[f32], t: i32) -> u32 {
    use core::arch::wasm32::{
        i32x4_bitmask, i32x4_gt, i32x4_shr, i32x4_splat, u32x4_shr, v128, v128_load, v128_xor,
    };
    let tv = i32x4_splat(t);
    let mut quads = scores.chunks_exact(4);
    let mut mask = 0u32;
    for (q, c) in (&mut quads).enumerate() {
        // SAFETY: `c` is four f32 (16 bytes); wasm loads need no alignment.
        let s = unsafe { v128_load(c.as_ptr().cast::<v128>()) };
        let key = v128_xor(s, u32x4_shr(i32x4_shr(s, 31), 1));
        mask |= u32::from(i32x4_bitmask(i32x4_gt(key, tv))) << (4 * q);
    }
    let done = scores.len() - quads.remainder().len();
    for (i, &s) in quads.remainder().iter().enumerate() {
        mask |= u32::from(order_key(s) > t) << (done + i);
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_first_orders_like_total_cmp_then_index() {
        let specials = [
            f32::NAN,
            -f32::NAN,
            f32::from_bits(0x7fc0_1234),
            0.0,
            -0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE / 4.0,
            1.5,
            -1.5,
        ];
        let mut rng = crate::rng::SplitMix64(7);
        for round in 0..200 {
            let list: Vec<Ranked> = (0..40)
                .map(|_| {
                    let state = rng.next_u64();
                    Ranked {
                        score: specials[(state % 10) as usize],
                        index: ((state >> 8) % 6) as u32
                            + if round % 2 == 0 { 0 } else { u32::MAX - 6 },
                    }
                })
                .collect();
            let mut want = list.clone();
            want.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
            for k in [0, 1, 7, 40, 100] {
                let got = best_first(&list, k);
                let expect = &want[..k.min(want.len())];
                assert_eq!(got.len(), expect.len());
                for (g, e) in got.iter().zip(expect) {
                    assert_eq!((g.index, g.score.to_bits()), (e.index, e.score.to_bits()));
                }
            }
        }
    }

    #[test]
    fn above_marks_exactly_the_scores_above_the_threshold() {
        let scores: Vec<f32> = (0..19).map(|i| (i as f32 - 9.0) * 0.5).collect();
        for t in [-1.0f32, 0.0, 2.25, 100.0] {
            for len in [0, 3, 4, 16, 19] {
                let want = (0..len).fold(0u32, |m, i| {
                    m | (u32::from(order_key(scores[i]) > order_key(t)) << i)
                });
                assert_eq!(above(&scores[..len], order_key(t)), want, "t={t} len={len}");
            }
        }
    }

    #[test]
    fn entries_order_best_first_and_give_back_key_index_and_score_bits() {
        let scores = [
            f32::NEG_INFINITY,
            -3.5,
            -0.0,
            0.0,
            1e-30,
            2.25,
            f32::INFINITY,
        ];
        let mut entries = Vec::new();
        for (i, &s) in scores.iter().enumerate() {
            for index in [0, 7, u32::MAX] {
                let e = Entry::new(order_key(s), index);
                assert_eq!(e.key(), order_key(s));
                assert_eq!(e.index(), index);
                assert_eq!(e.score().to_bits(), s.to_bits());
                entries.push((i, index, e));
            }
        }
        entries.sort_by_key(|&(_, _, e)| e);
        // Best first: higher score (total order), then lower index.
        let want: Vec<(usize, u32)> = (0..scores.len())
            .rev()
            .flat_map(|i| [0, 7, u32::MAX].map(|x| (i, x)))
            .collect();
        let got: Vec<(usize, u32)> = entries.iter().map(|&(i, x, _)| (i, x)).collect();
        assert_eq!(got, want);
    }
}
