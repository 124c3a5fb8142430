//! The wgpu scorer against the CPU reference, natively (lavapipe in CI; any Vulkan/Metal/DX12
//! GPU elsewhere). The test command installs lavapipe and sets `LOCALRANK_REQUIRE_GPU=1`, so a
//! missing adapter fails there; a plain `cargo test` on a machine without one reports and skips.
//!
//! Tolerance: scores follow the contract exactly up to the last f32 multiply-add, which a driver
//! may fuse into an FMA (one rounding instead of two). So the GPU's ids must equal the CPU's,
//! except that two items may trade places when their CPU scores differ by at most
//! `TOL_REL · max|score|` (1e-6, a few ulps). Ties (equal scores) are broken by index on both.
#![cfg(all(feature = "gpu", not(target_arch = "wasm32")))]

mod common;

use futures::executor::block_on;
use localrank::model::ItemTable;
use localrank::rank::{top_k, Ranked};
use localrank::score::gpu::{Boosts, GpuOptions, GpuScorer};
use localrank::score::{CpuScorer, QuantisedUser};
use ndarray::{Array1, Array2};

const TOL_REL: f32 = 1e-6;

fn gpu(table: &ItemTable, opts: GpuOptions) -> Option<GpuScorer> {
    match block_on(GpuScorer::new(table, opts)) {
        Ok(g) => Some(g),
        Err(e) if std::env::var_os("LOCALRANK_REQUIRE_GPU").is_none() => {
            eprintln!("SKIPPED (no GPU; set LOCALRANK_REQUIRE_GPU=1 to fail instead): {e}");
            None
        }
        Err(e) => panic!("LOCALRANK_REQUIRE_GPU is set but no GPU scorer: {e}"),
    }
}

fn random_user(d: usize, rng: &mut common::Rng) -> QuantisedUser {
    QuantisedUser::new(&Array1::from_shape_fn(d, |_| rng.unit()))
}

fn cpu_top(table: &ItemTable, user: &QuantisedUser, k: usize, excluded: &[u32]) -> Vec<Ranked> {
    let scores = CpuScorer.scores(table, user);
    top_k(scores.as_slice().unwrap(), k, |i| {
        excluded.binary_search(&i).is_ok()
    })
}

/// Asserts `got` (GPU) equals `want` (CPU) up to the stated tolerance.
fn assert_same_ranking(table: &ItemTable, user: &QuantisedUser, got: &[Ranked], want: &[Ranked]) {
    assert_eq!(got.len(), want.len(), "result lengths");
    let cpu = CpuScorer.scores(table, user);
    let tol = TOL_REL * cpu.iter().fold(0f32, |m, s| m.max(s.abs()));
    for (g, w) in got.iter().zip(want) {
        let diff = (cpu[g.index as usize] - cpu[w.index as usize]).abs();
        assert!(
            g.index == w.index || diff <= tol,
            "GPU item {} (cpu score {}) vs CPU item {} ({}), tolerance {tol}",
            g.index,
            cpu[g.index as usize],
            w.index,
            w.score
        );
        assert!((g.score - cpu[g.index as usize]).abs() <= tol);
    }
}

#[test]
fn gpu_top_k_equals_the_cpu_on_random_models() {
    // N not a multiple of the workgroup (256) nor of its span (4096); odd d; k > N.
    for (n, d, k, seed) in [
        (1, 4, 1, 1),
        (100, 5, 10, 2),
        (300, 64, 400, 3),
        (4097, 64, 100, 4),
        (10_001, 33, 7, 5),
        (2_000, 128, 50, 6),
    ] {
        let model = common::synthetic_model(n, d, seed);
        let Some(g) = gpu(&model.table, GpuOptions::default()) else {
            return;
        };
        let mut rng = common::Rng(seed * 31);
        for _ in 0..3 {
            let user = random_user(d, &mut rng);
            let mut excluded: Vec<u32> = (0..rng.below(20)).map(|_| rng.below(n) as u32).collect();
            excluded.sort_unstable();
            excluded.dedup();
            let got = block_on(g.top_k(&user, k, &excluded, Boosts::default())).unwrap();
            let want = cpu_top(&model.table, &user, k, &excluded);
            assert_same_ranking(&model.table, &user, &got, &want);
        }
    }
}

