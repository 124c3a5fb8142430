//! One half-sweep of implicit ALS: every row of one side solved against the fixed other side,
//! in parallel over rows (rayon), each row by conjugate gradient or by Cholesky.
//!
//! Row `u`'s system is Hu, Koren & Volinsky's eq. 4 with `c = 1 + c'`, `c' = α·w`:
//! `(YᵀY + λI + Σ_j c'_j y_j y_jᵀ) x_u = Σ_j (1 + c'_j) y_j`. Conjugate gradient follows
//! Takács, Pilászy & Tikk, "Applications of the conjugate gradient method for implicit feedback
//! collaborative filtering" (RecSys 2011), as `implicit` does: a few steps per row, warm-started
//! from the row's previous value, `A p` computed as `(YᵀY + λI) p + Σ c'_j (y_j·p) y_j` without
//! forming `A`. A row's result depends only on its inputs, never on which thread ran it.

use ndarray::{Array1, Array2};
use rayon::prelude::*;

use super::kernels::{axpy, dot, sym_matvec, Real};
use crate::linalg::cholesky_solve;

/// One side's rows in compressed form: row `r`'s entries are
/// `entries[offsets[r]..offsets[r + 1]]`, each `(column, α·w)`.
#[derive(Debug, Clone)]
pub struct Csr {
    pub offsets: Vec<usize>,
    pub entries: Vec<(u32, Real)>,
}

impl Csr {
    /// Rows of `(column, w)` with the confidence scale applied.
    pub fn new(rows: &[Vec<(u32, f64)>], alpha: f64) -> Self {
        let mut offsets = Vec::with_capacity(rows.len() + 1);
        offsets.push(0);
        let mut entries = Vec::with_capacity(rows.iter().map(Vec::len).sum());
        for row in rows {
            entries.extend(row.iter().map(|&(j, w)| (j, (alpha * w) as Real)));
            offsets.push(entries.len());
        }
        Self { offsets, entries }
    }

    pub fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn row(&self, r: usize) -> &[(u32, Real)] {
        &self.entries[self.offsets[r]..self.offsets[r + 1]]
    }
}

/// How one row is solved.
#[derive(Debug, Clone, Copy)]
pub enum RowSolver {
    Cg { steps: u32 },
    Cholesky,
}

/// Below this squared residual a row counts as solved (`implicit`'s threshold).
const CG_TOLERANCE: Real = 1e-20;

/// Solves every row of `out` (`rows × d`, warm start for CG) against `fixed`, where
/// `base = YᵀY + λI` of `fixed` (d × d, f64, both triangles). Rows without entries get zeros:
/// `(YᵀY + λI)⁻¹ · 0`.
pub fn solve_side(
    fixed: &[Real],
    rows: &Csr,
    out: &mut [Real],
    base: &[f64],
    d: usize,
    solver: RowSolver,
) {
    debug_assert_eq!(out.len(), rows.rows() * d);
    match solver {
        RowSolver::Cg { steps } => {
            let a0: Vec<Real> = base.iter().map(|&v| v as Real).collect();
            out.par_chunks_mut(d).enumerate().for_each_init(
                || vec![0.0 as Real; 3 * d],
                |scratch, (r, x)| cg_row(&a0, fixed, rows.row(r), x, steps, scratch),
            );
        }
        RowSolver::Cholesky => {
            #[allow(clippy::expect_used)] // invariant: `base` is the d × d Gram matrix
            let a0 = Array2::from_shape_vec((d, d), base.to_vec()).expect("d × d values");
            out.par_chunks_mut(d)
                .enumerate()
                .for_each(|(r, x)| cholesky_row(&a0, fixed, rows.row(r), x));
        }
    }
}

