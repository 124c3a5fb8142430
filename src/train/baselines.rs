//! Baselines scored by the same harness ([`super::protocol`]): popularity, item-KNN (cosine)
//! and EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019) in closed
//! form, plus a peer's dense factors (user · item dot products in f32).
//!
//! All of them see a user's items as a set (binary, order ignored) — as their papers do.

use std::collections::HashMap;
use std::time::Instant;

use super::protocol::Ranker;
use crate::{Error, Result};

/// Occurrences of each item in the training sequences (repeats count).
#[derive(Debug, Clone)]
pub struct Popularity(pub Vec<f32>);

impl Popularity {
    pub fn fit(train: &[Vec<u32>], items: usize) -> Self {
        let mut c = vec![0f32; items];
        for &i in train.iter().flatten() {
            c[i as usize] += 1.0;
        }
        Self(c)
    }
}

impl Ranker for Popularity {
    fn score(&self, _user: usize, _input: &[u32], out: &mut [f32]) {
        out.copy_from_slice(&self.0);
    }
}

/// The distinct items of a sequence, ascending.
pub fn distinct(seq: &[u32]) -> Vec<u32> {
    let mut s = seq.to_vec();
    s.sort_unstable();
    s.dedup();
    s
}

/// Item-KNN: `sim(i, j) = |U_i ∩ U_j| / sqrt(|U_i| |U_j|)`, all co-occurring neighbours kept;
/// a user's score for `j` is `Σ_{i ∈ input} sim(i, j)`.
#[derive(Debug, Clone)]
pub struct ItemKnn {
    rows: Vec<Vec<(u32, f32)>>,
}

impl ItemKnn {
    pub fn fit(train: &[Vec<u32>], items: usize) -> Self {
        let mut co: Vec<HashMap<u32, u32>> = vec![HashMap::new(); items];
        let mut n = vec![0u32; items];
        for seq in train {
            let s = distinct(seq);
            for &i in &s {
                n[i as usize] += 1;
                for &j in &s {
                    if i != j {
                        *co[i as usize].entry(j).or_insert(0) += 1;
                    }
                }
            }
        }
        let rows = co
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let mut r: Vec<(u32, f32)> = m
                    .into_iter()
                    .map(|(j, c)| {
                        let d = (f64::from(n[i]) * f64::from(n[j as usize])).sqrt();
                        (j, (f64::from(c) / d) as f32)
                    })
                    .collect();
                r.sort_unstable_by_key(|e| e.0);
                r
            })
            .collect();
        Self { rows }
    }
}

impl ItemKnn {
    /// Stored (item, neighbour) similarities.
    pub fn entries(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }
}

impl Ranker for ItemKnn {
    fn score(&self, _user: usize, input: &[u32], out: &mut [f32]) {
        for i in distinct(input) {
            for &(j, s) in &self.rows[i as usize] {
                out[j as usize] += s;
            }
        }
    }
}

/// `XᵀX` of the binary user × item matrix, dense row-major f32.
pub fn gram(train: &[Vec<u32>], items: usize) -> Vec<f32> {
    let mut g = vec![0f32; items * items];
    for seq in train {
        let s = distinct(seq);
        for &i in &s {
            let row = i as usize * items;
            for &j in &s {
                g[row + j as usize] += 1.0;
            }
        }
    }
    g
}

/// EASE: `P = (XᵀX + λI)⁻¹`, `B_ij = −P_ij / P_jj` (`B_jj = 0`); score `j` = `Σ_{i ∈ input} B_ij`.
/// Dense `N × N` f32 (1.3 GB for 18K items).
#[derive(Debug, Clone)]
pub struct Ease {
    items: usize,
    b: Vec<f32>,
}

impl Ease {
    /// Solves EASE for `lambda` from a precomputed [`gram`] (Cholesky inverse with faer on all
    /// cores). Reports its time on stderr.
    pub fn fit(gram: &[f32], items: usize, lambda: f32) -> Result<Self> {
        let start = Instant::now();
        let a = faer::Mat::<f32>::from_fn(items, items, |i, j| {
            gram[i * items + j] + if i == j { lambda } else { 0.0 }
        });
        let llt = a
            .llt(faer::Side::Lower)
            .map_err(|e| Error::InvalidArgument(format!("EASE: XᵀX + λI not SPD: {e:?}")))?;
        drop(a);
        let p = faer::linalg::solvers::DenseSolveCore::inverse(&llt);
        drop(llt);
        let diag: Vec<f32> = (0..items).map(|j| p[(j, j)]).collect();
        let mut b = vec![0f32; items * items];
        for i in 0..items {
            let row = &mut b[i * items..(i + 1) * items];
            for (j, v) in row.iter_mut().enumerate() {
                if i != j {
                    *v = -p[(i, j)] / diag[j];
                }
            }
        }
        eprintln!(
            "EASE λ={lambda}: {items}×{items} inverse in {:.1} s",
            start.elapsed().as_secs_f64()
        );
        Ok(Self { items, b })
    }

