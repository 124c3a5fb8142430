//! The fast CPU path against the ndarray reference: every kernel's i32 accumulators equal the
//! naive sum, its scores are bit-identical to `CpuScorer::scores`, and the fused top-k returns
//! exactly the ids (and score bits) of `rank::top_k` over the reference scores — on random tables
//! with odd d and N, the full i8 range (−128 included), ties, exclusions and every k edge. The
//! packed 4-bit kernels are held to the same: exact sums for any nibble, and the same ids and
//! score bits as the int8 rows holding the same values.

mod common;

use common::Rng;
use localrank::model::rows4::nibble;
use localrank::model::{ItemTable, Packed4, Rows};
use localrank::rank::{top_k, Ranked};
use localrank::score::cpu::epilogue;
use localrank::score::kernel::block::BLOCK_ROWS;
use localrank::score::kernel::{order_key, Kernel, GROUP};
use localrank::score::{CpuScorer, QuantisedUser};
use ndarray::{Array1, Array2};
// In the browser (wasm-pack test) the same tests run the SIMD128 kernel.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn random_i8(rng: &mut Rng) -> i8 {
    rng.next_u64() as u8 as i8
}

/// A table straight from random bytes (any i8, including −128), random scales and biases.
fn random_table(rng: &mut Rng, n: usize, d: usize) -> ItemTable {
    ItemTable {
        rows: Array2::from_shape_fn((n, d), |_| random_i8(rng)).into(),
        scales: Array1::from_shape_fn(n, |_| rng.unit().abs() * 0.05),
        bias: Array1::from_shape_fn(n, |_| 0.01 * rng.unit()),
    }
}

fn random_user(rng: &mut Rng, d: usize) -> QuantisedUser {
    QuantisedUser {
        q: Array1::from_shape_fn(d, |_| random_i8(rng).max(-127)),
        scale: rng.unit().abs() * 0.1 + 1e-3,
    }
}

fn naive_dots(rows: &[i8], user: &[i8]) -> Vec<i32> {
    rows.chunks(user.len().max(1))
        .map(|r| r.iter().zip(user).map(|(&a, &b)| a as i32 * b as i32).sum())
        .collect()
}

fn same_ranking(got: &[Ranked], want: &[Ranked]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| g.index == w.index && g.score.to_bits() == w.score.to_bits())
}

const DIMS: [usize; 12] = [1, 3, 7, 15, 16, 17, 31, 33, 64, 100, 128, 1024];

#[test]
fn portable_is_always_available_and_best_is_the_last_available() {
    let all = Kernel::available();
    assert_eq!(all[0].name(), "portable");
    assert_eq!(Kernel::best().name(), all[all.len() - 1].name());
}

#[test]
fn the_fastest_kernel_this_machine_has_is_chosen() {
    #[cfg(target_arch = "wasm32")]
    assert_eq!(
        Kernel::best().name(),
        "simd128",
        "the shipped wasm is built with +simd128"
    );
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        assert_eq!(Kernel::best().name(), "avx2");
    }
}

#[test]
fn every_kernel_accumulates_exactly_like_the_naive_sum() {
    let mut rng = Rng(11);
    for kernel in Kernel::available() {
        for d in DIMS {
            for n in [0, 1, 3, 4, 5, 9] {
                let rows: Vec<i8> = (0..n * d).map(|_| random_i8(&mut rng)).collect();
                let user: Vec<i8> = (0..d).map(|_| random_i8(&mut rng)).collect();
                let mut out = vec![7; n];
                kernel.dots(&rows, &user, &mut out);
                assert_eq!(out, naive_dots(&rows, &user), "{kernel:?} n={n} d={d}");
            }
        }
    }
}

