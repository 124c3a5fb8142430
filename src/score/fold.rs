//! The fold-in state of one shopper, kept up to date event by event: `A` and `b` of the
//! implicit-ALS normal equations (docs/FORMAT.md § 2.1), the seen rows and the newest rows the
//! `NBRS` term reads. [`FoldState::rebuild`] computes them from the whole history exactly as the
//! formula is written (bit for bit the literal order); [`FoldState::push`] applies one new event
//! in O(d²), so a query never re-reads the history.
//!
//! The recursion. With `w_i = Σ_r kind_weight · decay^r` over item i's events, a new event of
//! weight `c` on row `j` makes every older event one position older: `w_i ← decay · w_i + c·[i = j]`.
//! `A = G + λI + α Σ w_i y_i y_iᵀ`, so `A ← B + decay · (A − B) + α c y_j y_jᵀ` with `B = G + λI`.
//! `b = Σ_i (1 + α w_i) y_i = D + α Σ w_i y_i` where `D` is the sum of the *distinct* seen rows
//! (the "1 +" does not decay), so `b ← D' + decay · (b − D) + α c y_j`, `D' = D + y_j` when j is
//! new. Rounding differs from the literal order (the user vector agrees within 1e-6 relative;
//! `tests/incremental.rs`); the engine rebuilds whenever the history changes other than by an
//! append (cap trim, import, clear, open, another tab's events).

use ndarray::{Array1, Array2};

use super::QuantisedUser;
use crate::history::{EventKind, History};
use crate::linalg::cholesky_solve;
use crate::model::Model;

/// The rows of the history's events whose key the model knows, newest first (the `r` order of
/// § 2.1 and § 2.3), with their kinds: one key lookup per event.
pub fn known_rows(model: &Model, history: &History) -> Vec<(u32, EventKind)> {
    history
        .events()
        .rev()
        .filter_map(|e| Some((model.keys.index_of(&e.key)?, e.kind)))
        .collect()
}

/// `A`, `b`, the seen rows and the newest rows of one history.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldState {
    /// `G + λI + α Σ w_i y_i y_iᵀ`; only the lower triangle is kept up to date (all the solver reads).
    a: Array2<f64>,
    /// `Σ_i (1 + α w_i) y_i`.
    b: Array1<f64>,
    /// `D`: the sum of the distinct seen rows.
    distinct: Vec<f64>,
    /// Distinct known rows, ascending (the exclusions of "exclude seen").
    seen: Vec<u32>,
    /// Known rows, newest first, at most [`Self::positions`] (what `NBRS` reads).
    recent: Vec<u32>,
    /// `P`: the `NBRS` positions (0 without the section).
    positions: usize,
    /// The quantised solution, once computed (a query after no new event costs no solve).
    user: Option<QuantisedUser>,
    /// λ' of `B = G + λ'I` for the current seen rows (the model's `FREG` mode).
    lambda: f64,
}

impl FoldState {
    /// The state of `rows` (newest first, as [`known_rows`] gives them), summed in the literal
    /// order of § 2.1: weights per row in the order of r, then rank-1 updates ascending by row.
    pub fn rebuild(model: &Model, rows: &[(u32, EventKind)]) -> Self {
        let d = model.dim();
        let f = &model.fold;
        let positions = model
            .extra
            .neighbours
            .as_ref()
            .map_or(0, |nb| nb.position_weights.len());
        let weights =
            super::user::weights_newest_first(rows.iter().copied(), &f.kind_weights, f.decay);
        let alpha = f64::from(f.alpha);
        let lambda = lambda_for(model, weights.len());
        // Built element by element so it is in standard (row-major) layout whatever the Gram's.
        let mut a = Array2::from_shape_fn((d, d), |(p, q)| base(model, lambda, p, q));
        let mut b = Array1::<f64>::zeros(d);
        let mut distinct = vec![0f64; d];
        // The rank-1 updates of the lower triangle only, row by row over contiguous slices: the
        // same products and sums in the same order as `a[[p, q]] += aw · y[p] · y[q]`.
        #[allow(clippy::expect_used)] // invariant: `from_shape_fn` builds a standard-layout array
        let a_rows = a
            .as_slice_mut()
            .expect("from_shape_fn builds a row-major array");
        for &(i, w) in &weights {
            let y = dequantised(model, i);
            let aw = alpha * w;
            for (p, ((a_row, &yp), (bp, dp))) in a_rows
                .chunks_exact_mut(d.max(1))
                .zip(&y)
                .zip(b.iter_mut().zip(distinct.iter_mut()))
                .enumerate()
            {
                *bp += (1.0 + aw) * yp;
                *dp += yp;
                let s = aw * yp;
                for (x, &yq) in a_row[..=p].iter_mut().zip(&y) {
                    *x += s * yq;
                }
            }
        }
        Self {
            a,
            b,
            distinct,
            seen: weights.iter().map(|&(i, _)| i).collect(),
            recent: rows.iter().take(positions).map(|&(i, _)| i).collect(),
            positions,
            user: None,
            lambda,
        }
    }

