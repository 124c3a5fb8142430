//! Similar items (`similar(key)`) and explanations (`recommend({explain: true})`) natively: the
//! similar-items query is the query of a one-view history without the item, an item with nothing
//! to go by falls back to its category's popular items, bad input is a typed error, the GPU gives
//! the CPU's ids (lavapipe; the skip/require rule of tests/gpu.rs); explanations name history
//! items whose terms add up to the score, and taking the top-named item out of the history
//! lowers the recommended item's score (on a model trained on Scientific).
#![cfg(all(feature = "train", not(target_arch = "wasm32")))]

mod common;

use std::path::Path;

use futures::executor::block_on;
use localrank::history::store::MemoryStore;
use localrank::history::{EventKind, History, DEFAULT_CAP};
use localrank::model::{ItemTable, Metadata, Model, Neighbours};
use localrank::rank::diversity::Dedupe;
use localrank::recommender::SimilarOptions;
use localrank::score::backend::{cpu_top_k, Backend, Requested};
use localrank::score::explain::Explainer;
use localrank::score::fold::known_rows;
use localrank::score::query::Query;
use localrank::score::similar::Basis;
use localrank::train::dataset::Dataset;
use localrank::train::experiment::{self, RowFormat};
use localrank::train::protocol::{Phase, Split};
use localrank::train::transitions::NeighbourParams;
use localrank::train::TrainParams;
use localrank::{Engine, Error, Event, RecommendOptions, Recommendation};
use ndarray::Array2;

fn engine(model: &Model, backend: Backend) -> Engine<MemoryStore> {
    block_on(Engine::open(
        model.clone(),
        backend,
        MemoryStore::default(),
        DEFAULT_CAP,
    ))
    .unwrap()
}

fn cpu(model: &Model) -> Engine<MemoryStore> {
    engine(model, Backend::cpu(Requested::Cpu, "reference"))
}

fn keys(r: &[Recommendation]) -> Vec<&str> {
    r.iter().map(|x| x.key.as_str()).collect()
}

fn similar(e: &Engine<MemoryStore>, key: &str, k: usize) -> Vec<Recommendation> {
    block_on(e.similar(
        key,
        SimilarOptions {
            k,
            ..Default::default()
        },
    ))
    .unwrap()
}

/// A synthetic model with `NBRS` lists for every item but those in `bare`.
fn with_neighbours(n: usize, d: usize, seed: u64, bare: &[usize]) -> Model {
    let mut model = common::synthetic_model(n, d, seed);
    let mut rng = common::Rng(seed + 1);
    let lists: Vec<Vec<(u32, u8)>> = (0..n)
        .map(|i| {
            if bare.contains(&i) {
                return Vec::new();
            }
            let mut l: Vec<(u32, u8)> = (0..6)
                .map(|_| (rng.below(n) as u32, 1 + rng.below(255) as u8))
                .filter(|&(t, _)| t as usize != i)
                .collect();
            l.sort_unstable();
            l.dedup_by_key(|e| e.0);
            l
        })
        .collect();
    let nb = Neighbours::new(vec![255, 200, 150], 1.0 / 20_000.0, &lists).unwrap();
    model.extra.neighbours = Some(nb);
    model
}

/// `model` with the rows in `zero` set to zero (items without training events).
fn with_zero_rows(model: &Model, zero: &[usize]) -> Model {
    let (n, d) = (model.len(), model.dim());
    let rows = Array2::from_shape_fn((n, d), |(i, p)| {
        if zero.contains(&i) {
            0.0
        } else {
            model.table.dequantised_row(i)[p]
        }
    });
    let mut m = model.clone();
    m.table = ItemTable::quantise(&rows, model.table.bias.clone());
    m.fold.gram = m.table.gram();
    m
}