#[test]
fn every_epilogue_is_the_contract_and_reports_the_largest_order_key() {
    let mut rng = Rng(18);
    for kernel in Kernel::available() {
        for n in [0, 1, 3, 4, 7, 16, 17, 35, 256] {
            let acc: Vec<i32> = (0..n)
                .map(|_| (rng.next_u64() % 4_000_000) as i32 - 2_000_000)
                .collect();
            let scales: Vec<f32> = (0..n).map(|_| rng.unit().abs() * 0.01).collect();
            let bias: Vec<f32> = (0..n).map(|_| 0.01 * rng.unit()).collect();
            let su = rng.unit().abs() * 0.1;
            let mut out = vec![f32::NAN; n];
            let mut groups = vec![7; n.div_ceil(GROUP)];
            let best = kernel.epilogue(&acc, &scales, &bias, su, &mut out, &mut groups);
            let want: Vec<f32> = (0..n)
                .map(|j| epilogue(acc[j], scales[j], su, bias[j]))
                .collect();
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&out), bits(&want), "{kernel:?} n={n}");
            let max = |v: &[f32]| v.iter().map(|&s| order_key(s)).max().unwrap_or(i32::MIN);
            assert_eq!(best, max(&want), "{kernel:?} n={n}");
            let want_groups: Vec<i32> = want.chunks(GROUP).map(max).collect();
            assert_eq!(groups, want_groups, "{kernel:?} n={n}");
        }
    }
}

#[test]
fn every_kernel_is_exact_at_the_extremes() {
    // All −128 rows against a ±127 user: the largest |acc| the format allows at each d.
    for kernel in Kernel::available() {
        for d in [16, 17, 1024] {
            let rows = vec![-128i8; 5 * d];
            for u in [127i8, -127] {
                let user = vec![u; d];
                let mut out = vec![0; 5];
                kernel.dots(&rows, &user, &mut out);
                assert_eq!(
                    out,
                    vec![-128 * i32::from(u) * d as i32; 5],
                    "{kernel:?} d={d}"
                );
            }
        }
    }
}

#[test]
fn every_kernel_scores_bit_identically_to_the_reference() {
    let mut rng = Rng(12);
    for kernel in Kernel::available() {
        for d in DIMS {
            for n in [1, 2, BLOCK_ROWS - 1, BLOCK_ROWS + 3, 3 * BLOCK_ROWS + 17] {
                let table = random_table(&mut rng, n, d);
                let user = random_user(&mut rng, d);
                let want = CpuScorer.scores(&table, &user);
                let got = CpuScorer.scores_with(kernel, &table, &user);
                let differ = want
                    .iter()
                    .zip(&got)
                    .position(|(w, g)| w.to_bits() != g.to_bits());
                assert_eq!(differ, None, "{kernel:?} n={n} d={d}");
            }
        }
    }
}

#[test]
fn fused_top_k_returns_the_reference_ids_and_scores() {
    let mut rng = Rng(13);
    for kernel in Kernel::available() {
        for (n, d) in [
            (1, 1),
            (37, 3),
            (1000, 64),
            (2049, 17),
            (5000, 128),
            (777, 100),
        ] {
            let table = random_table(&mut rng, n, d);
            let user = random_user(&mut rng, d);
            let reference = CpuScorer.scores(&table, &user);
            let reference = reference.as_slice().unwrap();
            let banned: Vec<u32> = (0..5).map(|_| rng.below(n) as u32).collect();
            for k in [0, 1, 10, 100, n - 1, n, n + 5] {
                for exclude in [false, true] {
                    let excluded = |i: u32| exclude && banned.contains(&i);
                    let want = top_k(reference, k, excluded);
                    let got = CpuScorer.top_k_with(kernel, &table, &user, k, excluded, &[]);
                    assert!(
                        same_ranking(&got, &want),
                        "{kernel:?} n={n} d={d} k={k} exclude={exclude}"
                    );
                }
            }
        }
    }
}

