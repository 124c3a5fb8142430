//! Re-ranking natively (`recommend({diversity, dedupe, popularityDamping})`, src/rank/diversity.rs):
//! de-duplication never returns two items of a group and still fills `k`, diversity 0 is the
//! plain top-k exactly, MMR raises intra-list diversity, damping lowers popularity, bad values
//! are `InvalidArgument`.

mod common;

use futures::executor::block_on;
use localrank::history::EventKind;
use localrank::model::Metadata;
use localrank::rank::diversity::{self, intra_list_diversity, unit_row, Dedupe, Rerank};
use localrank::score::backend::{cpu_top_k, Backend, Requested};
use localrank::score::query::Query;
use localrank::{Engine, Error, Model, RecommendOptions};

use localrank::history::store::MemoryStore;

/// A random model whose items `i` share the title `Product {i / group}` and `parent` metadata
/// `p{i % parents}`.
fn model(n: usize, group: usize, parents: usize) -> Model {
    let mut m = common::synthetic_model(n, 8, 7);
    m.meta = Metadata {
        fields: vec!["title".into(), "category".into(), "parent".into()],
        values: (0..n)
            .flat_map(|i| {
                [
                    format!("Product {}", i / group),
                    format!("cat-{}", i % 4),
                    format!("p{}", i % parents),
                ]
            })
            .collect(),
    };
    m
}

fn engine(m: Model, history: &[usize]) -> Engine<MemoryStore> {
    let e = block_on(Engine::open(
        m,
        Backend::cpu(Requested::Cpu, "tests"),
        MemoryStore::default(),
        500,
    ))
    .unwrap();
    for (t, &i) in history.iter().enumerate() {
        block_on(e.record(&format!("item-{i}"), EventKind::View, t as f64)).unwrap();
    }
    e
}

fn rows(e: &Engine<MemoryStore>, k: usize, rerank: Rerank) -> Vec<usize> {
    block_on(e.recommend_rows(RecommendOptions {
        k,
        exclude_seen: true,
        rerank,
    }))
    .unwrap()
    .iter()
    .map(|r| r.index as usize)
    .collect()
}

fn off() -> Rerank {
    Rerank {
        dedupe: Dedupe::Off,
        ..Rerank::default()
    }
}

fn title(m: &Model, j: usize) -> &str {
    m.meta.get(j, "title")
}

#[test]
fn dedupe_by_title_keeps_one_item_per_title_and_still_fills_k() {
    // 400 items in 50 titles of 8: the first pool (k + k/4 + 4) holds fewer than k titles, so
    // the engine fetches larger ones.
    let e = engine(model(400, 8, 400), &[3, 17, 250]);
    let m = e.model();
    for k in [1, 10, 40, 50] {
        let got = rows(&e, k, Rerank::default());
        assert_eq!(got.len(), k, "k = {k}");
        let mut titles: Vec<&str> = got.iter().map(|&j| title(m, j)).collect();
        titles.sort_unstable();
        titles.dedup();
        assert_eq!(
            titles.len(),
            k,
            "two items of one title for k = {k}: {got:?}"
        );
    }
    // Exactly the first k titles of the whole ranking, whatever pools it took to find them.
    let full = rows(&e, 400, off());
    for k in [1, 10, 40, 50] {
        let mut seen = std::collections::HashSet::new();
        let want: Vec<usize> = full
            .iter()
            .copied()
            .filter(|&j| seen.insert(title(m, j)))
            .take(k)
            .collect();
        assert_eq!(rows(&e, k, Rerank::default()), want, "k = {k}");
    }
    // More than there are groups: every group once (50 titles), no more.
    assert_eq!(rows(&e, 80, Rerank::default()).len(), 50);
    // Without de-duplication the same request repeats titles.
    let plain = rows(&e, 40, off());
    let mut titles: Vec<&str> = plain.iter().map(|&j| title(m, j)).collect();
    titles.sort_unstable();
    titles.dedup();
    assert!(
        titles.len() < 40,
        "the fixture must have duplicates to remove"
    );
}

#[test]
fn dedupe_keeps_the_best_item_of_each_group() {
    let e = engine(model(120, 4, 120), &[5, 9]);
    let m = e.model();
    let plain = rows(&e, 120, off());
    let deduped = rows(&e, 10, Rerank::default());
    // The first occurrence of each title in the plain ranking, in order.
    let mut seen = std::collections::HashSet::new();
    let firsts: Vec<usize> = plain
        .into_iter()
        .filter(|&j| seen.insert(title(m, j)))
        .take(10)
        .collect();
    assert_eq!(deduped, firsts);
}

#[test]
fn dedupe_by_an_attribute_groups_by_its_value() {
    let e = engine(model(200, 1, 7), &[1, 2]);
    let m = e.model();
    let by_parent = Rerank {
        dedupe: Dedupe::Attribute("parent".into()),
        ..Rerank::default()
    };
    let got = rows(&e, 10, by_parent);
    // 7 parents: 7 items, one per parent.
    assert_eq!(got.len(), 7);
    let mut parents: Vec<&str> = got.iter().map(|&j| m.meta.get(j, "parent")).collect();
    parents.sort_unstable();
    parents.dedup();
    assert_eq!(parents.len(), 7);
}