#[test]
fn similar_items_are_the_one_view_query_without_the_item() {
    let model = with_neighbours(800, 16, 41, &[]);
    let e = cpu(&model);
    let got = similar(&e, "item-7", 10);
    assert_eq!(got.len(), 10);
    assert!(!keys(&got).contains(&"item-7"), "{:?}", keys(&got));
    // The same ranking as a shopper whose history is one view of item-7.
    let q = Query::from_history(
        &model,
        &history_of(&model, &[7]),
        RecommendOptions::default(),
    );
    let want: Vec<String> = cpu_top_k(&model.table, &q.unwrap())
        .iter()
        .map(|r| model.keys.key(r.index as usize).to_owned())
        .collect();
    assert_eq!(keys(&got), want);
    // Its NBRS list counts: without the section the answer differs.
    let mut plain = model.clone();
    plain.extra.neighbours = None;
    assert_ne!(keys(&similar(&cpu(&plain), "item-7", 10)), keys(&got));
    // Independent of the engine's own history.
    block_on(e.record("item-300", EventKind::Purchase, 1.0)).unwrap();
    assert_eq!(similar(&e, "item-7", 10), got);
    // k larger than the catalogue: every other item once.
    let all = similar(&e, "item-7", 5_000);
    assert_eq!(all.len(), 799);
}

#[test]
fn variants_of_the_item_and_repeated_titles_are_left_out_and_k_still_come_back() {
    let mut model = with_neighbours(800, 16, 41, &[]);
    let before = similar(&cpu(&model), "item-7", 10);
    let row = |k: &str| model.keys.index_of(k).unwrap() as usize;
    let (first, second, third) = (
        row(&before[0].key),
        row(&before[1].key),
        row(&before[2].key),
    );
    // The best answer becomes a variant of item-7 (its title), the third a copy of the second.
    let mut titles: Vec<String> = (0..model.len())
        .map(|i| model.meta.get(i, "title").to_owned())
        .collect();
    titles[7] = "Caliper 150 mm".into();
    titles[first] = "Caliper 150 mm".into();
    titles[third] = before[1].title.clone();
    model.meta = Metadata {
        fields: vec!["title".into(), "category".into()],
        values: titles
            .iter()
            .enumerate()
            .flat_map(|(i, t)| [t.clone(), model.meta.get(i, "category").to_owned()])
            .collect(),
    };
    let got = similar(&cpu(&model), "item-7", 10);
    assert_eq!(got.len(), 10);
    let got_keys = keys(&got);
    assert!(
        !got_keys.contains(&model.keys.key(first)),
        "the variant: {got_keys:?}"
    );
    assert_eq!(got_keys[0], model.keys.key(second));
    assert!(
        !got_keys.contains(&model.keys.key(third)),
        "the copy: {got_keys:?}"
    );
    let mut titles: Vec<&str> = got.iter().map(|r| r.title.as_str()).collect();
    titles.sort_unstable();
    titles.dedup();
    assert_eq!(titles.len(), 10, "one item per title");
    // The rest keep the undeduplicated order.
    let rest: Vec<&str> = keys(&before)
        .into_iter()
        .filter(|k| ![first, third].contains(&row(k)))
        .collect();
    assert_eq!(got_keys[..rest.len()], rest[..]);
    // dedupe off: the undeduplicated answer, the variant first.
    let e = cpu(&model);
    let off = SimilarOptions {
        k: 10,
        dedupe: Dedupe::Off,
    };
    assert_eq!(
        keys(&block_on(e.similar("item-7", off)).unwrap()),
        keys(&before)
    );
}