    /// Bytes of the dense f32 `B` (what shipping full EASE would weigh).
    pub fn bytes(&self) -> usize {
        self.b.len() * 4
    }
}

impl Ranker for Ease {
    fn score(&self, _user: usize, input: &[u32], out: &mut [f32]) {
        for i in distinct(input) {
            let row = &self.b[i as usize * self.items..(i as usize + 1) * self.items];
            for (o, v) in out.iter_mut().zip(row) {
                *o += v;
            }
        }
    }
}

/// A peer's factors: one f32 row per training user and per item; score = `u · y_j`.
#[derive(Debug, Clone)]
pub struct Factors {
    pub dim: usize,
    /// Users in split order (row u = the split's user u).
    pub users: Vec<f32>,
    pub items: Vec<f32>,
}

impl Factors {
    /// Reads little-endian f32 matrices written by `scripts/peer_implicit.py`.
    pub fn read(users: &std::path::Path, items: &std::path::Path, dim: usize) -> Result<Self> {
        let load = |p: &std::path::Path| -> Result<Vec<f32>> {
            let b = std::fs::read(p).map_err(|e| Error::Io {
                path: p.display().to_string(),
                reason: e.to_string(),
            })?;
            if b.len() % (4 * dim) != 0 {
                return Err(Error::InvalidArgument(format!(
                    "{}: {} bytes is not a whole number of {dim}-float rows",
                    p.display(),
                    b.len()
                )));
            }
            Ok(b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect())
        };
        Ok(Self {
            dim,
            users: load(users)?,
            items: load(items)?,
        })
    }

    pub fn user_count(&self) -> usize {
        self.users.len() / self.dim
    }

    pub fn item_count(&self) -> usize {
        self.items.len() / self.dim
    }
}

impl Ranker for Factors {
    fn score(&self, u: usize, _input: &[u32], out: &mut [f32]) {
        let d = self.dim;
        let x = &self.users[u * d..(u + 1) * d];
        for (o, y) in out.iter_mut().zip(self.items.chunks_exact(d)) {
            *o = x.iter().zip(y).map(|(a, b)| a * b).sum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popularity_counts_repeats() {
        let p = Popularity::fit(&[vec![0, 1, 1], vec![1, 2]], 4);
        assert_eq!(p.0, [1.0, 3.0, 1.0, 0.0]);
    }

    #[test]
    fn item_knn_is_cosine_over_user_sets() {
        // Users {0,1}, {0,1}, {0,2}: n = [3, 2, 1]; sim(0,1) = 2/sqrt(6), sim(0,2) = 1/sqrt(3).
        let k = ItemKnn::fit(&[vec![0, 1], vec![1, 0, 0], vec![0, 2]], 3);
        let mut out = [0f32; 3];
        k.score(0, &[0], &mut out);
        assert_eq!(out[0], 0.0);
        assert!((out[1] - 2.0 / 6f32.sqrt()).abs() < 1e-6);
        assert!((out[2] - 1.0 / 3f32.sqrt()).abs() < 1e-6);
    }

    #[test]
    fn ease_matches_the_closed_form_on_two_items() {
        // G = [[2,1],[1,1]], λ = 1: A = [[3,1],[1,2]], P = [[2,-1],[-1,3]]/5.
        // B_01 = -P_01/P_11 = 1/3, B_10 = -P_10/P_00 = 1/2.
        let g = gram(&[vec![0, 1], vec![0]], 2);
        assert_eq!(g, [2.0, 1.0, 1.0, 1.0]);
        let e = Ease::fit(&g, 2, 1.0).unwrap();
        let mut out = [0f32; 2];
        e.score(0, &[0], &mut out);
        assert_eq!(out[0], 0.0);
        assert!((out[1] - 1.0 / 3.0).abs() < 1e-5, "{out:?}");
        let mut out = [0f32; 2];
        e.score(0, &[1], &mut out);
        assert!((out[0] - 0.5).abs() < 1e-5, "{out:?}");
    }
}
