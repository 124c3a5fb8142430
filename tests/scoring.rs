//! The CPU scorer against a naive f32 oracle, the scoring contract's arithmetic, fold-in, and
//! top-k properties (order, ties, exclusions).

mod common;

use localrank::history::{Event, EventKind, History};
use localrank::rank::top_k;
use localrank::score::{cpu, user, CpuScorer, QuantisedUser};
use localrank::Model;
use ndarray::Array1;

/// Naive oracle: f32 dot products of dequantised rows with the *unquantised* user vector.
fn oracle_scores(m: &Model, u: &Array1<f32>) -> Vec<f32> {
    (0..m.len())
        .map(|j| m.table.dequantised_row(j).dot(u) + m.table.bias[j])
        .collect()
}

fn history_of(keys: &[usize]) -> History {
    let events = keys
        .iter()
        .enumerate()
        .map(|(t, k)| Event::new(format!("item-{k}"), EventKind::View, t as f64).unwrap())
        .collect();
    History::from_events(500, events).unwrap()
}

/// ε for "same ranking": the user vector's int8 quantisation error bounds the score error by
/// roughly ‖y‖₁·scale_u/2. Items whose oracle scores are closer than this may swap.
const EPS_FRACTION: f32 = 0.02;

#[test]
fn cpu_top_k_matches_the_f32_oracle_up_to_near_ties() {
    for (n, d, seed) in [(300, 16, 1), (1000, 32, 2), (257, 64, 3)] {
        let m = common::synthetic_model(n, d, seed);
        let mut rng = common::Rng(seed);
        let h = history_of(&(0..5).map(|_| rng.below(n)).collect::<Vec<_>>());
        let u = user::fold_in(&m, &h);
        let q = QuantisedUser::new(&u);
        let got = CpuScorer.scores(&m.table, &q);
        let want = oracle_scores(&m, &u);
        let spread = want.iter().fold(0f32, |a, b| a.max(b.abs()));
        let eps = EPS_FRACTION * spread;
        let top_got = top_k(got.as_slice().unwrap(), 20, |_| false);
        let top_want = top_k(&want, 20, |_| false);
        for (g, w) in top_got.iter().zip(&top_want) {
            let diff = (want[g.index as usize] - want[w.index as usize]).abs();
            assert!(
                g.index == w.index || diff <= eps,
                "n={n} d={d}: got item {} (oracle {}), oracle item {} ({}) ε={eps}",
                g.index,
                want[g.index as usize],
                w.index,
                want[w.index as usize]
            );
        }
    }
}

#[test]
fn scores_follow_the_contract_exactly() {
    let m = common::synthetic_model(64, 24, 5);
    let u = user::fold_in(&m, &history_of(&[1, 2, 3]));
    let q = QuantisedUser::new(&u);
    let got = CpuScorer.scores(&m.table, &q);
    let rows = m.table.rows.to_i8();
    for j in 0..m.len() {
        let acc: i32 = (0..m.dim())
            .map(|k| i32::from(rows[[j, k]]) * i32::from(q.q[k]))
            .sum();
        let t = acc as f32 * m.table.scales[j];
        let want = t * q.scale + m.table.bias[j];
        assert_eq!(got[j].to_bits(), want.to_bits(), "item {j}");
        assert_eq!(
            cpu::epilogue(acc, m.table.scales[j], q.scale, m.table.bias[j]).to_bits(),
            want.to_bits()
        );
    }
}

#[test]
fn user_quantisation_uses_the_full_int8_range() {
    let u = Array1::from(vec![0.5f32, -2.0, 1.0, 0.0]);
    let q = QuantisedUser::new(&u);
    assert_eq!(q.scale, 2.0 / 127.0);
    assert_eq!(q.q.to_vec(), vec![32, -127, 64, 0]);
    let zero = QuantisedUser::new(&Array1::zeros(4));
    assert_eq!(zero.scale, 0.0);
    assert!(zero.q.iter().all(|v| *v == 0));
}

#[test]
fn an_empty_history_ranks_by_bias_alone() {
    let m = common::synthetic_model(100, 8, 6);
    let u = user::fold_in(&m, &history_of(&[]));
    assert!(u.iter().all(|v| *v == 0.0));
    let s = CpuScorer.scores(&m.table, &QuantisedUser::new(&u));
    assert_eq!(s, m.table.bias);
}