#[test]
fn exact_ties_are_broken_by_the_lower_index_like_the_cpu() {
    // 40 distinct rows, each repeated 100 times: every score appears 100 times.
    let d = 16;
    let mut rng = common::Rng(77);
    let base = Array2::from_shape_fn((40, d), |_| rng.unit());
    let rows = Array2::from_shape_fn((4000, d), |(i, k)| base[[i % 40, k]]);
    let table = ItemTable::quantise(&rows, Array1::zeros(4000));
    let Some(g) = gpu(&table, GpuOptions::default()) else {
        return;
    };
    let user = random_user(d, &mut rng);
    let got = block_on(g.top_k(&user, 250, &[], Boosts::default())).unwrap();
    let want = cpu_top(&table, &user, 250, &[]);
    let ids = |r: &[Ranked]| r.iter().map(|x| x.index).collect::<Vec<_>>();
    assert_eq!(ids(&got), ids(&want));
}

#[test]
fn a_table_split_into_chunks_gives_the_same_top_k() {
    let model = common::synthetic_model(9_000, 64, 8);
    let Some(whole) = gpu(&model.table, GpuOptions::default()) else {
        return;
    };
    // 64-byte rows, 100 KiB chunks → 1,600 items per chunk → 6 chunks.
    let opts = GpuOptions {
        max_chunk_bytes: Some(100 * 1024),
    };
    let Some(split) = gpu(&model.table, opts) else {
        return;
    };
    assert_eq!(whole.chunk_count(), 1);
    assert_eq!(split.chunk_count(), 6);
    let mut rng = common::Rng(9);
    let user = random_user(64, &mut rng);
    let excluded = [0, 1599, 1600, 8999];
    // k = 10: per-chunk candidate runs of 10 × 8 bytes, not 256-byte aligned.
    for k in [64, 10, 7] {
        let a = block_on(whole.top_k(&user, k, &excluded, Boosts::default())).unwrap();
        let b = block_on(split.top_k(&user, k, &excluded, Boosts::default())).unwrap();
        assert_eq!(a, b, "k = {k}");
        assert_same_ranking(
            &model.table,
            &user,
            &b,
            &cpu_top(&model.table, &user, k, &excluded),
        );
    }
}

#[test]
fn a_lost_device_is_reported_as_a_gpu_error() {
    let model = common::synthetic_model(500, 8, 10);
    let Some(g) = gpu(&model.table, GpuOptions::default()) else {
        return;
    };
    let user = random_user(8, &mut common::Rng(1));
    assert!(block_on(g.top_k(&user, 5, &[], Boosts::default())).is_ok());
    g.destroy_device();
    assert!(g.is_lost());
    assert!(matches!(
        block_on(g.top_k(&user, 5, &[], Boosts::default())),
        Err(localrank::Error::Gpu(_))
    ));
}

#[test]
fn the_sparse_neighbour_term_is_added_like_the_cpu_does() {
    let model = common::synthetic_model(5_000, 32, 12);
    let Some(g) = gpu(&model.table, GpuOptions::default()) else {
        return;
    };
    let mut rng = common::Rng(13);
    let user = random_user(32, &mut rng);
    // A few hundred items with integer accumulators, as § 2.3 produces them.
    let mut entries: Vec<(u32, u32)> = (0..300)
        .map(|_| (rng.below(5_000) as u32, 1 + rng.below(60_000) as u32))
        .collect();
    entries.sort_unstable();
    entries.dedup_by_key(|e| e.0);
    let scale = 1.0 / 6_502.5;
    let excluded = [7, 42];
    let got = block_on(g.top_k(
        &user,
        100,
        &excluded,
        Boosts {
            entries: &entries,
            scale,
        },
    ))
    .unwrap();
    // CPU: dense scores, then dense + f32(acc) × scale (two roundings), then the reference top-k.
    let mut cpu = CpuScorer.scores(&model.table, &user);
    for &(i, acc) in &entries {
        let n = acc as f32 * scale;
        cpu[i as usize] += n;
    }
    let want = top_k(cpu.as_slice().unwrap(), 100, |i| excluded.contains(&i));
    let tol = TOL_REL * cpu.iter().fold(0f32, |m, s| m.max(s.abs()));
    assert_eq!(got.len(), want.len());
    let boosted_in_top = want
        .iter()
        .filter(|w| entries.binary_search_by_key(&w.index, |e| e.0).is_ok())
        .count();
    assert!(
        boosted_in_top > 10,
        "the test must exercise boosted items ({boosted_in_top})"
    );
    for (g, w) in got.iter().zip(&want) {
        let diff = (cpu[g.index as usize] - cpu[w.index as usize]).abs();
        assert!(g.index == w.index || diff <= tol, "{g:?} vs {w:?}");
    }
}

