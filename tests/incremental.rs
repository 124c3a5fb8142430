//! The incremental fold-in state (`score::fold`) against the literal formula: random histories
//! with unknown keys, repeated items, every event kind and caps that trim, applied event by event
//! as the engine applies them. Contract: the user vector within 1e-6 relative of the literal one,
//! the same seen rows and `NBRS` rows, and the engine's top-k ids equal to the literal query's.

mod common;

use futures::executor::block_on;
use localrank::history::store::{HistoryStore, MemoryStore};
use localrank::history::{Event, EventKind, History};
use localrank::model::{FoldRegulariser, Model, Neighbours};
use localrank::score::backend::{cpu_top_k, Backend, Requested};
use localrank::score::fold::{known_rows, FoldState};
use localrank::score::query::{Query, RecommendOptions};
use localrank::Engine;

/// A synthetic model with an `NBRS` section of 3 positions (lists of up to 4 neighbours).
fn model_with_neighbours(n: usize, d: usize, seed: u64) -> Model {
    let mut m = common::synthetic_model(n, d, seed);
    let mut rng = common::Rng(seed ^ 0x55);
    let lists: Vec<Vec<(u32, u8)>> = (0..n)
        .map(|_| {
            let mut l: Vec<(u32, u8)> = (0..rng.below(5))
                .map(|_| (rng.below(n) as u32, 1 + rng.below(255) as u8))
                .collect();
            l.sort_by_key(|e| e.0);
            l.dedup_by_key(|e| e.0);
            l
        })
        .collect();
    m.extra.neighbours = Some(Neighbours::new(vec![255, 120, 40], 0.01, &lists).unwrap());
    m
}

/// `len` random events: a few unknown keys (`item-n..n+4`), repeats (a small catalogue), any kind.
fn random_events(n: usize, len: usize, rng: &mut common::Rng) -> Vec<Event> {
    (0..len)
        .map(|t| {
            let item = rng.below(n + 5);
            let kind = EventKind::ALL[rng.below(3)];
            Event::new(format!("item-{item}"), kind, t as f64).unwrap()
        })
        .collect()
}

/// Largest |a − b| over the largest |b|.
fn relative_gap(a: &[f32], b: &[f32]) -> f64 {
    let scale = b.iter().fold(0f64, |m, v| m.max(f64::from(v.abs())));
    let gap = a
        .iter()
        .zip(b)
        .fold(0f64, |m, (x, y)| m.max(f64::from(*x - *y).abs()));
    if scale == 0.0 {
        gap
    } else {
        gap / scale
    }
}

#[test]
fn pushed_events_give_the_literal_user_vector_within_1e_6() {
    // Long histories at small d (decay^r down to 1e-18), a shorter one at the demo's d = 64.
    for (n, d, len, seed) in [(40, 8, 400, 1), (90, 16, 400, 2), (200, 64, 120, 3)] {
        let m = model_with_neighbours(n, d, seed);
        let mut rng = common::Rng(seed);
        let events = random_events(n, len, &mut rng);
        let mut history = History::new(500).unwrap();
        let mut state = FoldState::empty(&m);
        for (t, e) in events.into_iter().enumerate() {
            if let Some(row) = m.keys.index_of(&e.key) {
                state.push(&m, row, e.kind);
            }
            assert_eq!(history.push(e), 0, "no trim in this test");
            let literal = FoldState::rebuild(&m, &known_rows(&m, &history));
            let got = state.user_vector().to_vec();
            let want = common::fold_in_reference(&m, &history);
            let gap = relative_gap(&got, &want);
            assert!(gap <= 1e-6, "n {n} d {d} event {t}: relative gap {gap:e}");
            assert_eq!(state.seen(), literal.seen(), "event {t}");
            assert_eq!(state.recent(), literal.recent(), "event {t}");
        }
    }
}

#[test]
fn per_item_regulariser_pushes_agree_with_the_rebuild() {
    // FREG mode 1 (λ · distinct items, as Spark MLlib): the pushed state follows λ' as new
    // items arrive; a model with plain λ folds in differently.
    let mut m = model_with_neighbours(60, 16, 4);
    m.fold.lambda = 0.5;
    m.extra.fold_regulariser = FoldRegulariser::PerItem;
    let plain = Model {
        extra: localrank::model::Extensions {
            fold_regulariser: FoldRegulariser::Fixed,
            ..m.extra.clone()
        },
        ..m.clone()
    };
    let mut rng = common::Rng(4);
    let mut history = History::new(500).unwrap();
    let mut state = FoldState::empty(&m);
    for (t, e) in random_events(60, 150, &mut rng).into_iter().enumerate() {
        if let Some(row) = m.keys.index_of(&e.key) {
            state.push(&m, row, e.kind);
        }
        history.push(e);
        let rows = known_rows(&m, &history);
        let literal = FoldState::rebuild(&m, &rows).user_vector().to_vec();
        let gap = relative_gap(&state.user_vector().to_vec(), &literal);
        assert!(gap <= 1e-6, "event {t}: relative gap {gap:e}");
    }
    let rows = known_rows(&m, &history);
    assert!(state.seen().len() > 20);
    let fixed = FoldState::rebuild(&plain, &rows).user_vector().to_vec();
    let scaled = FoldState::rebuild(&m, &rows).user_vector().to_vec();
    assert!(relative_gap(&fixed, &scaled) > 1e-3, "λ' had no effect");
    let back = Model::from_bytes(&m.to_bytes()).unwrap();
    assert_eq!(back.extra.fold_regulariser, FoldRegulariser::PerItem);
    let plain_back = Model::from_bytes(&plain.to_bytes()).unwrap();
    assert_eq!(plain_back.extra.fold_regulariser, FoldRegulariser::Fixed);
}

