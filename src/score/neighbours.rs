//! Scoring the optional `NBRS` section (docs/FORMAT.md § 2.3), in integer arithmetic so every
//! backend can match it bit for bit: walking the known history newest first, the r-th event
//! (r < P) adds `position_weight[r] · w` to each neighbour `j` of its item; then
//! `score_j = dense_j + f32(acc_j) × scale` (two f32 roundings, no FMA).
//!
//! `acc_j ≤ 256 · 255 · 255 < 2²⁴`, so `f32(acc_j)` is exact.

use crate::model::Neighbours;

/// The integer accumulators of § 2.3 for rows given newest first, as `(item, acc)` pairs
/// ascending by item with `acc ≠ 0` — the form every backend takes (the GPU binary-searches it).
pub fn accumulate(nb: &Neighbours, newest_first: &[u32]) -> Vec<(u32, u32)> {
    // Each contribution as `item << 32 | value` (value ≤ 255², the sum < 2²⁴).
    let mut keyed = Vec::new();
    for (&i, &pw) in newest_first.iter().zip(&nb.position_weights) {
        if pw == 0 {
            continue;
        }
        let (targets, weights) = nb.of(i as usize);
        for (&j, &w) in targets.iter().zip(weights) {
            keyed.push(u64::from(j) << 32 | u64::from(u32::from(pw) * u32::from(w)));
        }
    }
    let mut acc = super::sum_by_row(keyed, |value| value);
    acc.retain(|e| e.1 != 0);
    acc
}

/// The epilogue: `dense + f32(acc) × scale`, each step rounded to f32.
#[inline]
pub fn epilogue(dense: f32, acc: u32, scale: f32) -> f32 {
    let n = acc as f32 * scale;
    dense + n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_weigh_the_newest_events_and_stop_after_p() {
        // Item 0 → (1, w 10), item 1 → (2, w 4); P = 2 with weights 255, 100.
        let nb =
            Neighbours::new(vec![255, 100], 0.5, &[vec![(1, 10)], vec![(2, 4)], vec![]]).unwrap();
        // Newest first: 1 (r=0), 0 (r=1), 0 (r=2, beyond P).
        let acc = accumulate(&nb, &[1, 0, 0]);
        assert_eq!(acc, [(1, 100 * 10), (2, 255 * 4)]);
        assert_eq!(epilogue(1.0, 1000, 0.5), 501.0);
    }

    #[test]
    fn the_largest_accumulator_is_exact_in_f32() {
        let max = 256u32 * 255 * 255;
        assert!(max < 1 << 24);
        assert_eq!(max as f32 as u32, max);
    }
}
