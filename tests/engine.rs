//! The engine natively, with the in-memory store: history cap, persistence across instances,
//! export/import/clear, unknown keys, bad input and storage failures that must lose nothing.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use futures::executor::block_on;
use futures::future::join_all;
use localrank::history::document::HistoryDocument;
use localrank::history::retention::Retention;
use localrank::history::store::{HistoryStore, MemoryStore};
use localrank::history::{Event, EventKind};
use localrank::score::backend::{Backend, Requested};
use localrank::{Engine, Error, RecommendOptions};

use common::Shared;

/// A store whose writes fail on demand (a full or broken IndexedDB).
#[derive(Default)]
struct Flaky {
    inner: MemoryStore,
    fail: Rc<Cell<bool>>,
}

impl HistoryStore for Flaky {
    async fn load(&self) -> localrank::Result<Vec<Event>> {
        self.inner.load().await
    }
    async fn append(&self, e: &Event, drop: &[usize]) -> localrank::Result<()> {
        if self.fail.get() {
            return Err(Error::Storage("QuotaExceededError".into()));
        }
        self.inner.append(e, drop).await
    }
    async fn replace(&self, events: &[Event]) -> localrank::Result<()> {
        if self.fail.get() {
            return Err(Error::Storage("QuotaExceededError".into()));
        }
        self.inner.replace(events).await
    }
}

fn cpu() -> Backend {
    Backend::cpu(Requested::Cpu, "tests")
}

fn engine<S: HistoryStore>(store: S, cap: usize) -> Engine<S> {
    let model = common::synthetic_model(60, 8, 3);
    block_on(Engine::open(model, cpu(), store, cap)).unwrap()
}

fn keys<S: HistoryStore>(e: &Engine<S>) -> Vec<String> {
    e.history().events().map(|e| e.key.clone()).collect()
}

fn top(e: &Engine<impl HistoryStore>, k: usize) -> Vec<String> {
    block_on(e.recommend(RecommendOptions {
        k,
        exclude_seen: true,
        ..Default::default()
    }))
    .unwrap()
    .into_iter()
    .map(|r| r.key)
    .collect()
}

#[test]
fn the_cap_drops_the_oldest_events_in_memory_and_in_storage() {
    let store = Shared::default();
    let e = engine(store.clone(), 3);
    for i in 0..5 {
        block_on(e.record(&format!("item-{i}"), EventKind::View, i as f64)).unwrap();
    }
    assert_eq!(keys(&e), ["item-2", "item-3", "item-4"]);
    assert_eq!(keys(&engine(store, 3)), ["item-2", "item-3", "item-4"]);
}

#[test]
fn a_new_instance_on_the_same_store_sees_the_history_and_same_recommendations() {
    let store = Shared::default();
    let a = engine(store.clone(), 100);
    block_on(a.record("item-7", EventKind::Cart, 1.0)).unwrap();
    let b = engine(store, 100);
    assert_eq!(keys(&b), ["item-7"]);
    assert_eq!(top(&a, 10), top(&b, 10));
}

#[test]
fn recommendations_exclude_seen_items_and_change_with_clicks() {
    let e = engine(MemoryStore::default(), 100);
    let cold = top(&e, 10);
    block_on(e.record("item-5", EventKind::View, 1.0)).unwrap();
    let warm = top(&e, 10);
    assert_ne!(cold, warm);
    assert!(!warm.contains(&"item-5".to_string()));
    let with_seen = block_on(e.recommend(RecommendOptions {
        k: 60,
        exclude_seen: false,
        ..Default::default()
    }))
    .unwrap();
    assert_eq!(with_seen.len(), 60);
}

#[test]
fn unknown_keys_are_kept_and_ignored_for_scoring() {
    let e = engine(MemoryStore::default(), 100);
    let cold = top(&e, 10);
    block_on(e.record("sku-from-a-newer-catalogue", EventKind::View, 1.0)).unwrap();
    assert_eq!(keys(&e), ["sku-from-a-newer-catalogue"]);
    assert_eq!(top(&e, 10), cold);
}

#[test]
fn export_import_round_trips() {
    let a = engine(MemoryStore::default(), 100);
    for (i, kind) in [(3, EventKind::View), (9, EventKind::Purchase)] {
        block_on(a.record(&format!("item-{i}"), kind, 1000.0 + i as f64)).unwrap();
    }
    let doc = a.export_history();
    let parsed = HistoryDocument::from_json(&doc).unwrap();
    assert_eq!(parsed.format, "localrank-history");
    assert_eq!(parsed.version, 1);
    let b = engine(MemoryStore::default(), 100);
    block_on(b.import_history(&doc)).unwrap();
    assert_eq!(b.export_history(), doc);
    assert_eq!(top(&a, 10), top(&b, 10));
}

#[test]
fn import_keeps_only_the_newest_cap_events() {
    let events: Vec<Event> = (0..10)
        .map(|i| Event::new(format!("item-{i}"), EventKind::View, i as f64).unwrap())
        .collect();
    let doc = HistoryDocument::new(events).to_json();
    let e = engine(MemoryStore::default(), 4);
    block_on(e.import_history(&doc)).unwrap();
    assert_eq!(keys(&e), ["item-6", "item-7", "item-8", "item-9"]);
}