    /// The state of an empty history.
    pub fn empty(model: &Model) -> Self {
        Self::rebuild(model, &[])
    }

    /// Applies one new event on a known row `row` (the recursion in the module docs), O(d²).
    pub fn push(&mut self, model: &Model, row: u32, kind: EventKind) {
        let d = model.dim();
        let f = &model.fold;
        let decay = f64::from(f.decay);
        let c = f64::from(f.kind_weights.get(kind.index()).copied().unwrap_or(0.0));
        let ac = f64::from(f.alpha) * c;
        self.user = None;
        let y = dequantised(model, row);
        let fresh = match self.seen.binary_search(&row) {
            Ok(_) => false,
            Err(at) => {
                self.seen.insert(at, row);
                true
            }
        };
        // B changes with λ' when λ scales with the distinct items (`FREG` mode 1).
        let (old_lambda, lambda) = (self.lambda, lambda_for(model, self.seen.len()));
        self.lambda = lambda;
        if let Some(a_rows) = self.a.as_slice_mut() {
            for (p, (a_row, &yp)) in a_rows.chunks_exact_mut(d.max(1)).zip(&y).enumerate() {
                let s = ac * yp;
                for (q, (x, &yq)) in a_row[..=p].iter_mut().zip(&y).enumerate() {
                    let bq = base(model, lambda, p, q);
                    let old = base(model, old_lambda, p, q);
                    *x = bq + decay * (*x - old) + s * yq;
                }
            }
        }
        for ((bp, dp), &yp) in self.b.iter_mut().zip(self.distinct.iter_mut()).zip(&y) {
            let old = *dp;
            if fresh {
                *dp += yp;
            }
            *bp = *dp + decay * (*bp - old) + ac * yp;
        }
        if self.positions > 0 {
            self.recent.insert(0, row);
            self.recent.truncate(self.positions);
        }
    }

    /// The user's f32 vector: the solution of `A u = b`; all zeros when no known item was seen
    /// (or, should rounding ever defeat λ > 0, when `A` is not positive definite).
    pub fn user_vector(&self) -> Array1<f32> {
        let d = self.b.len();
        if self.seen.is_empty() || d == 0 {
            return Array1::zeros(d);
        }
        cholesky_solve(&self.a, &self.b).map_or_else(|| Array1::zeros(d), |x| x.mapv(|v| v as f32))
    }

    /// [`Self::user_vector`] quantised (§ 2.2 step 1), solved once per change of the state.
    pub fn quantised_user(&mut self) -> &QuantisedUser {
        let user = match self.user.take() {
            Some(u) => u,
            None => QuantisedUser::new(&self.user_vector()),
        };
        self.user.insert(user)
    }

    /// `A = G + λI + α Σ w_i y_i y_iᵀ`, the system the user vector solves; only its lower
    /// triangle is up to date (what [`crate::linalg::Cholesky`] reads). Explanations split the
    /// solution `A⁻¹ b` into per-item terms with it ([`super::explain`]).
    pub fn system(&self) -> &Array2<f64> {
        &self.a
    }

    /// Distinct known rows of the history, ascending.
    pub fn seen(&self) -> &[u32] {
        &self.seen
    }

    /// The newest known rows, newest first (as many as `NBRS` positions).
    pub fn recent(&self) -> &[u32] {
        &self.recent
    }
}

/// λ' for a history of `distinct` known items: the model's λ, times `distinct` under
/// `FREG` mode 1 (docs/FORMAT.md § 2.1).
fn lambda_for(model: &Model, distinct: usize) -> f64 {
    model
        .extra
        .fold_regulariser
        .effective(f64::from(model.fold.lambda), distinct)
}

/// `B = G + λ'I`, element `(p, q)`.
fn base(model: &Model, lambda: f64, p: usize, q: usize) -> f64 {
    let g = f64::from(model.fold.gram[[p, q]]);
    if p == q {
        g + lambda
    } else {
        g
    }
}

/// Row `i` dequantised, in f64.
fn dequantised(model: &Model, i: u32) -> Vec<f64> {
    model
        .table
        .dequantised_row(i as usize)
        .iter()
        .map(|&v| f64::from(v))
        .collect()
}
