//! Issue 16's agreement checks between `spark/train.py` and the native trainer, on the output
//! directory of a Spark run named by `LOCALRANK_SPARK_DIR` (`make test-spark` runs the job on
//! tests/fixtures/store first; docs/SCALE.md runs it on Sports). Without that variable every
//! test here returns at once: `cargo test` alone has no Spark.
//!
//! The events the job read: `LOCALRANK_SPARK_EVENTS` (default the fixture's events.csv), with
//! `LOCALRANK_SPARK_CATALOG` (default products.jsonl; `none` for no catalogue) and
//! `LOCALRANK_SPARK_EVENT_MAP`, read here by the native reader with the same options.
//!
//! The job withholds the newest event of some users (`--holdout-users`): the native data here
//! drops the same events (checked to be each of those users' newest) before comparing, and the
//! pack report's figures on them are recomputed through the public `Engine::recommend`.
#![cfg(feature = "train")]

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use futures::executor::block_on;
use localrank::history::store::MemoryStore;
use localrank::history::{Event, EventKind, History, DEFAULT_CAP};
use localrank::linalg::cholesky_solve;
use localrank::model::{FoldRegulariser, Model};
use localrank::rank::diversity::{Dedupe, Rerank};
use localrank::score::backend::{Backend, Requested};
use localrank::score::query::{Query, RecommendOptions};
use localrank::score::user::{fold_in, weights_newest_first};
use localrank::train::import::spark::{self, SparkModel};
use localrank::train::import::{self, ImportOptions, ReportParts};
use localrank::train::pack::pack_plain;
use localrank::train::report::DataStats;
use localrank::train::store::options::UnknownItems;
use localrank::train::store::{self, StoreData, StoreOptions};
use localrank::train::transitions::{self, NeighbourParams};
use localrank::train::KIND_WEIGHTS;
use ndarray::{Array1, Array2, Axis};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The Spark output and the same events read natively; `None` without `LOCALRANK_SPARK_DIR`.
fn inputs() -> Option<(PathBuf, SparkModel, StoreData)> {
    let Ok(dir) = std::env::var("LOCALRANK_SPARK_DIR") else {
        eprintln!("LOCALRANK_SPARK_DIR is not set: no Spark output to check (make test-spark)");
        return None;
    };
    let dir = PathBuf::from(dir);
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store");
    let events = env("LOCALRANK_SPARK_EVENTS", &format!("{fixture}/events.csv"));
    let catalog = env(
        "LOCALRANK_SPARK_CATALOG",
        &format!("{fixture}/products.jsonl"),
    );
    let catalog = (catalog != "none").then(|| PathBuf::from(catalog));
    let mut opts = StoreOptions::new(events, catalog);
    opts.event_map = env(
        "LOCALRANK_SPARK_EVENT_MAP",
        "view=view,addtocart=cart,transaction=purchase",
    )
    .parse()
    .unwrap();
    let mut data = store::load(&opts, &mut |_, _, _| {}).unwrap();
    let model = spark::read(&dir).unwrap();
    without_held_out(&dir, &model, &mut data);
    Some((dir, model, data))
}

/// Drops from the native data the events the job held out, checking that each is its user's
/// newest and that the job's history is the rest (users are matched through `users/`, which is
/// in the native user order).
fn without_held_out(dir: &std::path::Path, sm: &SparkModel, data: &mut StoreData) {
    if sm.holdout.is_empty() {
        return;
    }
    let users = spark::read_users(dir).unwrap();
    assert_eq!(
        users.len(),
        data.sequences.len(),
        "one Spark user per native user"
    );
    let index: HashMap<&str, usize> = users
        .iter()
        .enumerate()
        .map(|(u, (key, _))| (key.as_str(), u))
        .collect();
    for case in &sm.holdout {
        let seq = &mut data.sequences[index[case.user.as_str()]];
        let newest = seq.pop().expect("a held-out user has events");
        let key = |row: u32| sm.keys[row as usize].as_str();
        assert_eq!(
            data.keys[newest.item as usize],
            key(case.target),
            "{}",
            case.user
        );
        let rest: Vec<&str> = seq
            .iter()
            .map(|e| data.keys[e.item as usize].as_str())
            .collect();
        let history: Vec<&str> = case.history.iter().map(|&r| key(r)).collect();
        assert_eq!(rest, history, "history of {}", case.user);
    }
}