#[test]
fn diversity_zero_without_dedupe_or_damping_is_the_plain_top_k_exactly() {
    let e = engine(model(300, 1, 300), &[4, 44, 144]);
    for k in [1, 10, 37] {
        let plain = Query::from_history(
            e.model(),
            &e.history(),
            RecommendOptions {
                k,
                exclude_seen: true,
                rerank: off(),
            },
        )
        .unwrap();
        let want = cpu_top_k(&e.model().table, &plain);
        let got = block_on(e.recommend_rows(RecommendOptions {
            k,
            exclude_seen: true,
            rerank: off(),
        }))
        .unwrap();
        assert_eq!(got, want);
        // Titles are unique here: the default (dedupe by title) goes through the re-ranker and
        // must give the same ids and scores.
        let default = block_on(e.recommend_rows(RecommendOptions {
            k,
            ..Default::default()
        }))
        .unwrap();
        assert_eq!(default, want);
    }
}

fn mean_ild(e: &Engine<MemoryStore>, units: &[Vec<f32>], diversity: f32) -> f64 {
    let got = rows(e, 10, Rerank { diversity, ..off() });
    intra_list_diversity(&got, units)
}

#[test]
fn more_diversity_raises_intra_list_diversity() {
    let histories: [&[usize]; 4] = [&[1, 2, 3], &[50], &[7, 70, 170, 270], &[]];
    let m = model(300, 1, 300);
    let units: Vec<Vec<f32>> = (0..m.len()).map(|j| unit_row(&m, j)).collect();
    let engines: Vec<_> = histories.iter().map(|h| engine(m.clone(), h)).collect();
    let ild = |d: f32| engines.iter().map(|e| mean_ild(e, &units, d)).sum::<f64>() / 4.0;
    let levels: Vec<f64> = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9]
        .iter()
        .map(|&d| ild(d))
        .collect();
    // Greedy MMR lowers each pick's *largest* similarity, not the mean pairwise one, so a small
    // step may dip the mean a little (0.7014 → 0.7002 from 0.1 to 0.3 here); it never falls by
    // more than 0.005, and every 0.2 beyond 0.3 raises it clearly.
    for w in levels.windows(2) {
        assert!(w[1] >= w[0] - 0.005, "ILD fell: {levels:?}");
    }
    for w in levels[2..].windows(2) {
        assert!(w[1] > w[0] + 0.01, "ILD did not rise: {levels:?}");
    }
    assert!(
        levels[5] > levels[0] + 0.15,
        "MMR changed little: {levels:?}"
    );
}

#[test]
fn damping_lowers_the_popularity_of_what_is_recommended() {
    let m = model(300, 1, 300);
    // Popularity rank of each item by its bias (0 = most popular).
    let mut by_bias: Vec<usize> = (0..m.len()).collect();
    by_bias.sort_by(|&a, &b| m.table.bias[b].total_cmp(&m.table.bias[a]));
    let mut rank = vec![0usize; m.len()];
    for (r, &j) in by_bias.iter().enumerate() {
        rank[j] = r;
    }
    let e = engine(m, &[3, 30]);
    let mean_rank = |damping: f32| {
        let got = rows(
            &e,
            10,
            Rerank {
                popularity_damping: damping,
                ..off()
            },
        );
        got.iter().map(|&j| rank[j] as f64).sum::<f64>() / got.len() as f64
    };
    let (none, some, full) = (mean_rank(0.0), mean_rank(0.3), mean_rank(1.0));
    assert!(
        none < some && some < full,
        "mean popularity rank {none} → {some} → {full}"
    );
}

#[test]
fn bad_values_are_invalid_arguments() {
    let e = engine(model(50, 1, 50), &[1]);
    let bad = [
        Rerank {
            diversity: -0.1,
            ..Rerank::default()
        },
        Rerank {
            diversity: 1.5,
            ..Rerank::default()
        },
        Rerank {
            diversity: f32::NAN,
            ..Rerank::default()
        },
        Rerank {
            popularity_damping: f32::INFINITY,
            ..Rerank::default()
        },
        Rerank {
            popularity_damping: 2.0,
            ..Rerank::default()
        },
        Rerank {
            dedupe: Dedupe::Attribute("no_such_attribute".into()),
            ..Rerank::default()
        },
    ];
    for rerank in bad {
        let r = block_on(e.recommend_rows(RecommendOptions {
            k: 5,
            exclude_seen: true,
            rerank: rerank.clone(),
        }));
        assert!(
            matches!(r, Err(Error::InvalidArgument(_))),
            "{rerank:?} gave {r:?}"
        );
    }
}

#[test]
fn the_engine_and_the_native_ranking_agree_and_repeat() {
    let e = engine(model(400, 3, 400), &[10, 20, 30]);
    let rerank = Rerank {
        diversity: 0.3,
        dedupe: Dedupe::Title,
        popularity_damping: 0.2,
    };
    let opts = RecommendOptions {
        k: 12,
        exclude_seen: true,
        rerank,
    };
    let q = Query::from_history(e.model(), &e.history(), opts.clone()).unwrap();
    let native = diversity::rank_now(e.model(), &q, |q| cpu_top_k(&e.model().table, q));
    let engine_rows = block_on(e.recommend_rows(opts.clone())).unwrap();
    assert_eq!(engine_rows, native);
    assert_eq!(block_on(e.recommend_rows(opts)).unwrap(), engine_rows);
}
