//! Dense kernels of the ALS sweeps over row-major factor tables (`rows × d` values of
//! [`Real`]): dot products, axpy, a symmetric matrix–vector product and the Gram matrix.
//!
//! Rust does not reassociate float sums, so a plain `sum += a·b` loop stays scalar; [`dot`]
//! keeps [`LANES`] partial sums in a fixed order instead, which LLVM turns into SIMD lanes and
//! which gives the same bits on every run. [`gram`] sums fixed chunks of [`GRAM_CHUNK`] rows in
//! parallel and adds the chunk results in chunk order, so its bits do not depend on how many
//! threads ran it.

use rayon::prelude::*;

/// The factor type. f32 halves the memory traffic and doubles the SIMD width of f64; measured
/// in docs/TRAINING.md, with the same validation quality.
pub type Real = f32;

/// Partial sums per dot product (two SSE registers of f32; LLVM keeps them in lanes).
const LANES: usize = 8;

/// Rows per Gram partial sum: fixed, so the summation order is the same for any thread count.
pub const GRAM_CHUNK: usize = 2048;

/// `a · b` with [`LANES`] fixed partial sums.
#[inline]
pub fn dot(a: &[Real], b: &[Real]) -> Real {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0 as Real; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: Real = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..LANES {
            acc[k] += x[k] * y[k];
        }
    }
    // A fixed pairwise tree over the lanes.
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            acc[k] += acc[k + width];
        }
    }
    acc[0] + tail
}

/// `y += a · x`.
#[inline]
pub fn axpy(a: Real, x: &[Real], y: &mut [Real]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// `out = M v` for a symmetric `d × d` matrix `m` (row-major, both triangles): the sum of
/// `v_k · M[k, :]`, contiguous rows, no reductions.
#[inline]
pub fn sym_matvec(m: &[Real], v: &[Real], out: &mut [Real]) {
    let d = v.len();
    out.fill(0.0);
    for (row, &vk) in m.chunks_exact(d).zip(v) {
        axpy(vk, row, out);
    }
}

/// `Σ_r f_r f_rᵀ` over the rows of `table` (`d` values each), both triangles, row-major.
/// Chunks of [`GRAM_CHUNK`] rows are summed in `Real` and the chunks added in f64, in order.
pub fn gram(table: &[Real], d: usize) -> Vec<f64> {
    let partials: Vec<Vec<Real>> = table
        .par_chunks(GRAM_CHUNK * d)
        .map(|chunk| {
            let mut g = vec![0.0 as Real; d * d];
            for y in chunk.chunks_exact(d) {
                for (p, row) in g.chunks_exact_mut(d).enumerate() {
                    axpy(y[p], y, row);
                }
            }
            g
        })
        .collect();
    let mut total = vec![0.0f64; d * d];
    for g in &partials {
        for (t, v) in total.iter_mut().zip(g) {
            *t += f64::from(*v);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    fn random(n: usize, seed: u64) -> Vec<Real> {
        let mut rng = SplitMix64(seed);
        (0..n).map(|_| rng.unit()).collect()
    }

    #[test]
    fn dot_matches_a_f64_sum_for_every_tail_length() {
        for n in [0, 1, 7, 8, 9, 64, 67] {
            let (a, b) = (random(n, 1), random(n, 2));
            let want: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(x * y)).sum();
            assert!((f64::from(dot(&a, &b)) - want).abs() < 1e-5, "n = {n}");
        }
    }

    #[test]
    fn sym_matvec_is_the_matrix_product() {
        let d = 5;
        let v = random(d, 3);
        let half = random(d * d, 4);
        let m: Vec<Real> = (0..d * d)
            .map(|i| half[i] + half[(i % d) * d + i / d])
            .collect();
        let mut out = vec![0.0; d];
        sym_matvec(&m, &v, &mut out);
        for (p, o) in out.iter().enumerate() {
            let want: Real = (0..d).map(|q| m[p * d + q] * v[q]).sum();
            assert!((o - want).abs() < 1e-5);
        }
    }

    #[test]
    fn gram_is_the_same_for_one_and_two_threads_across_chunks() {
        let d = 3;
        let t = random((2 * GRAM_CHUNK + 5) * d, 5);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| gram(&t, d))
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(one, two);
        let want: f64 = t.chunks_exact(d).map(|y| f64::from(y[0] * y[2])).sum();
        assert!((one[2] - want).abs() < 1e-3 && one[2] == one[2 * d]);
    }
}