#[test]
fn fused_top_k_breaks_ties_by_lower_index_across_blocks() {
    // Three distinct rows repeated: every score occurs many times, in every block.
    let (n, d) = (3 * BLOCK_ROWS + 5, 24);
    let mut rng = Rng(14);
    let base = random_table(&mut rng, 3, d);
    let table = ItemTable {
        rows: Array2::from_shape_fn((n, d), |(j, k)| base.rows.to_i8()[[j % 3, k]]).into(),
        scales: Array1::from_shape_fn(n, |j| base.scales[j % 3]),
        bias: Array1::from_shape_fn(n, |j| base.bias[j % 3]),
    };
    let user = random_user(&mut rng, d);
    let reference = CpuScorer.scores(&table, &user);
    for kernel in Kernel::available() {
        for k in [1, 5, 50, n] {
            let want = top_k(reference.as_slice().unwrap(), k, |i| i % 7 == 0);
            let got = CpuScorer.top_k_with(kernel, &table, &user, k, |i| i % 7 == 0, &[]);
            assert!(same_ranking(&got, &want), "{kernel:?} k={k}");
            assert!(got.windows(2).all(|w| w[0].score > w[1].score
                || (w[0].score == w[1].score && w[0].index < w[1].index)));
        }
    }
}

#[test]
fn a_sparse_extra_term_is_added_exactly_before_ranking() {
    let mut rng = Rng(17);
    let (n, d) = (3 * BLOCK_ROWS + 9, 40);
    let table = random_table(&mut rng, n, d);
    let user = random_user(&mut rng, d);
    // Ascending items, some at block edges, with terms large enough to reorder the top.
    let mut items: Vec<u32> = (0..40).map(|_| rng.below(n) as u32).collect();
    items.extend([0, BLOCK_ROWS as u32 - 1, BLOCK_ROWS as u32, n as u32 - 1]);
    items.sort_unstable();
    items.dedup();
    let mut reference = CpuScorer.scores(&table, &user).to_vec();
    let spread = reference.iter().fold(0f32, |m, s| m.max(s.abs()));
    let extra: Vec<(u32, f32)> = items
        .iter()
        .map(|&i| (i, 2.0 * spread * rng.unit().abs()))
        .collect();
    for &(i, add) in &extra {
        reference[i as usize] += add;
    }
    for kernel in Kernel::available() {
        for k in [1, 10, 60] {
            let want = top_k(&reference, k, |i| i % 5 == 0);
            let got = CpuScorer.top_k_with(kernel, &table, &user, k, |i| i % 5 == 0, &extra);
            assert!(same_ranking(&got, &want), "{kernel:?} k={k}");
            assert!(
                got.iter().any(|r| items.contains(&r.index)),
                "the term reorders"
            );
        }
    }
}

#[test]
fn a_zero_user_ranks_by_bias_like_the_reference() {
    let mut rng = Rng(15);
    let table = random_table(&mut rng, 600, 64);
    let user = QuantisedUser::new(&Array1::zeros(64));
    let want = top_k(
        CpuScorer.scores(&table, &user).as_slice().unwrap(),
        20,
        |_| false,
    );
    assert!(same_ranking(
        &CpuScorer.top_k(&table, &user, 20, |_| false, &[]),
        &want
    ));
}

#[test]
fn a_non_standard_layout_falls_back_to_the_reference() {
    let mut rng = Rng(16);
    let t = random_table(&mut rng, 300, 32);
    // A column-major copy: same values, not row-contiguous.
    let rows = t
        .rows
        .to_i8()
        .t()
        .as_standard_layout()
        .reversed_axes()
        .to_owned();
    assert!(rows.as_slice().is_none());
    let table = ItemTable {
        rows: rows.into(),
        ..t.clone()
    };
    let user = random_user(&mut rng, 32);
    let want = top_k(CpuScorer.scores(&t, &user).as_slice().unwrap(), 10, |_| {
        false
    });
    assert!(same_ranking(
        &CpuScorer.top_k(&table, &user, 10, |_| false, &[]),
        &want
    ));
}