#[test]
fn fold_in_solves_the_als_normal_equations() {
    let m = common::synthetic_model(40, 6, 8);
    let h = history_of(&[4, 9, 4]);
    let u = user::fold_in(&m, &h).mapv(f64::from);
    let w = user::item_weights(&m, &h);
    // Newest first: item 4 at r=0 and r=2, item 9 at r=1.
    let decay = f64::from(m.fold.decay);
    assert!((weight(&w, 4) - (1.0 + decay * decay)).abs() < 1e-6);
    assert!((weight(&w, 9) - decay).abs() < 1e-6);
    // Residual of (G + λI + α Σ w y yᵀ) u = Σ (1 + α w) y.
    let d = m.dim();
    let mut a = m.fold.gram.mapv(f64::from);
    let mut b = Array1::<f64>::zeros(d);
    for k in 0..d {
        a[[k, k]] += f64::from(m.fold.lambda);
    }
    let alpha = f64::from(m.fold.alpha);
    for &(i, wi) in &w {
        let y = m.table.dequantised_row(i as usize).mapv(f64::from);
        for p in 0..d {
            b[p] += (1.0 + alpha * wi) * y[p];
            for q in 0..d {
                a[[p, q]] += alpha * wi * y[p] * y[q];
            }
        }
    }
    let r = a.dot(&u) - &b;
    let rel = r.mapv(f64::abs).sum() / b.mapv(f64::abs).sum();
    assert!(rel < 1e-5, "relative residual {rel}");
}

#[test]
fn recent_events_weigh_more_than_old_ones() {
    let m = common::synthetic_model(40, 6, 8);
    let w = user::item_weights(&m, &history_of(&[1, 2]));
    assert!(weight(&w, 2) > weight(&w, 1));
}

#[test]
fn event_kinds_are_weighted() {
    let m = common::synthetic_model(40, 6, 8);
    let events = vec![
        Event::new("item-1", EventKind::Purchase, 0.0).unwrap(),
        Event::new("item-2", EventKind::View, 1.0).unwrap(),
    ];
    let w = user::item_weights(&m, &History::from_events(10, events).unwrap());
    assert!((weight(&w, 1) - 3.0 * f64::from(m.fold.decay)).abs() < 1e-6);
    assert!((weight(&w, 2) - 1.0).abs() < 1e-6);
}

#[test]
fn top_k_is_sorted_and_breaks_ties_by_lower_index() {
    let scores = [0.5, 0.9, 0.5, 0.9, 0.1, 0.5];
    let got: Vec<u32> = top_k(&scores, 4, |_| false)
        .iter()
        .map(|r| r.index)
        .collect();
    assert_eq!(got, vec![1, 3, 0, 2]);
}

#[test]
fn top_k_skips_excluded_items_and_handles_small_catalogues() {
    let scores = [3.0, 2.0, 1.0];
    let got: Vec<u32> = top_k(&scores, 10, |i| i == 0)
        .iter()
        .map(|r| r.index)
        .collect();
    assert_eq!(got, vec![1, 2]);
    assert!(top_k(&scores, 0, |_| false).is_empty());
}

#[test]
fn top_k_equals_a_full_sort_on_random_scores() {
    let mut rng = common::Rng(42);
    for _ in 0..50 {
        let n = 1 + rng.below(500);
        // Coarse values so ties are common.
        let scores: Vec<f32> = (0..n).map(|_| (rng.below(20) as f32) / 4.0).collect();
        let k = 1 + rng.below(n + 5);
        let mut order: Vec<u32> = (0..n as u32).filter(|i| i % 7 != 3).collect();
        order.sort_by(|a, b| {
            scores[*b as usize]
                .total_cmp(&scores[*a as usize])
                .then(a.cmp(b))
        });
        order.truncate(k);
        let got: Vec<u32> = top_k(&scores, k, |i| i % 7 == 3)
            .iter()
            .map(|r| r.index)
            .collect();
        assert_eq!(got, order);
    }
}

/// The weight of `row` in `item_weights`' ascending `(row, weight)` pairs.
fn weight(w: &[(u32, f64)], row: u32) -> f64 {
    assert!(
        w.windows(2).all(|p| p[0].0 < p[1].0),
        "pairs must ascend by row"
    );
    w[w.binary_search_by_key(&row, |e| e.0)
        .expect("row has a weight")]
    .1
}

#[test]
fn fold_in_is_bit_identical_to_the_literal_formula() {
    for (n, d, seed) in [(50, 1, 1), (60, 7, 2), (80, 16, 3), (120, 33, 4)] {
        let m = common::synthetic_model(n, d, seed);
        let mut rng = localrank::rng::SplitMix64(seed);
        for len in [1, 3, 40, 200] {
            let events = (0..len)
                .map(|t| {
                    let item = rng.below(n + 5); // a few unknown keys too
                    let kind = EventKind::ALL[rng.below(3)];
                    Event::new(format!("item-{item}"), kind, t as f64).unwrap()
                })
                .collect();
            let h = History::from_events(500, events).unwrap();
            let got: Vec<u32> = user::fold_in(&m, &h).iter().map(|v| v.to_bits()).collect();
            let want: Vec<u32> = common::fold_in_reference(&m, &h)
                .iter()
                .map(|v| v.to_bits())
                .collect();
            assert_eq!(got, want, "n {n} d {d} history {len}");
        }
    }
}