#[test]
fn spark_items_are_the_native_trainers_rows_and_counts() {
    let Some((_, sm, data)) = inputs() else {
        return;
    };
    assert_eq!(sm.keys, data.keys, "item order");
    let mut counts = vec![0u32; data.items()];
    for e in data.sequences.iter().flatten() {
        counts[e.item as usize] += 1;
    }
    assert_eq!(sm.counts, counts, "occurrence counts");
    assert_eq!(sm.settings.events_used as usize, data.events());
}

#[test]
fn spark_neighbour_lists_equal_the_native_trainers() {
    let Some((_, sm, data)) = inputs() else {
        return;
    };
    let p = sm.settings.neighbours;
    let native = transitions::weighted_lists(&data.item_sequences(), data.items(), &p);
    let entries: usize = native.iter().map(Vec::len).sum();
    assert!(entries > 0, "the data must give some neighbour lists");
    for (i, (s, n)) in sm.neighbours.iter().zip(&native).enumerate() {
        assert_eq!(s, n, "list of {:?}", data.keys[i]);
    }
    assert_eq!(sm.neighbours.len(), native.len());
    // And so the quantised sections are equal byte for byte.
    let shipped = NeighbourParams {
        recency: 0.7,
        mix: 1.5,
        ..p
    };
    assert_eq!(
        transitions::quantise(&sm.neighbours, &shipped).unwrap(),
        transitions::build(&data.item_sequences(), data.items(), &shipped).unwrap()
    );
    eprintln!(
        "NBRS: {} lists, {entries} entries, equal to the native trainer's",
        native.len()
    );
}

/// Packs the Spark factors as `localrank pack --from-spark` does, through the file format.
fn packed(sm: &SparkModel, rows4: bool) -> Model {
    let mut m = pack_plain(
        &sm.keys,
        &sm.factors.mapv(f64::from),
        &sm.counts,
        &sm.settings.params,
        rows4,
    )
    .unwrap();
    m.extra.fold_regulariser = sm.settings.regulariser;
    Model::from_bytes(&m.to_bytes()).unwrap()
}

fn history(data: &StoreData, u: usize) -> History {
    let events = data.sequences[u]
        .iter()
        .map(|e| Event::new(data.keys[e.item as usize].clone(), e.kind, e.time_ms as f64).unwrap())
        .collect();
    History::from_events(data.sequences[u].len().max(1), events).unwrap()
}