#[test]
fn reused_buffers_serve_queries_that_grow_and_shrink() {
    // The per-query buffers start at 512 exclusions / boosts and k = 128: each query here needs
    // more (or less) than the one before, so buffers are replaced and bind groups rebuilt between
    // queries, and a smaller query after a larger one must not read the larger one's leftovers.
    let (n, d) = (9_000, 24);
    let model = common::synthetic_model(n, d, 13);
    let Some(g) = gpu(&model.table, GpuOptions::default()) else {
        return;
    };
    let mut rng = common::Rng(13);
    for (k, excluded_count, boost_count) in [
        (10, 0, 0),
        (300, 700, 0),
        (5, 3, 900),
        (1024, 2_000, 2_000),
        (1, 0, 0),
        (64, 600, 10),
    ] {
        let user = random_user(d, &mut rng);
        let mut excluded: Vec<u32> = (0..excluded_count).map(|_| rng.below(n) as u32).collect();
        excluded.sort_unstable();
        excluded.dedup();
        let mut boosts: Vec<(u32, u32)> = (0..boost_count)
            .map(|_| (rng.below(n) as u32, 1 + rng.below(60_000) as u32))
            .collect();
        boosts.sort_unstable_by_key(|b| b.0);
        boosts.dedup_by_key(|b| b.0);
        let scale = 1e-6;
        let got = block_on(g.top_k(
            &user,
            k,
            &excluded,
            Boosts {
                entries: &boosts,
                scale,
            },
        ))
        .unwrap();
        let mut cpu = CpuScorer.scores(&model.table, &user);
        for &(j, a) in &boosts {
            cpu[j as usize] += a as f32 * scale;
        }
        let want = top_k(cpu.as_slice().unwrap(), k, |i| {
            excluded.binary_search(&i).is_ok()
        });
        let ids = |r: &[Ranked]| r.iter().map(|x| x.index).collect::<Vec<_>>();
        assert_eq!(got.len(), want.len(), "k {k}");
        let tol = TOL_REL * cpu.iter().fold(0f32, |m, s| m.max(s.abs()));
        for (a, b) in got.iter().zip(&want) {
            assert!(
                a.index == b.index || (cpu[a.index as usize] - b.score).abs() <= tol,
                "k {k}: {:?} vs {:?}",
                ids(&got),
                ids(&want)
            );
        }
    }
}

#[test]
fn concurrent_queries_take_turns_with_the_shared_buffers() {
    let (n, d) = (5_000, 16);
    let model = common::synthetic_model(n, d, 17);
    let Some(g) = gpu(&model.table, GpuOptions::default()) else {
        return;
    };
    let mut rng = common::Rng(17);
    let users: Vec<QuantisedUser> = (0..4).map(|_| random_user(d, &mut rng)).collect();
    // Four queries in flight at once on one scorer (as JS may fire them without awaiting).
    let answers = block_on(futures::future::join_all(
        users
            .iter()
            .enumerate()
            .map(|(i, u)| g.top_k(u, 10 + 40 * i, &[], Boosts::default())),
    ));
    for (i, (user, got)) in users.iter().zip(answers).enumerate() {
        let want = cpu_top(&model.table, user, 10 + 40 * i, &[]);
        assert_same_ranking(&model.table, user, &got.unwrap(), &want);
    }
}