/// A table with values in −7..=7 as int8 rows, and the same table with packed 4-bit rows.
fn random_table4(rng: &mut Rng, n: usize, d: usize) -> (ItemTable, ItemTable) {
    let t = ItemTable {
        rows: Array2::from_shape_fn((n, d), |_| (rng.next_u64() % 15) as i8 - 7).into(),
        ..random_table(rng, n, 0)
    };
    let packed = ItemTable {
        rows: t.rows.clone().into_packed(),
        ..t.clone()
    };
    assert!(matches!(packed.rows, Rows::I4(_)));
    assert_eq!(packed.rows, t.rows);
    (t, packed)
}

#[test]
fn every_kernel_accumulates_4_bit_rows_exactly_for_any_nibble() {
    let mut rng = Rng(21);
    for kernel in Kernel::available() {
        for d in DIMS {
            let per = d.div_ceil(2);
            for n in [0, 1, 3, 4, 5, 9] {
                // Random bytes: every nibble including −8, and random padding for odd d.
                let rows: Vec<u8> = (0..n * per).map(|_| rng.next_u64() as u8).collect();
                let user: Vec<i8> = (0..d).map(|_| random_i8(&mut rng)).collect();
                let want: Vec<i32> = rows
                    .chunks(per.max(1))
                    .take(n)
                    .map(|r| {
                        (0..d)
                            .map(|k| i32::from(nibble(r[k / 2], k)) * i32::from(user[k]))
                            .sum()
                    })
                    .collect();
                let mut out = vec![7; n];
                kernel.dots4(&rows, &user, &mut out);
                assert_eq!(out, want, "{kernel:?} n={n} d={d}");
            }
        }
        // The extremes: every value −8 against a ±127 (and −128) user at the largest d.
        let d = 1024;
        let rows = vec![0x88u8; 5 * d / 2];
        for u in [127i8, -127, -128] {
            let mut out = vec![0; 5];
            kernel.dots4(&rows, &vec![u; d], &mut out);
            assert_eq!(out, vec![-8 * i32::from(u) * d as i32; 5], "{kernel:?}");
        }
    }
}

#[test]
fn packed_4_bit_rows_score_and_rank_exactly_like_the_same_int8_rows() {
    let mut rng = Rng(22);
    for (n, d) in [
        (1, 1),
        (37, 3),
        (BLOCK_ROWS + 3, 33),
        (2049, 17),
        (3000, 64),
        (1500, 128),
        (777, 100),
    ] {
        let (t8, t4) = random_table4(&mut rng, n, d);
        let user = random_user(&mut rng, d);
        let reference = CpuScorer.scores(&t8, &user);
        let bits = |v: &Array1<f32>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&CpuScorer.scores(&t4, &user)),
            bits(&reference),
            "reference n={n} d={d}"
        );
        let banned: Vec<u32> = (0..5).map(|_| rng.below(n) as u32).collect();
        let extra: Vec<(u32, f32)> = {
            let mut items: Vec<u32> = (0..8).map(|_| rng.below(n) as u32).collect();
            items.sort_unstable();
            items.dedup();
            items.into_iter().map(|i| (i, 0.05 * rng.unit())).collect()
        };
        for kernel in Kernel::available() {
            assert_eq!(
                bits(&CpuScorer.scores_with(kernel, &t4, &user)),
                bits(&reference),
                "{kernel:?} n={n} d={d}"
            );
            for k in [1, 10, 100, n] {
                let excluded = |i: u32| banned.contains(&i);
                let want = CpuScorer.top_k_with(kernel, &t8, &user, k, excluded, &extra);
                let got = CpuScorer.top_k_with(kernel, &t4, &user, k, excluded, &extra);
                assert!(same_ranking(&got, &want), "{kernel:?} n={n} d={d} k={k}");
            }
        }
    }
}

#[test]
fn packing_refuses_values_outside_four_bits() {
    let rows = Array2::from_shape_fn((2, 5), |(j, k)| (j * 5 + k) as i8 - 5);
    assert!(Packed4::from_i8(&rows).is_some());
    let mut wide = rows.clone();
    wide[[1, 4]] = 8;
    assert!(Packed4::from_i8(&wide).is_none());
    assert!(matches!(Rows::from(wide).into_packed(), Rows::I8(_)));
}
