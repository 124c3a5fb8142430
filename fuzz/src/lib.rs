//! What the fuzz targets share: driving the engine as a page would (open with a memory store,
//! record, recommend, import), a store tests can look into, and the checks every answer must
//! pass. Only public, stable entry points: `Model::from_bytes`, `HistoryDocument::from_json`,
//! `Engine` with a `HistoryStore`.

use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use localrank::history::store::{HistoryStore, MemoryStore};
use localrank::history::{Event, EventKind};
use localrank::model::Model;
use localrank::score::backend::{Backend, Requested};
use localrank::{Engine, RecommendOptions};

pub mod store;

/// Runs a future that never waits: the memory store answers at once and nothing else holds the
/// engine's turn. A `Pending` would be an engine bug, so it panics (the fuzzer reports it).
pub fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a memory-store engine call waited"),
    }
}

/// A memory store the target keeps a handle on, to compare what is stored with what the engine
/// holds in memory.
#[derive(Clone, Default)]
pub struct SharedStore(pub Rc<MemoryStore>);

impl HistoryStore for SharedStore {
    async fn load(&self) -> localrank::Result<Vec<Event>> {
        self.0.load().await
    }
    async fn append(&self, e: &Event, drop: &[usize]) -> localrank::Result<()> {
        self.0.append(e, drop).await
    }
    async fn remove(&self, drop: &[usize]) -> localrank::Result<()> {
        self.0.remove(drop).await
    }
    async fn replace(&self, events: &[Event]) -> localrank::Result<()> {
        self.0.replace(events).await
    }
}

impl SharedStore {
    /// What is stored, oldest first.
    pub fn events(&self) -> Vec<Event> {
        ready(self.0.load()).expect("the memory store loads")
    }
}

/// Opens an engine on the CPU backend (what a browser without WebGPU runs).
pub fn open(model: Model, store: SharedStore, cap: usize) -> Engine<SharedStore> {
    ready(Engine::open(
        model,
        Backend::cpu(Requested::Cpu, "fuzz"),
        store,
        cap,
    ))
    .expect("a memory store opens")
}

/// The engine's history, oldest first.
pub fn history(engine: &Engine<SharedStore>) -> Vec<Event> {
    engine.history().events().cloned().collect()
}

/// `recommend` must answer and its answer must keep the contract: exactly `min(k, eligible)`
/// distinct items, none seen when `exclude_seen`, best first (`total_cmp`, ties by lower row).
pub fn check_recommend(engine: &Engine<SharedStore>, k: usize, exclude_seen: bool) {
    let model = engine.model();
    let seen: Vec<u32> = {
        let mut rows: Vec<u32> = engine
            .history()
            .events()
            .filter_map(|e| model.keys.index_of(&e.key))
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    };
    let eligible = if exclude_seen {
        model.len() - seen.len()
    } else {
        model.len()
    };
    // Without de-duplication by title: every eligible item can come back.
    let opts = RecommendOptions {
        k,
        exclude_seen,
        rerank: localrank::rank::diversity::Rerank {
            dedupe: localrank::rank::diversity::Dedupe::Off,
            ..Default::default()
        },
    };
    let got = ready(engine.recommend(opts)).expect("recommend answers for a valid k");
    assert_eq!(got.len(), k.min(eligible), "result count");
    let rows: Vec<u32> = got
        .iter()
        .map(|r| {
            model
                .keys
                .index_of(&r.key)
                .expect("a recommended key is the model's")
        })
        .collect();
    for (pair, rows) in got.windows(2).zip(rows.windows(2)) {
        let order = pair[0].score.total_cmp(&pair[1].score);
        assert!(
            order.is_gt() || (order.is_eq() && rows[0] < rows[1]),
            "not best first: {pair:?}"
        );
    }
    if exclude_seen {
        assert!(
            rows.iter().all(|r| seen.binary_search(r).is_err()),
            "seen item recommended"
        );
    }
    let mut distinct = rows.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), rows.len(), "an item recommended twice");
}

/// What a page does with a model it loaded: recommend with no history, record a few of its
/// keys (and one it does not know), recommend again with and without exclusions. The store and
/// memory must agree throughout.
pub fn use_like_a_page(model: Model) {
    let n = model.len();
    let mut keys: Vec<String> = model.keys.iter().take(3).map(str::to_owned).collect();
    if n > 3 {
        keys.push(model.keys.key(n - 1).to_owned());
    }
    let store = SharedStore::default();
    let engine = open(model, store.clone(), 4);
    check_recommend(&engine, 3, true);
    for (i, key) in keys.iter().enumerate() {
        let kind = EventKind::ALL[i % EventKind::ALL.len()];
        ready(engine.record(key, kind, i as f64)).expect("a model key records");
    }
    ready(engine.record("not-in-any-model", EventKind::View, 9.0)).expect("unknown keys record");
    assert_eq!(store.events(), history(&engine), "store and memory differ");
    for k in [1, 10, n.clamp(1, localrank::recommender::MAX_K)] {
        check_recommend(&engine, k, true);
        check_recommend(&engine, k, false);
    }
}

/// Everything a successfully parsed model must survive: writing it reproduces it, and a page
/// can use it — with its rows as read (the `packedRows: true` option) and expanded to int8 (the
/// default), as the browser does.
pub fn check_model(model: Model) {
    let again =
        Model::from_bytes(&model.to_bytes()).expect("a model written by the crate reads back");
    assert_eq!(again, model, "write → read changed the model");
    let mut int8 = model.clone();
    use_like_a_page(model);
    if let Ok(rows) = int8.table.rows.try_into_int8() {
        int8.table.rows = rows;
        use_like_a_page(int8);
    }
}

/// The example model of docs/FORMAT.md (keys `A1`, `B2`), built once.
pub fn spec_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::format_example().expect("the example model builds"))
}