#[test]
fn an_item_with_nothing_to_go_by_gets_its_categorys_most_popular_items() {
    // Row 5 (category cat-1) has a zero vector and no NBRS list; row 6 has a zero vector but a
    // list, so it is still answered from the list.
    let model = with_zero_rows(&with_neighbours(400, 8, 43, &[5]), &[5, 6]);
    let (q, basis) = Query::similar(
        &model,
        5,
        SimilarOptions {
            k: 12,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(basis, Basis::Category);
    let got = cpu_top_k(&model.table, &q);
    let mut want: Vec<u32> = (0..400u32).filter(|&j| j != 5 && j % 4 == 1).collect();
    want.sort_by(|&a, &b| {
        let bias = &model.table.bias;
        bias[b as usize]
            .total_cmp(&bias[a as usize])
            .then(a.cmp(&b))
    });
    let ids: Vec<u32> = got.iter().map(|r| r.index).collect();
    assert_eq!(ids, want[..12]);
    let (_, basis) = Query::similar(
        &model,
        6,
        SimilarOptions {
            k: 12,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(basis, Basis::Item);
    // A model without categories: the whole catalogue's popular items.
    let mut bare = model.clone();
    bare.meta = Default::default();
    let (q, basis) = Query::similar(
        &bare,
        5,
        SimilarOptions {
            k: 3,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(basis, Basis::Popular);
    assert!(cpu_top_k(&bare.table, &q).iter().all(|r| r.index != 5));
}

#[test]
fn unknown_keys_and_bad_k_are_typed_errors() {
    let e = cpu(&common::synthetic_model(50, 4, 45));
    let err = block_on(e.similar(
        "nope",
        SimilarOptions {
            k: 5,
            ..Default::default()
        },
    ))
    .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownItem { key } if key == "nope"),
        "{err}"
    );
    assert_eq!(err.code(), "UnknownItem");
    for k in [0, localrank::recommender::MAX_K + 1] {
        let err = block_on(e.similar(
            "item-1",
            SimilarOptions {
                k,
                ..Default::default()
            },
        ))
        .unwrap_err();
        assert_eq!(err.code(), "InvalidArgument", "{err}");
    }
}

#[cfg(feature = "gpu")]
#[test]
fn similar_items_on_the_gpu_are_the_cpus() {
    use localrank::score::gpu::GpuScorer;
    let model = with_zero_rows(&with_neighbours(5_000, 32, 47, &[9]), &[9]);
    let gpu = match block_on(GpuScorer::new(&model.table, Default::default())) {
        Ok(g) => engine(&model, Backend::with_gpu(Requested::Gpu, g)),
        Err(e) if std::env::var_os("LOCALRANK_REQUIRE_GPU").is_none() => {
            eprintln!("SKIPPED (no GPU): {e}");
            return;
        }
        Err(e) => panic!("LOCALRANK_REQUIRE_GPU is set but no GPU: {e}"),
    };
    let reference = cpu(&model);
    // Item 9: the category fallback (a long exclusion list on the GPU).
    for key in ["item-0", "item-9", "item-1234", "item-4999"] {
        let (g, c) = (similar(&gpu, key, 20), similar(&reference, key, 20));
        assert_eq!(gpu.backend().name(), "webgpu");
        assert_eq!(keys(&g), keys(&c), "{key}");
    }
}

/// A small model with neighbours trained on the first users of the Scientific data, and the
/// users' sequences.
fn scientific() -> (Model, Vec<Vec<u32>>) {
    let data = Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/scientific"))
        .unwrap()
        .first_users(600);
    let split = Split::new(&data.sequences, Phase::Test);
    let params = TrainParams {
        dim: 16,
        iterations: 4,
        ..TrainParams::default()
    };
    let dense = experiment::train_dense(&split, data.keys.len(), &params, &mut |_| {}).unwrap();
    let nb = NeighbourParams {
        privacy: Default::default(),
        ..NeighbourParams::default()
    };
    let (m, _) = experiment::ship(
        &data.keys,
        &split,
        &dense,
        &params,
        RowFormat::Int8,
        Some(&nb),
    )
    .unwrap();
    assert!(m.extra.neighbours.is_some());
    (m, data.sequences)
}

fn history_of(model: &Model, rows: &[u32]) -> History {
    let events = rows
        .iter()
        .enumerate()
        .map(|(t, &i)| Event::new(model.keys.key(i as usize), EventKind::View, t as f64).unwrap())
        .collect();
    History::from_events(DEFAULT_CAP, events).unwrap()
}

fn score_of(model: &Model, rows: &[u32], j: u32) -> f32 {
    let h = history_of(model, rows);
    let q = Query::from_history(model, &h, RecommendOptions::default()).unwrap();
    q.scores(&model.table)[j as usize]
}

#[test]
fn explanations_name_history_items_whose_removal_lowers_the_score() {
    let (model, sequences) = scientific();
    let (mut checked, mut lowered) = (0, 0);
    for seq in sequences.iter().filter(|s| s.len() >= 4).take(40) {
        let e = cpu(&model);
        for (t, &i) in seq.iter().enumerate() {
            block_on(e.record(model.keys.key(i as usize), EventKind::View, t as f64)).unwrap();
        }
        let recs = block_on(e.recommend_rows(RecommendOptions::default())).unwrap();
        let rows: Vec<u32> = recs.iter().map(|r| r.index).collect();
        let reasons = e.explain(&rows);
        assert_eq!(reasons.len(), rows.len());
        let explainer = Explainer::new(&model, &known_rows(&model, &e.history()));
        for (r, because) in recs.iter().zip(&reasons) {
            // The terms add up to the score less the bias (up to the int8 user vector).
            let terms = explainer.contributions(r.index);
            let sum: f64 = terms.iter().map(|t| t.1).sum();
            let size: f64 = terms.iter().map(|t| t.1.abs()).sum::<f64>() + f64::from(r.score.abs());
            let personal = f64::from(r.score - model.table.bias[r.index as usize]);
            assert!(
                (sum - personal).abs() <= 0.02 * size,
                "terms {sum} vs score − bias {personal}"
            );
            assert!(because.len() <= 3);
            let total: f32 = because.iter().map(|b| b.weight).sum();
            assert!(total <= 1.0 + 1e-5, "{because:?}");
            for w in because.windows(2) {
                assert!(w[0].weight >= w[1].weight, "{because:?}");
            }
            for b in because {
                assert!(seq.contains(&b.row), "{} is not in the history", b.row);
                assert!(b.weight > 0.0 && b.weight <= 1.0);
            }
            let Some(top) = because.first() else {
                continue;
            };
            let without: Vec<u32> = seq.iter().copied().filter(|&i| i != top.row).collect();
            checked += 1;
            if score_of(&model, &without, r.index) < score_of(&model, seq, r.index) {
                lowered += 1;
            }
        }
    }
    eprintln!("removing the top-named item lowered the score in {lowered} of {checked} cases");
    assert!(checked >= 200, "{checked}");
    assert_eq!(lowered, checked);
}

#[test]
fn an_empty_history_has_no_reasons() {
    let e = cpu(&with_neighbours(100, 8, 49, &[]));
    assert_eq!(e.explain(&[1, 2]), vec![Vec::new(), Vec::new()]);
    block_on(e.record("item-3", EventKind::View, 0.0)).unwrap();
    let r = e.explain(&[1]);
    assert!(r[0].iter().all(|b| b.row == 3));
}

/// How each similar-items method ranks the next item given only the current one, on the
/// Scientific validation split: `scripts/similar-quality.sh` trains the validation model
/// (`seq[:-2]`, the shipped flags) and runs this with `LOCALRANK_SIMILAR_MODEL` set.
#[test]
#[ignore = "needs the validation model of scripts/similar-quality.sh"]
fn next_item_quality_of_similar_item_methods() {
    use localrank::rank::diversity::rank_now;
    use localrank::train::protocol::rank_of;
    let path = std::env::var("LOCALRANK_SIMILAR_MODEL").expect("LOCALRANK_SIMILAR_MODEL");
    let model = Model::from_bytes(&std::fs::read(path).unwrap()).unwrap();
    let data =
        Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/scientific")).unwrap();
    let split = Split::new(&data.sequences, Phase::Validation);
    let nb = model.extra.neighbours.as_ref().expect("a model with NBRS");
    type Scores<'a> = &'a dyn Fn(u32) -> Vec<f32>;
    let methods: [(&str, Scores); 4] = [
        ("query: one-view fold-in + NBRS list (shipped)", &|row| {
            let (q, _) = Query::similar(&model, row, SimilarOptions::default()).unwrap();
            q.scores(&model.table)
        }),
        ("NBRS list first, fold-in vectors to fill", &|row| {
            let (mut q, _) = Query::similar(&model, row, SimilarOptions::default()).unwrap();
            let list = std::mem::take(&mut q.boosts);
            let mut s = q.scores(&model.table);
            for (j, acc) in list {
                s[j as usize] = 1e6 + acc as f32;
            }
            s
        }),
        ("fold-in vectors only", &|row| {
            let (mut q, _) = Query::similar(&model, row, SimilarOptions::default()).unwrap();
            q.boosts.clear();
            q.scores(&model.table)
        }),
        ("NBRS list only, then popularity", &|row| {
            let mut s: Vec<f32> = model.table.bias.to_vec();
            let (targets, weights) = nb.of(row as usize);
            for (&j, &w) in targets.iter().zip(weights) {
                s[j as usize] = 1e6 + f32::from(w);
            }
            s
        }),
    ];
    for (name, scores) in methods {
        let ranks: Vec<Option<usize>> = split
            .cases
            .iter()
            .map(|&(u, target)| {
                let cur = *split.train[u].last().unwrap();
                rank_of(&scores(cur), &[cur], target)
            })
            .collect();
        print_quality(name, &ranks);
    }
    // What `similar()` returns: the query's list with one item per title, the item's own title
    // taken first (its variants are not similar items), through the engine's re-ranking; and
    // the same with the item's variants kept.
    for (name, anchored) in [
        (
            "query, one item per title, no variant of the item (what similar() returns)",
            true,
        ),
        (
            "query, one item per title, variants of the item kept",
            false,
        ),
    ] {
        let ranks: Vec<Option<usize>> = split
            .cases
            .iter()
            .map(|&(u, target)| {
                let cur = *split.train[u].last().unwrap();
                let (mut q, _) = Query::similar(
                    &model,
                    cur,
                    SimilarOptions {
                        k: 20,
                        ..Default::default()
                    },
                )
                .unwrap();
                if !anchored {
                    q.anchor = None;
                }
                rank_now(&model, &q, |q| cpu_top_k(&model.table, q))
                    .iter()
                    .position(|r| r.index == target)
            })
            .collect();
        print_quality(name, &ranks);
    }
    let title = |row: u32| model.meta.get(row as usize, "title");
    let variants = split
        .cases
        .iter()
        .filter(|&&(u, target)| title(*split.train[u].last().unwrap()) == title(target))
        .count();
    println!(
        "cases whose next item is titled like the current one: {variants} of {}",
        split.cases.len()
    );
}

fn print_quality(name: &str, ranks: &[Option<usize>]) {
    let q = localrank::train::protocol::Quality::from_ranks(ranks);
    println!(
        "{name:48} cases {}  HR@10 {:.4}  NDCG@10 {:.4}  HR@20 {:.4}  NDCG@20 {:.4}",
        q.cases, q.hr10, q.ndcg10, q.hr20, q.ndcg20
    );
}

#[test]
fn a_filter_keeps_similar_items_to_the_qualifying_ones_and_k_come_back() {
    use localrank::score::filter::Filter;
    let model = with_neighbours(400, 16, 41, &[]);
    let e = cpu(&model);
    let filter = Filter {
        category: Some("cat-1".into()),
        ..Default::default()
    };
    let got = block_on(e.similar_rows(
        "item-2",
        SimilarOptions {
            k: 12,
            ..Default::default()
        },
        &filter,
    ))
    .unwrap();
    assert_eq!(got.len(), 12, "100 items qualify, so k come back");
    assert!(got.iter().all(|r| r.index % 4 == 1), "only cat-1 items");
    // The unfiltered list has items of other categories near the top: the filter did something.
    let all = block_on(e.similar_rows(
        "item-2",
        SimilarOptions {
            k: 12,
            ..Default::default()
        },
        &Filter::default(),
    ));
    assert!(all.unwrap().iter().any(|r| r.index % 4 != 1));
}