/// `steps` conjugate-gradient steps on row `x` (in place), `a0 = YᵀY + λI`.
fn cg_row(
    a0: &[Real],
    fixed: &[Real],
    entries: &[(u32, Real)],
    x: &mut [Real],
    steps: u32,
    scratch: &mut [Real],
) {
    let d = x.len();
    if entries.is_empty() {
        x.fill(0.0);
        return;
    }
    let (r, rest) = scratch.split_at_mut(d);
    let (p, ap) = rest.split_at_mut(d);
    let y = |j: u32| &fixed[j as usize * d..(j as usize + 1) * d];
    // r = b − A x.
    sym_matvec(a0, x, r);
    r.iter_mut().for_each(|v| *v = -*v);
    for &(j, c) in entries {
        let yj = y(j);
        axpy(1.0 + c - c * dot(yj, x), yj, r);
    }
    p.copy_from_slice(r);
    let mut rs = dot(r, r);
    for _ in 0..steps {
        if rs < CG_TOLERANCE {
            break;
        }
        sym_matvec(a0, p, ap);
        for &(j, c) in entries {
            let yj = y(j);
            axpy(c * dot(yj, p), yj, ap);
        }
        let step = rs / dot(p, ap);
        axpy(step, p, x);
        axpy(-step, ap, r);
        let rs_new = dot(r, r);
        let beta = rs_new / rs;
        for (pi, ri) in p.iter_mut().zip(r.iter()) {
            *pi = ri + beta * *pi;
        }
        rs = rs_new;
    }
}

/// The exact solve of row `x`: `A` formed in f64 (lower triangle) and factorised.
fn cholesky_row(a0: &Array2<f64>, fixed: &[Real], entries: &[(u32, Real)], x: &mut [Real]) {
    let d = x.len();
    if entries.is_empty() {
        x.fill(0.0);
        return;
    }
    let mut a = a0.clone();
    let mut b = Array1::<f64>::zeros(d);
    for &(j, c) in entries {
        let yj = &fixed[j as usize * d..(j as usize + 1) * d];
        let c = f64::from(c);
        for p in 0..d {
            let yp = f64::from(yj[p]);
            b[p] += (1.0 + c) * yp;
            let s = c * yp;
            for q in 0..=p {
                a[[p, q]] += s * f64::from(yj[q]);
            }
        }
    }
    // λ > 0 keeps A positive definite; zeros are the safe answer should rounding fail it.
    match cholesky_solve(&a, &b) {
        Some(sol) => x.iter_mut().zip(&sol).for_each(|(xi, s)| *xi = *s as Real),
        None => x.fill(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    /// A small side: 6 rows over 5 fixed rows of d = 4, base = YᵀY + λI.
    fn fixture() -> (Vec<Real>, Csr, Vec<f64>) {
        let d = 4;
        let mut rng = SplitMix64(9);
        let fixed: Vec<Real> = (0..5 * d).map(|_| rng.unit()).collect();
        let rows: Vec<Vec<(u32, f64)>> = (0..6)
            .map(|u| {
                (0..5)
                    .filter(|j| (u + j) % 3 != 0)
                    .map(|j| (j, 0.5 + f64::from(j)))
                    .collect()
            })
            .collect();
        let mut base = super::super::kernels::gram(&fixed, d);
        for k in 0..d {
            base[k * d + k] += 1.0;
        }
        (fixed, Csr::new(&rows, 3.0), base)
    }

    #[test]
    fn conjugate_gradient_with_d_steps_reaches_the_cholesky_answer() {
        let (fixed, rows, base) = fixture();
        let mut exact = vec![0.0; 6 * 4];
        solve_side(&fixed, &rows, &mut exact, &base, 4, RowSolver::Cholesky);
        let mut cg = vec![0.0; 6 * 4];
        solve_side(&fixed, &rows, &mut cg, &base, 4, RowSolver::Cg { steps: 4 });
        for (a, b) in exact.iter().zip(&cg) {
            assert!(
                (a - b).abs() < 1e-4 * (1.0 + a.abs()),
                "{exact:?} vs {cg:?}"
            );
        }
    }

    #[test]
    fn a_row_without_entries_is_zero_for_both_solvers() {
        let (fixed, _, base) = fixture();
        let rows = Csr::new(&[vec![], vec![(1, 1.0)]], 2.0);
        for solver in [RowSolver::Cholesky, RowSolver::Cg { steps: 3 }] {
            let mut out = vec![1.0; 2 * 4];
            solve_side(&fixed, &rows, &mut out, &base, 4, solver);
            assert!(out[..4].iter().all(|v| *v == 0.0) && out[4..].iter().any(|v| *v != 0.0));
        }
    }
}