/// Fold-in against the f32 factors themselves (no quantisation), MLlib's regulariser; `gram`
/// is `yᵀy` of those factors.
fn fold_in_f32(sm: &SparkModel, gram: &Array2<f64>, data: &StoreData, u: usize) -> Array1<f32> {
    let y = &sm.factors;
    let p = &sm.settings.params;
    let rows = data.sequences[u].iter().rev().map(|e| (e.item, e.kind));
    let w = weights_newest_first(rows, &KIND_WEIGHTS, p.decay);
    let lambda = sm
        .settings
        .regulariser
        .effective(f64::from(p.lambda), w.len());
    let alpha = f64::from(p.alpha);
    let mut a = gram.clone();
    a.diag_mut().mapv_inplace(|v| v + lambda);
    let mut b = Array1::<f64>::zeros(a.nrows());
    for &(i, wi) in &w {
        let yi = y.row(i as usize).mapv(f64::from);
        let col = yi.view().insert_axis(Axis(1));
        a.scaled_add(alpha * wi, &col.dot(&col.t()));
        b.scaled_add(1.0 + alpha * wi, &yi);
    }
    cholesky_solve(&a, &b).unwrap().mapv(|v| v as f32)
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// The 10 best unseen rows of `items · u`.
fn top10(items: &Array2<f32>, u: &[f32], seen: &[u32]) -> Vec<usize> {
    let s = items.dot(&ndarray::ArrayView1::from(u));
    let mut rows: Vec<usize> = (0..s.len())
        .filter(|r| !seen.contains(&(*r as u32)))
        .collect();
    rows.sort_by(|a, b| s[*b].total_cmp(&s[*a]).then(a.cmp(b)));
    rows.truncate(10);
    rows
}

#[test]
fn device_fold_in_agrees_with_sparks_user_factors() {
    let Some((dir, sm, data)) = inputs() else {
        return;
    };
    assert_eq!(sm.settings.regulariser, FoldRegulariser::PerItem);
    let users = spark::read_users(&dir).unwrap();
    assert_eq!(
        users.len(),
        data.sequences.len(),
        "one Spark factor per user"
    );
    let models = [("int8", packed(&sm, false)), ("4-bit", packed(&sm, true))];
    let rows: Vec<Array2<f32>> = models
        .iter()
        .map(|(_, m)| {
            let mut rows = Array2::zeros((m.len(), m.dim()));
            for (r, mut row) in rows.rows_mut().into_iter().enumerate() {
                row.assign(&m.table.dequantised_row(r));
            }
            rows
        })
        .collect();
    let y = sm.factors.mapv(f64::from);
    let gram = y.t().dot(&y);
    // Every user of a small set; an even sample of LOCALRANK_SPARK_USERS (2,000) of a large one.
    let limit: usize = env("LOCALRANK_SPARK_USERS", "2000").parse().unwrap();
    let step = users.len().div_ceil(limit.max(1));
    let sample: Vec<usize> = (0..users.len()).step_by(step).collect();
    let n = sample.len() as f64;
    let (mut cos_f32, mut over_f32) = (0.0, 0.0);
    let mut cos_q = [0.0; 2];
    let mut over_q = [0.0; 2];
    for &u in &sample {
        let spark_u = &users[u].1;
        let seen: Vec<u32> = data.sequences[u].iter().map(|e| e.item).collect();
        let truth = top10(&sm.factors, spark_u, &seen);
        let overlap = |top: Vec<usize>| top.iter().filter(|r| truth.contains(r)).count() as f64;
        let f = fold_in_f32(&sm, &gram, &data, u);
        cos_f32 += cosine(f.as_slice().unwrap(), spark_u);
        over_f32 += overlap(top10(&sm.factors, f.as_slice().unwrap(), &seen));
        let h = history(&data, u);
        for (k, (_, m)) in models.iter().enumerate() {
            let dev = fold_in(m, &h);
            cos_q[k] += cosine(dev.as_slice().unwrap(), spark_u);
            over_q[k] += overlap(top10(&rows[k], dev.as_slice().unwrap(), &seen));
        }
    }
    eprintln!(
        "fold-in vs Spark's user factors over {n} of {} users: f32 rows cosine {:.5}, top-10 overlap {:.3}",
        users.len(),
        cos_f32 / n,
        over_f32 / n / 10.0
    );
    for (k, (name, _)) in models.iter().enumerate() {
        eprintln!(
            "  {name} rows: cosine {:.5}, top-10 overlap {:.3}",
            cos_q[k] / n,
            over_q[k] / n / 10.0
        );
    }
    assert!(cos_f32 / n >= 0.99, "mean cosine {}", cos_f32 / n);
    assert!(
        over_f32 / n / 10.0 >= 0.9,
        "top-10 overlap {}",
        over_f32 / n
    );
    // Quantised rows: reported; a loose floor catches a broken packer or regulariser.
    assert!(cos_q.iter().all(|c| c / n >= 0.8), "{cos_q:?}");
}

#[test]
fn the_packed_spark_model_recommends_from_a_history() {
    let Some((_, sm, data)) = inputs() else {
        return;
    };
    let m = packed(&sm, true);
    assert_eq!(m.extra.fold_regulariser, FoldRegulariser::PerItem);
    let h = history(&data, 0);
    let q = Query::from_history(&m, &h, RecommendOptions::default()).unwrap();
    let scores = q.scores(&m.table);
    let mut rows: Vec<usize> = (0..scores.len())
        .filter(|r| !q.is_excluded(*r as u32))
        .collect();
    rows.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
    assert!(rows.len() >= 10);
    let top: Vec<&str> = rows[..10].iter().map(|r| m.keys.key(*r)).collect();
    let seen: Vec<&str> = data.sequences[0]
        .iter()
        .map(|e| data.keys[e.item as usize].as_str())
        .collect();
    assert!(top.iter().all(|k| !seen.contains(k)), "seen items excluded");
    eprintln!("first user's top 10: {top:?}");
}

#[test]
fn the_pack_report_scores_the_held_out_cases_as_the_public_call_ranks_them() {
    let Some((_, mut sm, data)) = inputs() else {
        return;
    };
    assert!(
        !sm.holdout.is_empty(),
        "make test-spark runs the job with --holdout-users"
    );
    // Every case of a small job; an even sample of LOCALRANK_SPARK_USERS (2,000) of a large one
    // (the report is then built on that sample, so the two sides score the same cases).
    let limit: usize = env("LOCALRANK_SPARK_USERS", "2000").parse().unwrap();
    let step = sm.holdout.len().div_ceil(limit.max(1));
    sm.holdout = sm.holdout.into_iter().step_by(step).collect();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/store/products.jsonl"
    );
    let catalogue =
        common::read_catalogue(env("LOCALRANK_SPARK_CATALOG", fixture), "item_id").unwrap();
    let opts = ImportOptions {
        params: sm.settings.params,
        rows4: true,
        unknown_items: UnknownItems::Keep,
    };
    let nbrs = sm.neighbour_section(0.7, 1.5).unwrap();
    let mut packed = import::pack_imported(&sm.imported(), &catalogue, Some(&nbrs), &opts).unwrap();
    packed.model.extra.fold_regulariser = sm.settings.regulariser;
    let bytes = packed.model.to_bytes();
    let report = import::model_report(ReportParts {
        bytes: &bytes,
        packed: &packed,
        catalogue: &catalogue,
        opts: &opts,
        spark: Some((&sm, 0.7, 1.5)),
        trainer: String::new(),
        packing_seconds: 0.0,
    })
    .unwrap();
    let (name, ours) = &report.validation[0];
    assert_eq!(name, "localrank");
    assert_eq!(ours.users, sm.holdout.len());
    // The job's data statistics are the native report's on the same (held-out-less) events.
    let sequences: Vec<Vec<u32>> = data
        .sequences
        .iter()
        .map(|s| s.iter().map(|e| e.item).collect())
        .collect();
    assert_eq!(
        report.data.as_ref(),
        Some(&DataStats::of(&sequences, data.items()))
    );

    // The same cases through the public call: each history recorded into a fresh engine on the
    // shipped bytes, the top 10 without re-ranking (the protocol's ranking).
    let (mut hits, mut ndcg) = (0.0, 0.0);
    for case in &sm.holdout {
        let model = Model::from_bytes(&bytes).unwrap();
        let backend = Backend::cpu(Requested::Cpu, "tests");
        let e = block_on(localrank::Engine::open(
            model,
            backend,
            MemoryStore::default(),
            DEFAULT_CAP,
        ))
        .unwrap();
        for (t, &row) in case.history.iter().enumerate() {
            let key = &sm.keys[row as usize];
            block_on(e.record(key, EventKind::View, t as f64)).unwrap();
        }
        let top = block_on(e.recommend(RecommendOptions {
            k: 10,
            exclude_seen: true,
            rerank: Rerank {
                dedupe: Dedupe::Off,
                ..Rerank::default()
            },
        }))
        .unwrap();
        if let Some(p) = top
            .iter()
            .position(|r| r.key == sm.keys[case.target as usize])
        {
            hits += 1.0;
            ndcg += 1.0 / (p as f64 + 2.0).log2();
        }
    }
    let n = sm.holdout.len() as f64;
    eprintln!(
        "held out {n}: report HR@10 {:.4} NDCG@10 {:.4}; public call {:.4} / {:.4}",
        ours.hr10,
        ours.ndcg10,
        hits / n,
        ndcg / n
    );
    assert!(
        (ours.hr10 - hits / n).abs() < 1e-9,
        "{} vs {}",
        ours.hr10,
        hits / n
    );
    assert!(
        (ours.ndcg10 - ndcg / n).abs() < 1e-9,
        "{} vs {}",
        ours.ndcg10,
        ndcg / n
    );
}
