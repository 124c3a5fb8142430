//! From a local history to the user's vector, on the device: implicit-ALS fold-in.
//!
//! Formula (docs/FORMAT.md § "User vector"): walking the history newest first over events whose
//! key the model knows, the `r`-th event adds `kind_weight[kind] · decay^r` to its item's weight
//! `w_i`; then `u = (G + λI + α Σ_i w_i y_i y_iᵀ)⁻¹ Σ_i (1 + α w_i) y_i` with `y_i` the
//! dequantised rows and `G` the model's Gram matrix (Hu, Koren & Volinsky, ICDM 2008, eq. 4).

use ndarray::{Array1, Array2};

use crate::history::{EventKind, History};
use crate::linalg::cholesky_solve;
use crate::model::Model;

/// Per-item weights aggregated from the history as `(row, weight)` pairs, ascending by row (for
/// determinism).
pub fn item_weights(model: &Model, history: &History) -> Vec<(u32, f64)> {
    let f = &model.fold;
    // Unknown keys are kept in history but ignored for scoring (and do not advance `r`).
    let rows = history
        .events()
        .rev()
        .filter_map(|e| Some((model.keys.index_of(&e.key)?, e.kind)));
    weights_newest_first(rows, &f.kind_weights, f.decay)
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

/// The user's f32 vector from fold-in; all zeros when no known item is in the history.
pub fn fold_in(model: &Model, history: &History) -> Array1<f32> {
    let d = model.dim();
    let weights = item_weights(model, history);
    if weights.is_empty() || d == 0 {
        return Array1::zeros(d);
    }
    let f = &model.fold;
    let alpha = f64::from(f.alpha);
    // Built element by element so it is in standard (row-major) layout whatever the Gram's.
    let mut a = Array2::from_shape_fn((d, d), |(p, q)| f64::from(f.gram[[p, q]]));
    for k in 0..d {
        a[[k, k]] += f64::from(f.lambda);
    }
    let mut b = Array1::<f64>::zeros(d);
    // The rank-1 updates of the lower triangle only — all `cholesky_solve` reads — row by row
    // over contiguous slices (no per-element index arithmetic): the same products and sums in the
    // same order as `a[[p, q]] += aw · y[p] · y[q]`, so the solution is bit for bit the formula's,
    // at half the work.
    let a_rows = a
        .as_slice_mut()
        .expect("from_shape_fn builds a row-major array");
    for &(i, w) in &weights {
        let y = model.table.dequantised_row(i as usize).mapv(f64::from);
        let y = y.as_slice().expect("a fresh row is contiguous");
        let aw = alpha * w;
        for (p, ((a_row, &yp), bp)) in a_rows
            .chunks_exact_mut(d)
            .zip(y)
            .zip(b.iter_mut())
            .enumerate()
        {
            *bp += (1.0 + aw) * yp;
            let s = aw * yp;
            for (x, &yq) in a_row[..=p].iter_mut().zip(y) {
                *x += s * yq;
            }
        }
    }
    // λ > 0 (checked when the model is read) keeps A positive definite; zeros are a safe answer
    // should rounding ever defeat that.
    cholesky_solve(&a, &b).map_or_else(|| Array1::zeros(d), |x| x.mapv(|v| v as f32))
}