#[test]
fn invalid_documents_are_refused_and_change_nothing() {
    let store = Shared::default();
    let e = engine(store.clone(), 100);
    block_on(e.record("item-1", EventKind::View, 5.0)).unwrap();
    let before = e.export_history();
    for bad in [
        "",
        "[]",
        "{\"format\":\"localrank-history\",\"version\":1}",
        "{\"format\":\"localrank-history\",\"version\":9,\"events\":[]}",
        "{\"format\":\"x\",\"version\":1,\"events\":[]}",
        "{\"format\":\"localrank-history\",\"version\":1,\"events\":[{\"key\":\"a\",\"kind\":\"view\",\"ts\":-1}]}",
        "{\"format\":\"localrank-history\",\"version\":1,\"events\":[{\"key\":\"a\",\"kind\":\"wish\",\"ts\":1}]}",
        "{\"format\":\"localrank-history\",\"version\":1,\"events\":[],\"extra\":1}",
    ] {
        let err = block_on(e.import_history(bad)).unwrap_err();
        assert!(matches!(err, Error::InvalidHistory(_)), "{bad}: {err:?}");
        assert_eq!(e.export_history(), before);
    }
    assert_eq!(engine(store, 100).export_history(), before);
}

#[test]
fn clear_empties_memory_and_storage() {
    let store = Shared::default();
    let e = engine(store.clone(), 100);
    block_on(e.record("item-1", EventKind::View, 5.0)).unwrap();
    block_on(e.clear_history()).unwrap();
    assert!(e.history().is_empty());
    assert!(engine(store, 100).history().is_empty());
}

#[test]
fn a_failing_store_loses_nothing() {
    let fail = Rc::new(Cell::new(false));
    let e = engine(
        Flaky {
            inner: MemoryStore::default(),
            fail: Rc::clone(&fail),
        },
        100,
    );
    block_on(e.record("item-1", EventKind::View, 5.0)).unwrap();
    let before = e.export_history();
    fail.set(true);
    assert!(matches!(
        block_on(e.record("item-2", EventKind::View, 6.0)),
        Err(Error::Storage(_))
    ));
    assert!(matches!(
        block_on(e.clear_history()),
        Err(Error::Storage(_))
    ));
    assert!(matches!(
        block_on(e.import_history(&HistoryDocument::new(vec![]).to_json())),
        Err(Error::Storage(_))
    ));
    assert_eq!(e.export_history(), before);
}

#[test]
fn bad_arguments_are_typed_errors() {
    let e = engine(MemoryStore::default(), 100);
    for (key, ts) in [("", 1.0), ("item-1", f64::NAN), ("item-1", -5.0)] {
        assert!(matches!(
            block_on(e.record(key, EventKind::View, ts)),
            Err(Error::InvalidArgument(_))
        ));
    }
    let long = "k".repeat(10_000);
    assert!(block_on(e.record(&long, EventKind::View, 1.0)).is_err());
    assert!(e.history().is_empty());
    for k in [0, 1_000_000] {
        assert!(matches!(
            block_on(e.recommend(RecommendOptions {
                k,
                exclude_seen: true,
                ..Default::default()
            })),
            Err(Error::InvalidArgument(_))
        ));
    }
    assert!(matches!(
        EventKind::parse("like"),
        Err(Error::InvalidArgument(_))
    ));
    let zero_cap = Engine::open(
        common::synthetic_model(5, 2, 1),
        cpu(),
        MemoryStore::default(),
        0,
    );
    assert!(matches!(block_on(zero_cap), Err(Error::InvalidArgument(_))));
}

#[test]
fn concurrent_records_are_applied_in_call_order() {
    let store = Shared::default();
    let e = engine(store.clone(), 5);
    let names: Vec<String> = (0..8).map(|i| format!("item-{i}")).collect();
    let futures: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, k)| e.record(k, EventKind::View, i as f64))
        .collect();
    for r in block_on(join_all(futures)) {
        r.unwrap();
    }
    let want: Vec<String> = (3..8).map(|i| format!("item-{i}")).collect();
    assert_eq!(keys(&e), want);
    assert_eq!(keys(&engine(store, 5)), want);
}

#[test]
fn opening_with_a_smaller_cap_trims_storage_too() {
    let store = Shared::default();
    let big = engine(store.clone(), 10);
    for i in 0..5 {
        block_on(big.record(&format!("item-{i}"), EventKind::View, i as f64)).unwrap();
    }
    let small = engine(store.clone(), 3);
    assert_eq!(keys(&small), ["item-2", "item-3", "item-4"]);
    let stored: Vec<String> = block_on(store.load())
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(stored, ["item-2", "item-3", "item-4"]);
}

thread_local! {
    /// The clock of the retention tests (ms).
    static NOW: Cell<f64> = const { Cell::new(0.0) };
}

fn test_clock() -> f64 {
    NOW.with(Cell::get)
}

#[test]
fn events_past_the_maximum_age_leave_memory_and_storage_on_write_and_on_open() {
    let store = Shared::default();
    let keep = Retention {
        cap: 10,
        max_age_ms: Some(1000.0),
    };
    let open = |store: Shared| {
        let model = common::synthetic_model(60, 8, 3);
        block_on(Engine::open_with(model, cpu(), store, keep, test_clock)).unwrap()
    };
    let e = open(store.clone());
    for (key, ts) in [("item-1", 0.0), ("item-2", 600.0), ("item-3", 1500.0)] {
        block_on(e.record(key, EventKind::View, ts)).unwrap();
    }
    // At 1500 ms, item-1 (0 ms) is older than 1000 ms: gone when item-3 was written.
    assert_eq!(keys(&e), ["item-2", "item-3"]);
    let stored: Vec<String> = block_on(store.load())
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(stored, ["item-2", "item-3"]);
    assert_eq!(top(&e, 5), top(&open(store.clone()), 5), "fold-in rebuilt");
    NOW.with(|n| n.set(2000.0));
    let later = open(store.clone());
    assert_eq!(keys(&later), ["item-3"]);
    assert_eq!(block_on(store.load()).unwrap().len(), 1);
}
