//! The CPU scorer. [`CpuScorer::scores`] is the reference, on ndarray: exact i32 dot products of
//! int8 (or 4-bit) rows, then the fixed f32 epilogue of the scoring contract (docs/FORMAT.md § 2.2).
//! [`CpuScorer::top_k`] is the fast path the engine uses: the best [`Kernel`] for this machine
//! scores blocks of rows and a bounded heap keeps the best k ([`super::kernel`]); it returns the
//! same ids and bit-identical scores as the reference followed by [`crate::rank::top_k`].

use ndarray::{Array1, ArrayView1, Zip};

use super::kernel::block::TableView;
use super::kernel::select::TopK;
use super::kernel::{order_key, Kernel, GROUP};
use super::QuantisedUser;
use crate::model::{ItemTable, Rows};
use crate::rank::{self, Ranked};

/// Scores every item of an [`ItemTable`] on the CPU.
#[derive(Debug, Clone, Default)]
pub struct CpuScorer;

/// The contract's epilogue: `(f32(acc) · s_j) · s_u + b_j`, each product rounded to f32, no FMA.
#[inline]
pub fn epilogue(acc: i32, row_scale: f32, user_scale: f32, bias: f32) -> f32 {
    let t = acc as f32 * row_scale;
    t * user_scale + bias
}

/// Exact int8·int8 dot product accumulated in i32 (|acc| ≤ 127²·1024 < 2³¹).
#[inline]
pub fn dot_i8(row: ArrayView1<'_, i8>, user: ArrayView1<'_, i8>) -> i32 {
    Zip::from(row)
        .and(user)
        .fold(0i32, |acc, &a, &b| acc + i32::from(a) * i32::from(b))
}

impl CpuScorer {
    /// Scores of all items for `user`, in row order.
    pub fn scores(&self, table: &ItemTable, user: &QuantisedUser) -> Array1<f32> {
        let q = user.q.view();
        let mut out = Array1::<f32>::zeros(table.len());
        match &table.rows {
            Rows::I8(rows) => Zip::from(&mut out)
                .and(rows.rows())
                .and(&table.scales)
                .and(&table.bias)
                .for_each(|o, row, &s, &b| *o = epilogue(dot_i8(row, q), s, user.scale, b)),
            Rows::I4(p) => Zip::indexed(&mut out)
                .and(&table.scales)
                .and(&table.bias)
                .for_each(|j, o, &s, &b| {
                    let acc = Zip::indexed(q).fold(0i32, |acc, k, &u| {
                        acc + i32::from(p.get(j, k)) * i32::from(u)
                    });
                    *o = epilogue(acc, s, user.scale, b)
                }),
        }
        out
    }

    /// Item `row`'s score, bit-identical to `self.scores(table, user)[row]`; `None` for a row
    /// the table does not have. What merchandising rules score their few rows with.
    pub fn score_row(&self, table: &ItemTable, user: &QuantisedUser, row: usize) -> Option<f32> {
        let (s, b) = (*table.scales.get(row)?, *table.bias.get(row)?);
        let q = user.q.view();
        let acc = match &table.rows {
            Rows::I8(rows) => dot_i8(rows.row(row), q),
            Rows::I4(p) => Zip::indexed(q).fold(0i32, |acc, k, &u| {
                acc + i32::from(p.get(row, k)) * i32::from(u)
            }),
        };
        Some(epilogue(acc, s, user.scale, b))
    }

    /// The best `k` items for `user`, best first, skipping rows for which `excluded(index)` is
    /// true; scored by [`Kernel::best`] with a fused top-k. `extra` is a sparse additive term,
    /// `(item, n)` pairs ascending by item, giving `score = dense + n` (one f32 addition — the
    /// neighbour term of docs/FORMAT.md § 2.3 with `n = f32(acc) × scale`); pass `&[]` for none.
    /// Same ids and score bits as [`Self::scores`] plus `extra`, then [`rank::top_k`].
    pub fn top_k(
        &self,
        table: &ItemTable,
        user: &QuantisedUser,
        k: usize,
        excluded: impl Fn(u32) -> bool,
        extra: &[(u32, f32)],
    ) -> Vec<Ranked> {
        self.top_k_with(Kernel::best(), table, user, k, excluded, extra)
    }

    /// [`Self::top_k`] with a given kernel (tests and benchmarks compare them).
    pub fn top_k_with(
        &self,
        kernel: Kernel,
        table: &ItemTable,
        user: &QuantisedUser,
        k: usize,
        excluded: impl Fn(u32) -> bool,
        extra: &[(u32, f32)],
    ) -> Vec<Ranked> {
        debug_assert!(
            extra.windows(2).all(|w| w[0].0 < w[1].0),
            "extra not ascending"
        );
        let Some(view) = TableView::new(table, user) else {
            let mut scores = self.scores(table, user).to_vec();
            for &(i, n) in extra {
                if let Some(s) = scores.get_mut(i as usize) {
                    *s += n;
                }
            }
            return rank::top_k(&scores, k, excluded);
        };
        let mut best = TopK::new(k);
        let mut pending = extra;
        view.for_each_block(kernel, |first, scores, groups, mut best_key| {
            let end = first + scores.len();
            while let Some((&(i, n), rest)) = pending.split_first() {
                let i = i as usize;
                if i >= end {
                    break;
                }
                if i >= first {
                    let r = i - first;
                    scores[r] += n;
                    let key = order_key(scores[r]);
                    groups[r / GROUP] = groups[r / GROUP].max(key);
                    best_key = best_key.max(key);
                }
                pending = rest;
            }
            best.offer_block(first as u32, scores, groups, best_key, &excluded)
        });
        best.into_sorted()
    }

    /// All scores computed by `kernel` (bit-identical to [`Self::scores`]).
    pub fn scores_with(
        &self,
        kernel: Kernel,
        table: &ItemTable,
        user: &QuantisedUser,
    ) -> Array1<f32> {
        let Some(view) = TableView::new(table, user) else {
            return self.scores(table, user);
        };
        let mut out = vec![0f32; view.len()];
        view.scores_into(kernel, &mut out);
        Array1::from(out)
    }
}