#[test]
fn a_rebuilt_state_is_the_literal_formula_bit_for_bit() {
    let m = model_with_neighbours(70, 12, 9);
    let mut rng = common::Rng(9);
    let h = History::from_events(500, random_events(70, 120, &mut rng)).unwrap();
    let got: Vec<u32> = FoldState::rebuild(&m, &known_rows(&m, &h))
        .user_vector()
        .iter()
        .map(|v| v.to_bits())
        .collect();
    let want: Vec<u32> = common::fold_in_reference(&m, &h)
        .iter()
        .map(|v| v.to_bits())
        .collect();
    assert_eq!(got, want);
}

fn top_ids<S: HistoryStore>(engine: &Engine<S>, k: usize) -> Vec<(String, f32)> {
    let opts = RecommendOptions {
        k,
        exclude_seen: true,
        ..Default::default()
    };
    block_on(engine.recommend(opts))
        .unwrap()
        .into_iter()
        .map(|r| (r.key, r.score))
        .collect()
}

/// The literal answer: the query rebuilt from the whole history, ranked by the CPU.
fn literal_ids(m: &Model, h: &History, k: usize) -> Vec<(String, f32)> {
    let opts = RecommendOptions {
        k,
        exclude_seen: true,
        ..Default::default()
    };
    let q = Query::from_history(m, h, opts).unwrap();
    cpu_top_k(&m.table, &q)
        .into_iter()
        .map(|r| (m.keys.key(r.index as usize).to_owned(), r.score))
        .collect()
}

fn assert_same_ranking(got: &[(String, f32)], want: &[(String, f32)], what: &str) {
    let ids = |v: &[(String, f32)]| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(ids(got), ids(want), "{what}");
    let scores = |v: &[(String, f32)]| v.iter().map(|x| x.1).collect::<Vec<_>>();
    let gap = relative_gap(&scores(got), &scores(want));
    assert!(gap <= 1e-5, "{what}: scores differ by {gap:e}");
}

#[test]
fn the_engine_ranks_as_the_literal_formula_through_trims_unknown_keys_and_repeats() {
    for (cap, seed) in [(7, 11), (30, 12), (500, 13)] {
        let m = model_with_neighbours(120, 16, seed);
        let engine = block_on(Engine::open(
            m.clone(),
            Backend::cpu(Requested::Cpu, "tests"),
            MemoryStore::default(),
            cap,
        ))
        .unwrap();
        let mut rng = common::Rng(seed);
        for (t, e) in random_events(120, 90, &mut rng).into_iter().enumerate() {
            block_on(engine.record(&e.key, e.kind, e.ts)).unwrap();
            let want = literal_ids(&m, &engine.history(), 10);
            assert_same_ranking(
                &top_ids(&engine, 10),
                &want,
                &format!("cap {cap} event {t}"),
            );
        }
    }
}

#[test]
fn reloading_picks_up_another_tabs_events() {
    let m = model_with_neighbours(80, 8, 21);
    let store = common::Shared::default();
    let open = || {
        let backend = Backend::cpu(Requested::Cpu, "tests");
        block_on(Engine::open(m.clone(), backend, store.clone(), 50)).unwrap()
    };
    let (this_tab, other_tab) = (open(), open());
    let mut rng = common::Rng(21);
    for e in random_events(80, 12, &mut rng) {
        block_on(other_tab.record(&e.key, e.kind, e.ts)).unwrap();
    }
    assert!(this_tab.history().is_empty());
    block_on(this_tab.reload_history()).unwrap();
    assert_eq!(*this_tab.history(), *other_tab.history());
    let want = literal_ids(&m, &other_tab.history(), 10);
    assert_same_ranking(&top_ids(&this_tab, 10), &want, "after reload");
    assert_same_ranking(&top_ids(&other_tab, 10), &want, "the recording tab");
}

#[test]
fn import_and_clear_rebuild_the_state() {
    let m = model_with_neighbours(60, 8, 31);
    let engine = block_on(Engine::open(
        m.clone(),
        Backend::cpu(Requested::Cpu, "tests"),
        MemoryStore::default(),
        100,
    ))
    .unwrap();
    let mut rng = common::Rng(31);
    for e in random_events(60, 20, &mut rng) {
        block_on(engine.record(&e.key, e.kind, e.ts)).unwrap();
    }
    let doc = localrank::history::document::HistoryDocument::new(random_events(60, 15, &mut rng));
    block_on(engine.import_history(&doc.to_json())).unwrap();
    let want = literal_ids(&m, &engine.history(), 10);
    assert_same_ranking(&top_ids(&engine, 10), &want, "after import");
    block_on(engine.clear_history()).unwrap();
    let want = literal_ids(&m, &engine.history(), 10);
    assert_same_ranking(&top_ids(&engine, 10), &want, "after clear");
}
