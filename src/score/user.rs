//! From a local history to the user's vector, on the device: implicit-ALS fold-in.
//!
//! Formula (docs/FORMAT.md § "User vector"): walking the history newest first over events whose
//! key the model knows, the `r`-th event adds `kind_weight[kind] · decay^r` to its item's weight
//! `w_i`; then `u = (G + λI + α Σ_i w_i y_i y_iᵀ)⁻¹ Σ_i (1 + α w_i) y_i` with `y_i` the
//! dequantised rows and `G` the model's Gram matrix (Hu, Koren & Volinsky, ICDM 2008, eq. 4).

use ndarray::Array1;

use super::fold::{known_rows, FoldState};
use crate::history::{EventKind, History};
use crate::model::Model;

/// Per-item weights aggregated from the history as `(row, weight)` pairs, ascending by row (for
/// determinism). Unknown keys are kept in history but ignored for scoring (and do not advance `r`).
pub fn item_weights(model: &Model, history: &History) -> Vec<(u32, f64)> {
    let f = &model.fold;
    weights_newest_first(known_rows(model, history), &f.kind_weights, f.decay)
}

/// The weights of [`item_weights`] from `(row, kind)` pairs given newest first: the `r`-th pair
/// adds `kind_weights[kind] · decay^r` to its row. Shared with the trainer, so training
/// confidences are exactly the ones fold-in uses on the device.
pub fn weights_newest_first(
    rows: impl IntoIterator<Item = (u32, EventKind)>,
    kind_weights: &[f32],
    decay: f32,
) -> Vec<(u32, f64)> {
    let mut contribution = Vec::new(); // of the r-th event
    let mut order = Vec::new(); // row << 32 | r: each row's events summed in the order of r
    for (r, (i, kind)) in rows.into_iter().enumerate() {
        let kind_weight = kind_weights.get(kind.index()).copied().unwrap_or(0.0);
        contribution.push(f64::from(kind_weight) * f64::from(decay).powi(r as i32));
        debug_assert!(r <= u32::MAX as usize, "r must fit the key's low half");
        order.push(u64::from(i) << 32 | r as u64);
    }
    super::sum_by_row(order, |r| contribution[r as usize])
}

/// The user's f32 vector from fold-in; all zeros when no known item is in the history. The
/// literal formula, computed from the whole history ([`FoldState::rebuild`]).
pub fn fold_in(model: &Model, history: &History) -> Array1<f32> {
    FoldState::rebuild(model, &known_rows(model, history)).user_vector()
}
