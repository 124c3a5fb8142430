//! "Because you viewed …": which history items made a recommended item score high.
//!
//! The score of item `j` (docs/FORMAT.md § 2) is `dense_j + n_j` with `dense_j ≈ y_jᵀ u + b_j`.
//! Fold-in is linear in its right-hand side: `u = A⁻¹ b` with `b = Σ_i (1 + α w_i) y_i` over the
//! distinct history items `i` (§ 2.1), so for the `A` of this history
//!
//! ```text
//! y_jᵀ u = Σ_i (1 + α w_i) · y_jᵀ A⁻¹ y_i          (one term per history item)
//! n_j    = Σ_r position_weight[r] · w(item_r → j) · scale   (§ 2.3, one term per recent event)
//! ```
//!
//! (Hu, Koren & Volinsky 2008, § 5, explain ALS recommendations the same way.) The contribution
//! of history item `i` to `j` is its dense term plus the neighbour terms of its recent events;
//! the contributions sum to the score minus the popularity bias `b_j`, up to the int8
//! quantisation of `u` (§ 2.2). `A` is factorised once per request and one system is solved per
//! returned item, on the CPU whatever backend ranked them: O(d³ + k·d² + k·h·d) for `k` items and
//! `h` distinct history items, and the same reasons on every backend.
//!
//! A reason's `weight` is the item's share of the positive contributions (so the weights of all
//! positive contributors sum to 1; the bias is nobody's). The [`REASONS`] largest positive
//! contributors are named; an item that no history item pushes up (only popular) has none.

use ndarray::Array1;

use super::fold::FoldState;
use super::user::weights_newest_first;
use crate::history::EventKind;
use crate::linalg::Cholesky;
use crate::model::Model;

/// How many history items a recommendation names at most.
pub const REASONS: usize = 3;

/// One history item behind a recommendation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reason {
    /// The history item's row.
    pub row: u32,
    /// Its share of the positive contributions to the recommended item's score, in (0, 1].
    pub weight: f32,
}

/// What explaining needs of one history: the fold-in system factorised and each history item's
/// dense coefficient `1 + α w_i`.
pub struct Explainer<'m> {
    model: &'m Model,
    factor: Option<Cholesky>,
    /// `(row, 1 + α w_i)` ascending by row, with `y_i`.
    sources: Vec<(u32, f64, Array1<f64>)>,
    /// The newest known rows, newest first, as many as `NBRS` positions.
    recent: Vec<u32>,
}

impl<'m> Explainer<'m> {
    /// The explainer of a history given as known rows, newest first
    /// ([`super::fold::known_rows`]).
    pub fn new(model: &'m Model, rows: &[(u32, EventKind)]) -> Self {
        Self::with_state(model, rows, &FoldState::rebuild(model, rows))
    }

    /// [`Self::new`] with the fold-in state of those rows at hand — the engine keeps it up to
    /// date event by event — instead of rebuilding it: the O(h·d²) rebuild was most of what
    /// `recommend({explain: true})` cost (docs/BENCHMARKS.md, issue 15). `state` must be the
    /// state of `rows` (rebuilt or updated per event: equal within rounding).
    pub fn with_state(model: &'m Model, rows: &[(u32, EventKind)], state: &FoldState) -> Self {
        let f = &model.fold;
        let alpha = f64::from(f.alpha);
        let sources = weights_newest_first(rows.iter().copied(), &f.kind_weights, f.decay)
            .into_iter()
            .map(|(i, w)| (i, 1.0 + alpha * w, row_f64(model, i)))
            .collect();
        Self {
            model,
            factor: Cholesky::new(state.system()),
            sources,
            recent: state.recent().to_vec(),
        }
    }

    /// Every history item's contribution to item `j`'s score, `(row, contribution)` ascending
    /// by row (see the module docs); empty for an empty history.
    pub fn contributions(&self, j: u32) -> Vec<(u32, f64)> {
        let Some(factor) = &self.factor else {
            return Vec::new();
        };
        if self.sources.is_empty() || j as usize >= self.model.len() {
            return Vec::new();
        }
        let z = factor.solve(&row_f64(self.model, j));
        let mut out: Vec<(u32, f64)> = self
            .sources
            .iter()
            .map(|(i, c, y)| (*i, c * z.iter().zip(y).map(|(a, b)| a * b).sum::<f64>()))
            .collect();
        if let Some(nb) = &self.model.extra.neighbours {
            for (&i, &pw) in self.recent.iter().zip(&nb.position_weights) {
                let (targets, weights) = nb.of(i as usize);
                let hit = targets.iter().zip(weights).find(|e| *e.0 == j);
                if let (Some((_, &w)), Ok(at)) = (hit, out.binary_search_by_key(&i, |e| e.0)) {
                    out[at].1 += f64::from(u32::from(pw) * u32::from(w)) * f64::from(nb.scale);
                }
            }
        }
        out
    }

    /// The [`REASONS`] history items that contributed most to item `j`, largest first (ties to
    /// the lower row), each with its share of the positive contributions.
    pub fn reasons(&self, j: u32) -> Vec<Reason> {
        let mut positive: Vec<(u32, f64)> = self
            .contributions(j)
            .into_iter()
            .filter(|&(_, c)| c > 0.0 && c.is_finite())
            .collect();
        let total: f64 = positive.iter().map(|&(_, c)| c).sum();
        // The few largest by repeated selection (rows ascending, so the first maximum is the
        // lower row): no general sort's code in the wasm module for three items.
        let mut out = Vec::with_capacity(REASONS);
        while out.len() < REASONS {
            let Some(best) =
                (0..positive.len()).reduce(
                    |b, i| {
                        if positive[i].1 > positive[b].1 {
                            i
                        } else {
                            b
                        }
                    },
                )
            else {
                break;
            };
            let (row, c) = positive.remove(best);
            out.push(Reason {
                row,
                weight: (c / total) as f32,
            });
        }
        out
    }
}

/// Row `i` dequantised, in f64.
fn row_f64(model: &Model, i: u32) -> Array1<f64> {
    model.table.dequantised_row(i as usize).mapv(f64::from)
}
