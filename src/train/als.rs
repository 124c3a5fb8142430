//! Implicit-feedback ALS (Hu, Koren & Volinsky, "Collaborative Filtering for Implicit Feedback
//! Datasets", ICDM 2008): alternating exact ridge solves with the `YᵀY` trick (eq. 4), one
//! Cholesky solve per row via [`crate::linalg::cholesky_solve`].
//!
//! Confidences are the device's: a user's item weight `w` comes from
//! [`crate::score::user::weights_newest_first`] over the sequence (`(item, kind)`, newest first), and
//! `c = 1 + α·w`, preference 1. Deterministic by construction: a seeded splitmix64
//! initialisation, one thread, fixed loop order and no BLAS — same inputs, same bits.

use std::time::{Duration, Instant};

use ndarray::{Array1, Array2};

use super::{TrainParams, KIND_WEIGHTS};
use crate::history::EventKind;
use crate::linalg::cholesky_solve;
use crate::rng::SplitMix64;
use crate::score::user::weights_newest_first;

/// Sparse user × item weights, stored both ways (rows per user, rows per item).
#[derive(Debug, Clone, PartialEq)]
pub struct Interactions {
    /// `(item, w)` per user, items ascending.
    pub by_user: Vec<Vec<(u32, f64)>>,
    /// `(user, w)` per item, users ascending.
    pub by_item: Vec<Vec<(u32, f64)>>,
    /// Occurrences of each item across all sequences (repeats count).
    occurrences: Vec<u32>,
}

impl Interactions {
    /// Weights from chronological sequences of item rows (< `items`), all views, as fold-in
    /// computes them.
    pub fn from_sequences(sequences: &[Vec<u32>], items: usize, params: &TrainParams) -> Self {
        let with_kinds = sequences
            .iter()
            .map(|seq| seq.iter().map(|&i| (i, EventKind::View)).collect());
        Self::from_events(with_kinds, items, params)
    }

    /// Weights from chronological sequences of `(item row, kind)` (rows < `items`): exactly the
    /// weights fold-in computes on the device from the same events
    /// ([`weights_newest_first`] with the model's kind weights).
    pub fn from_events(
        sequences: impl IntoIterator<Item = Vec<(u32, EventKind)>>,
        items: usize,
        params: &TrainParams,
    ) -> Self {
        let mut by_item = vec![Vec::new(); items];
        let mut occurrences = vec![0u32; items];
        let mut by_user = Vec::new();
        for (u, seq) in sequences.into_iter().enumerate() {
            let weights =
                weights_newest_first(seq.iter().rev().copied(), &KIND_WEIGHTS, params.decay);
            for &(i, w) in &weights {
                by_item[i as usize].push((u as u32, w));
            }
            for &(i, _) in &seq {
                occurrences[i as usize] += 1;
            }
            by_user.push(weights);
        }
        Self {
            by_user,
            by_item,
            occurrences,
        }
    }

    /// Occurrences of each item, the popularity the bias is computed from.
    pub fn counts(&self) -> &[u32] {
        &self.occurrences
    }

    /// Number of (user, item) pairs with a weight.
    pub fn pairs(&self) -> usize {
        self.by_user.iter().map(Vec::len).sum()
    }
}

/// Learned factors, one row per user / per item.
#[derive(Debug, Clone, PartialEq)]
pub struct Factors {
    pub users: Array2<f64>,
    pub items: Array2<f64>,
}

/// What one sweep reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// 1-based sweep number.
    pub iteration: usize,
    pub iterations: usize,
    /// Time since training started.
    pub elapsed: Duration,
    /// The full objective (eq. 3) over all user × item pairs, regulariser included.
    pub loss: f64,
}

/// `Σ_r f_r f_rᵀ` over the rows of `f`, in a fixed order.
fn gram(f: &Array2<f64>) -> Array2<f64> {
    let d = f.ncols();
    let mut g = Array2::<f64>::zeros((d, d));
    for row in f.rows() {
        for p in 0..d {
            for q in p..d {
                g[[p, q]] += row[p] * row[q];
            }
        }
    }
    for p in 0..d {
        for q in 0..p {
            g[[p, q]] = g[[q, p]];
        }
    }
    g
}

