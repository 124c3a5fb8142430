//! The little dense linear algebra localrank needs (ndarray has no solver): a Cholesky
//! factorisation and solve for the small symmetric positive-definite systems of ALS
//! (d×d, d ≤ a few hundred), used by the trainer and by on-device fold-in alike.

use ndarray::{Array1, Array2};

/// Solves `A x = b` for symmetric positive-definite `A` by Cholesky (`A = L Lᵀ`); only the lower
/// triangle of `A` (`a[[i, j]]`, j ≤ i) is read. Returns `None` when `A` is not (numerically)
/// positive definite.
pub fn cholesky_solve(a: &Array2<f64>, b: &Array1<f64>) -> Option<Array1<f64>> {
    Some(Cholesky::new(a)?.solve(b))
}

/// The factor `L` of `A = L Lᵀ`, kept to solve several right-hand sides with one factorisation
/// (explanations solve one system per returned item).
#[derive(Debug, Clone, PartialEq)]
pub struct Cholesky {
    l: Array2<f64>,
}

impl Cholesky {
    /// Factorises `A`, reading only its lower triangle; `None` when `A` is not (numerically)
    /// positive definite.
    pub fn new(a: &Array2<f64>) -> Option<Self> {
        let n = a.nrows();
        debug_assert_eq!(a.ncols(), n);
        // L row-major in a plain vector: the inner sums run over two contiguous row prefixes.
        let mut l = vec![0.0f64; n * n];
        for i in 0..n {
            for j in 0..=i {
                let (upper, row_i) = l.split_at_mut(i * n);
                let row_j = if j < i {
                    &upper[j * n..j * n + j]
                } else {
                    &row_i[..j]
                };
                let mut sum = a[[i, j]];
                for (&lik, &ljk) in row_i[..j].iter().zip(row_j) {
                    sum -= lik * ljk;
                }
                if i == j {
                    if sum <= 0.0 || !sum.is_finite() {
                        return None;
                    }
                    row_i[i] = sum.sqrt();
                } else {
                    row_i[j] = sum / upper[j * n + j];
                }
            }
        }
        Array2::from_shape_vec((n, n), l).ok().map(|l| Self { l })
    }

    /// `x` with `A x = b` (`b` of length n).
    pub fn solve(&self, b: &Array1<f64>) -> Array1<f64> {
        let l = &self.l;
        let n = l.nrows();
        debug_assert_eq!(b.len(), n);
        // Forward substitution L y = b, then back substitution Lᵀ x = y.
        let mut y = Array1::<f64>::zeros(n);
        for i in 0..n {
            let mut sum = b[i];
            for k in 0..i {
                sum -= l[[i, k]] * y[k];
            }
            y[i] = sum / l[[i, i]];
        }
        let mut x = Array1::<f64>::zeros(n);
        for i in (0..n).rev() {
            let mut sum = y[i];
            for k in i + 1..n {
                sum -= l[[k, i]] * x[k];
            }
            x[i] = sum / l[[i, i]];
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn reads_only_the_lower_triangle() {
        let a = array![[4.0, 2.0, 0.6], [2.0, 5.0, 1.0], [0.6, 1.0, 3.0]];
        let b = array![1.0, -2.0, 0.5];
        let mut lower = a.clone();
        for (i, j) in [(0, 1), (0, 2), (1, 2)] {
            lower[[i, j]] = f64::NAN;
        }
        let want = cholesky_solve(&a, &b).unwrap();
        let got = cholesky_solve(&lower, &b).unwrap();
        assert_eq!(got.mapv(f64::to_bits), want.mapv(f64::to_bits));
    }

    #[test]
    fn solves_a_known_spd_system() {
        let a = array![[4.0, 2.0, 0.6], [2.0, 5.0, 1.0], [0.6, 1.0, 3.0]];
        let x_true = array![1.0, -2.0, 0.5];
        let b = a.dot(&x_true);
        let x = cholesky_solve(&a, &b).expect("SPD");
        for (p, q) in x.iter().zip(&x_true) {
            assert!((p - q).abs() < 1e-12, "{x:?}");
        }
    }

    #[test]
    fn refuses_a_matrix_that_is_not_positive_definite() {
        let a = array![[1.0, 2.0], [2.0, 1.0]];
        assert!(cholesky_solve(&a, &array![1.0, 1.0]).is_none());
    }
}
