//! The implicit-ALS objective (Hu, Koren & Volinsky eq. 3), computed only when asked for: it
//! costs about a quarter of a sweep. All user × item pairs enter through `Σ_u x_uᵀ (YᵀY) x_u`
//! plus a correction over the observed pairs; users are summed in fixed chunks whose f64
//! results are added in order, so the value does not depend on the thread count.

use rayon::prelude::*;

use super::kernels::{dot, gram, sym_matvec, Real, GRAM_CHUNK};
use super::sweep::Csr;

/// `Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ(‖X‖² + ‖Y‖²)` with `c = 1 + α·w` (`by_user` holds α·w).
pub fn loss(by_user: &Csr, users: &[Real], items: &[Real], d: usize, lambda: f64) -> f64 {
    let g: Vec<Real> = gram(items, d).iter().map(|&v| v as Real).collect();
    let chunk_sums: Vec<f64> = users
        .par_chunks(GRAM_CHUNK * d)
        .enumerate()
        .map(|(k, chunk)| {
            let mut gx = vec![0.0 as Real; d];
            let mut total = 0.0f64;
            for (n, x) in chunk.chunks_exact(d).enumerate() {
                sym_matvec(&g, x, &mut gx);
                total += f64::from(dot(x, &gx));
                for &(i, c) in by_user.row(k * GRAM_CHUNK + n) {
                    let i = i as usize;
                    let s = f64::from(dot(x, &items[i * d..(i + 1) * d]));
                    let c = 1.0 + f64::from(c);
                    total += c * (1.0 - s) * (1.0 - s) - s * s;
                }
            }
            total
        })
        .collect();
    let norms: f64 = users.iter().chain(items).map(|&v| f64::from(v * v)).sum();
    chunk_sums.iter().sum::<f64>() + lambda * norms
}