/// Solves every row of `out` against the fixed side: `(G + λI + Σ αw f fᵀ)⁻¹ Σ (1+αw) f`.
fn solve_side(
    fixed: &Array2<f64>,
    rows: &[Vec<(u32, f64)>],
    out: &mut Array2<f64>,
    lambda: f64,
    alpha: f64,
) {
    let d = fixed.ncols();
    let mut base = gram(fixed);
    for k in 0..d {
        base[[k, k]] += lambda;
    }
    for (r, entries) in rows.iter().enumerate() {
        if entries.is_empty() {
            // (G + λI)⁻¹ · 0: no signal, no vector.
            out.row_mut(r).fill(0.0);
            continue;
        }
        let mut a = base.clone();
        let mut b = Array1::<f64>::zeros(d);
        for &(j, w) in entries {
            let y = fixed.row(j as usize);
            let aw = alpha * w;
            for p in 0..d {
                b[p] += (1.0 + aw) * y[p];
                let s = aw * y[p];
                for q in 0..d {
                    a[[p, q]] += s * y[q];
                }
            }
        }
        // λ > 0 keeps A positive definite; zeros are the safe answer should rounding fail it.
        match cholesky_solve(&a, &b) {
            Some(x) => out.row_mut(r).assign(&x),
            None => out.row_mut(r).fill(0.0),
        }
    }
}

/// The objective `Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ(‖X‖² + ‖Y‖²)`, all pairs included via
/// `Σ_u x_uᵀ (YᵀY) x_u` plus a correction over the observed pairs.
fn loss(inter: &Interactions, f: &Factors, lambda: f64, alpha: f64) -> f64 {
    let g = gram(&f.items);
    let mut total = 0.0;
    for (u, entries) in inter.by_user.iter().enumerate() {
        let x = f.users.row(u);
        total += x.dot(&g.dot(&x));
        for &(i, w) in entries {
            let s = x.dot(&f.items.row(i as usize));
            let c = 1.0 + alpha * w;
            total += c * (1.0 - s) * (1.0 - s) - s * s;
        }
    }
    let norms = f
        .users
        .iter()
        .chain(f.items.iter())
        .map(|v| v * v)
        .sum::<f64>();
    total + lambda * norms
}

/// Runs `params.iterations` sweeps (users, then items) from a seeded random item side.
pub fn train(
    inter: &Interactions,
    params: &TrainParams,
    progress: &mut dyn FnMut(&Progress),
) -> Factors {
    let d = params.dim;
    let mut rng = SplitMix64(params.seed);
    let scale = 0.1 / (d as f64).sqrt();
    let items = Array2::from_shape_fn((inter.by_item.len(), d), |_| scale * rng.symmetric());
    let mut f = Factors {
        users: Array2::zeros((inter.by_user.len(), d)),
        items,
    };
    let (lambda, alpha) = (f64::from(params.lambda), f64::from(params.alpha));
    let start = Instant::now();
    for it in 0..params.iterations {
        solve_side(&f.items, &inter.by_user, &mut f.users, lambda, alpha);
        solve_side(&f.users, &inter.by_item, &mut f.items, lambda, alpha);
        progress(&Progress {
            iteration: it + 1,
            iterations: params.iterations,
            elapsed: start.elapsed(),
            loss: loss(inter, &f, lambda, alpha),
        });
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(dim: usize, iterations: usize) -> TrainParams {
        TrainParams {
            dim,
            iterations,
            ..TrainParams::default()
        }
    }

    #[test]
    fn weights_follow_device_fold_in_recency() {
        let p = params(2, 1);
        let inter = Interactions::from_sequences(&[vec![0, 1, 0]], 2, &p);
        // Newest first: 0 (r=0), 1 (r=1), 0 (r=2).
        let d = f64::from(p.decay);
        assert_eq!(inter.by_user[0], vec![(0, 1.0 + d * d), (1, d)]);
        assert_eq!(inter.counts(), [2, 1]);
    }

    #[test]
    fn loss_decreases_over_sweeps() {
        let seqs: Vec<Vec<u32>> = (0..40)
            .map(|u| vec![u % 7, (u * 3) % 11, 11 + u % 3])
            .collect();
        let p = params(4, 5);
        let inter = Interactions::from_sequences(&seqs, 14, &p);
        let mut losses = Vec::new();
        train(&inter, &p, &mut |pr| losses.push(pr.loss));
        assert!(
            losses.windows(2).all(|w| w[1] <= w[0] * (1.0 + 1e-9)),
            "{losses:?}"
        );
    }

    #[test]
    fn an_item_nobody_touched_gets_a_zero_vector() {
        let p = params(3, 2);
        let inter = Interactions::from_sequences(&[vec![0, 1], vec![1]], 3, &p);
        let f = train(&inter, &p, &mut |_| {});
        assert!(f.items.row(2).iter().all(|v| *v == 0.0));
        assert!(f.items.row(0).iter().any(|v| *v != 0.0));
    }
}
