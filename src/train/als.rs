//! Implicit-feedback ALS (Hu, Koren & Volinsky, "Collaborative Filtering for Implicit Feedback
//! Datasets", ICDM 2008): alternating ridge solves with the `YᵀY` trick (eq. 4), every row of a
//! side solved in parallel ([`sweep`]) by conjugate gradient (the default, as `implicit` does)
//! or by an exact Cholesky solve ([`Solver`]); f32 factors ([`kernels::Real`]).
//!
//! Confidences are the device's: a user's item weight `w` comes from
//! [`crate::score::user::weights_newest_first`] over the sequence (`(item, kind)`, newest first), and
//! `c = 1 + α·w`, preference 1. Deterministic for any thread count: a seeded splitmix64
//! initialisation, each row's solve reads only its own inputs, sums over rows (Gram matrices,
//! loss) run in fixed chunks added in order, and no BLAS — same inputs, same bits.

mod kernels;
mod loss;
mod sweep;

use std::str::FromStr;
use std::time::{Duration, Instant};

use ndarray::Array2;

use super::{TrainParams, KIND_WEIGHTS};
use crate::history::EventKind;
use crate::rng::SplitMix64;
use crate::score::user::weights_newest_first;
use crate::{Error, Result};
use kernels::Real;
use sweep::{Csr, RowSolver};

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

/// How each row's ridge system is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solver {
    /// Exact: `A` formed and factorised per row, O(n·d² + d³) a row.
    Cholesky,
    /// `steps` conjugate-gradient steps per row, warm-started from the previous sweep
    /// (Takács et al. 2011), O(steps·(d² + n·d)) a row. `implicit` uses 3.
    Cg { steps: u32 },
}

impl Solver {
    /// The default: conjugate gradient with 3 steps, as `implicit`.
    pub const DEFAULT: Self = Self::Cg { steps: 3 };
}

impl FromStr for Solver {
    type Err = Error;

    /// `cholesky`, `cg` (3 steps) or `cg:N`.
    fn from_str(s: &str) -> Result<Self> {
        let bad =
            || Error::InvalidArgument(format!("solver must be cholesky, cg or cg:N, got {s:?}"));
        match s {
            "cholesky" => Ok(Self::Cholesky),
            "cg" => Ok(Self::DEFAULT),
            _ => match s.strip_prefix("cg:").map(str::parse) {
                Some(Ok(steps)) if steps > 0 => Ok(Self::Cg { steps }),
                _ => Err(bad()),
            },
        }
    }
}

/// Learned factors, one row per user / per item.
#[derive(Debug, Clone, PartialEq)]
pub struct Factors {
    pub users: Array2<f64>,
    pub items: Array2<f64>,
}

/// The factors while training: row-major tables of `d` values per row.
struct State {
    d: usize,
    lambda: f64,
    by_user: Csr,
    by_item: Csr,
    users: Vec<Real>,
    items: Vec<Real>,
}

/// What one sweep reports. The objective is computed only when [`Progress::loss`] is called.
#[derive(Clone, Copy)]
pub struct Progress<'a> {
    /// 1-based sweep number.
    pub iteration: usize,
    pub iterations: usize,
    /// Time since training started.
    pub elapsed: Duration,
    state: &'a State,
}

impl Progress<'_> {
    /// The full objective (eq. 3) over all user × item pairs, regulariser included; costs about
    /// a quarter of a sweep.
    pub fn loss(&self) -> f64 {
        let s = self.state;
        loss::loss(&s.by_user, &s.users, &s.items, s.d, s.lambda)
    }
}

impl std::fmt::Debug for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("iteration", &self.iteration)
            .field("iterations", &self.iterations)
            .field("elapsed", &self.elapsed)
            .finish_non_exhaustive()
    }
}

/// `YᵀY + λI` of a table, f64, both triangles.
fn regularised_gram(table: &[Real], d: usize, lambda: f64) -> Vec<f64> {
    let mut g = kernels::gram(table, d);
    for k in 0..d {
        g[k * d + k] += lambda;
    }
    g
}

fn to_array(table: &[Real], d: usize) -> Array2<f64> {
    Array2::from_shape_fn((table.len() / d, d), |(r, k)| f64::from(table[r * d + k]))
}

/// Runs `params.iterations` sweeps (users, then items) from a seeded random item side, on
/// `params.threads` threads (0: one per core); the result does not depend on the thread count.
pub fn train(
    inter: &Interactions,
    params: &TrainParams,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Factors> {
    let d = params.dim;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(params.threads)
        .build()
        .map_err(|e| {
            Error::InvalidArgument(format!("threads {}: no thread pool: {e}", params.threads))
        })?;
    let mut rng = SplitMix64(params.seed);
    let scale = 0.1 / (d as f64).sqrt();
    let items = (0..inter.by_item.len() * d)
        .map(|_| (scale * rng.symmetric()) as Real)
        .collect();
    let alpha = f64::from(params.alpha);
    let mut s = State {
        d,
        lambda: f64::from(params.lambda),
        by_user: Csr::new(&inter.by_user, alpha),
        by_item: Csr::new(&inter.by_item, alpha),
        users: vec![0.0; inter.by_user.len() * d],
        items,
    };
    let solver = match params.solver {
        Solver::Cholesky => RowSolver::Cholesky,
        Solver::Cg { steps } => RowSolver::Cg { steps },
    };
    let start = Instant::now();
    for it in 0..params.iterations {
        pool.install(|| {
            let base = regularised_gram(&s.items, d, s.lambda);
            sweep::solve_side(&s.items, &s.by_user, &mut s.users, &base, d, solver);
            let base = regularised_gram(&s.users, d, s.lambda);
            sweep::solve_side(&s.users, &s.by_item, &mut s.items, &base, d, solver);
        });
        progress(&Progress {
            iteration: it + 1,
            iterations: params.iterations,
            elapsed: start.elapsed(),
            state: &s,
        });
    }
    Ok(Factors {
        users: to_array(&s.users, d),
        items: to_array(&s.items, d),
    })
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
        train(&inter, &p, &mut |pr| losses.push(pr.loss())).unwrap();
        assert!(
            losses.windows(2).all(|w| w[1] <= w[0] * (1.0 + 1e-9)),
            "{losses:?}"
        );
    }

    #[test]
    fn an_item_nobody_touched_gets_a_zero_vector() {
        let p = params(3, 2);
        let inter = Interactions::from_sequences(&[vec![0, 1], vec![1]], 3, &p);
        let f = train(&inter, &p, &mut |_| {}).unwrap();
        assert!(f.items.row(2).iter().all(|v| *v == 0.0));
        assert!(f.items.row(0).iter().any(|v| *v != 0.0));
    }
}
