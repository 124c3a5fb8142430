//! The reference CPU scorer, on ndarray: exact i32 dot products of int8 rows, then the fixed f32
//! epilogue of the scoring contract (docs/FORMAT.md § "Scoring contract").

use ndarray::{Array1, ArrayView1, Zip};

use super::QuantisedUser;
use crate::model::ItemTable;

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
        Zip::from(&mut out)
            .and(table.rows.rows())
            .and(&table.scales)
            .and(&table.bias)
            .for_each(|o, row, &s, &b| *o = epilogue(dot_i8(row, q), s, user.scale, b));
        out
    }
}
