//! The engine behind the JS `Recommender`: a model, a scorer, a history and its store, tied
//! together. Pure Rust and generic over the store, so native tests exercise exactly the logic
//! the browser runs; `wasm_api` only converts types and plugs in IndexedDB.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use crate::history::document::HistoryDocument;
use crate::history::retention::{self, Retention};
use crate::history::store::HistoryStore;
use crate::history::{Event, EventKind, History};
use crate::live::{LiveAttributes, OwnedValue};
use crate::model::Model;
use crate::rank::{diversity, Ranked};
use crate::score::backend::Backend;
use crate::score::explain::Explainer;
pub use crate::score::explain::Reason;
use crate::score::filter::Filter;
use crate::score::fold::{known_rows, FoldState};
use crate::score::query::Query;
pub use crate::score::query::{RecommendOptions, MAX_K};
use crate::score::rules::Rules;
pub use crate::score::similar::SimilarOptions;
use crate::serial::Serial;
use crate::{Error, Result};

/// One recommended item.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recommendation {
    /// The item's key.
    pub key: String,
    /// Its score under the scoring contract (higher is better).
    pub score: f32,
    /// Display title (`""` when the model has no metadata).
    pub title: String,
    /// Display category (`""` when the model has no metadata).
    pub category: String,
}

/// Model + scorer + persisted history.
///
/// Methods take `&self`: the history sits in a `RefCell` that is only borrowed between awaits,
/// and storage-touching operations take turns through [`Serial`], so an engine shared by
/// `Rc` (as the JS façade does) is safe however JS interleaves calls.
pub struct Engine<S: HistoryStore> {
    model: Model,
    backend: Backend,
    history: RefCell<History>,
    /// Fold-in state of `history`: updated per appended event, rebuilt on any other change.
    fold: RefCell<FoldState>,
    store: S,
    serial: Serial,
    retention: Retention,
    /// Milliseconds since the Unix epoch (the browser's `Date.now`), for retention by age.
    now: fn() -> f64,
    /// Attribute values set after load; shared with result builders by `Rc` (copied on write).
    live: RefCell<Rc<LiveAttributes>>,
    /// The store's merchandising rules, checked against the model when set.
    rules: RefCell<Rc<Rules>>,
}

impl<S: HistoryStore> Engine<S> {
    /// Opens an engine: loads the stored history (keeping the newest `cap` events).
    pub async fn open(model: Model, backend: Backend, store: S, cap: usize) -> Result<Self> {
        let keep = Retention {
            cap,
            max_age_ms: None,
        };
        Self::open_with(model, backend, store, keep, || 0.0).await
    }

    /// [`Self::open`] with a retention rule (cap and maximum age) and the clock it is judged by;
    /// events the rule drops are removed from storage too.
    pub async fn open_with(
        model: Model,
        backend: Backend,
        store: S,
        retention: Retention,
        now: fn() -> f64,
    ) -> Result<Self> {
        let history = Self::load_trimmed(&store, retention, now()).await?;
        let fold = FoldState::rebuild(&model, &known_rows(&model, &history));
        Ok(Self {
            model,
            backend,
            history: RefCell::new(history),
            fold: RefCell::new(fold),
            store,
            serial: Serial::default(),
            retention,
            now,
            live: RefCell::default(),
            rules: RefCell::default(),
        })
    }

    /// The stored history as the retention rule keeps it; the records it drops (the cap was
    /// lowered, events aged out, or another tab wrote) are removed from storage one by one, so
    /// another tab's concurrent writes are never overwritten.
    async fn load_trimmed(store: &S, keep: Retention, now: f64) -> Result<History> {
        History::new(keep.cap)?;
        let events = store.load().await?;
        let drops = keep.drops(&events, 0, now);
        if !drops.is_empty() {
            store.remove(&drops).await?;
        }
        History::from_events(keep.cap, retention::without(events, &drops))
    }

    /// Reads the history from storage again and rebuilds the fold-in state from it: for events
    /// another tab (another engine on the same store) recorded since this one opened.
    pub async fn reload_history(&self) -> Result<()> {
        let _turn = self.serial.turn().await;
        let history = Self::load_trimmed(&self.store, self.retention, (self.now)()).await?;
        self.replace_history(history);
        Ok(())
    }

    /// Installs `history` and rebuilds the fold-in state from it (the literal formula).
    fn replace_history(&self, history: History) {
        *self.fold.borrow_mut() =
            FoldState::rebuild(&self.model, &known_rows(&self.model, &history));
        *self.history.borrow_mut() = history;
    }

    /// The history store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The scoring backend (which scorer answers, and why).
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The history, oldest first.
    pub fn history(&self) -> Ref<'_, History> {
        self.history.borrow()
    }

    /// Records an event. Unknown keys are stored too (a later model may know them).
    /// Stored first, then applied in memory, so a storage failure changes nothing.
    pub async fn record(&self, key: &str, kind: EventKind, ts: f64) -> Result<()> {
        let event = Event::new(key, kind, ts)?;
        let _turn = self.serial.turn().await;
        let drops = self
            .retention
            .drops(self.history.borrow_mut().as_slice(), 1, event.ts);
        self.store.append(&event, &drops).await?;
        let row = self.model.keys.index_of(&event.key);
        let kind = event.kind;
        {
            let mut h = self.history.borrow_mut();
            h.remove(&drops);
            h.push(event);
        }
        if !drops.is_empty() {
            // The oldest events left: their terms cannot be taken out of the sums exactly.
            let h = self.history.borrow();
            *self.fold.borrow_mut() = FoldState::rebuild(&self.model, &known_rows(&self.model, &h));
        } else if let Some(row) = row {
            self.fold.borrow_mut().push(&self.model, row, kind);
        }
        Ok(())
    }

    /// The top-k items for the current history. Async because GPU backends read their results
    /// back asynchronously (the browser must never block on a GPU).
    pub async fn recommend(&self, opts: RecommendOptions) -> Result<Vec<Recommendation>> {
        let ranked = self.recommend_rows(opts).await?;
        Ok(self.recommendations(ranked))
    }

    fn recommendations(&self, ranked: Vec<Ranked>) -> Vec<Recommendation> {
        ranked
            .into_iter()
            .map(|r| {
                let i = r.index as usize;
                Recommendation {
                    key: self.model.keys.key(i).to_owned(),
                    score: r.score,
                    title: self.model.meta.get(i, "title").to_owned(),
                    category: self.model.meta.get(i, "category").to_owned(),
                }
            })
            .collect()
    }

    /// The items most similar to the item `key`, best first, without it (a product page's
    /// "customers who viewed this also viewed"; [`crate::score::similar`]). Independent of the
    /// history. [`Error::UnknownItem`] when the model does not know `key`.
    pub async fn similar(&self, key: &str, opts: SimilarOptions) -> Result<Vec<Recommendation>> {
        let ranked = self.similar_rows(key, opts, &Filter::default()).await?;
        Ok(self.recommendations(ranked))
    }

    /// [`Self::similar`] as model rows and scores, best first, among the rows `filter` lets
    /// through under the live values (the same filter as `recommend`'s; store rules are for
    /// recommendation lists and do not apply here).
    pub async fn similar_rows(
        &self,
        key: &str,
        opts: SimilarOptions,
        filter: &Filter,
    ) -> Result<Vec<Ranked>> {
        let row = self
            .model
            .keys
            .index_of(key)
            .ok_or_else(|| Error::UnknownItem { key: key.into() })?;
        let (mut query, _) = Query::similar(&self.model, row, opts)?;
        query.restrict(&self.model, &self.live(), filter, &Rules::default())?;
        Ok(self.rank(&query).await)
    }

    /// For each of `rows` (recommended items), the history items that contributed most to its
    /// score under the current history ([`crate::score::explain`]), largest first.
    pub fn explain(&self, rows: &[u32]) -> Vec<Vec<Reason>> {
        let known = known_rows(&self.model, &self.history.borrow());
        let explainer = Explainer::with_state(&self.model, &known, &self.fold.borrow());
        rows.iter().map(|&j| explainer.reasons(j)).collect()
    }

    /// [`Self::recommend`] as model rows and scores, best first: the query of the current
    /// fold-in state, answered by the backend and re-ranked ([`diversity::rank`]: de-duplication,
    /// popularity damping, diversity). Result objects are built from these by the caller (the
    /// JS façade builds them without intermediate strings).
    pub async fn recommend_rows(&self, opts: RecommendOptions) -> Result<Vec<Ranked>> {
        self.recommend_filtered(opts, &Filter::default()).await
    }

    /// [`Self::recommend_rows`] restricted to the rows `filter` lets through under the live
    /// values, with the store's rules applied; k rows come back whenever k qualify.
    pub async fn recommend_filtered(
        &self,
        opts: RecommendOptions,
        filter: &Filter,
    ) -> Result<Vec<Ranked>> {
        // The state is not borrowed across the GPU's await.
        let mut query = Query::new(&self.model, &mut self.fold.borrow_mut(), opts)?;
        let (live, rules) = (self.live(), self.rules());
        query.restrict(&self.model, &live, filter, &rules)?;
        Ok(self.rank(&query).await)
    }

    /// The one ranking every list goes through: the backend's top-k of `query`, over-fetched
    /// and re-ranked ([`diversity::rank`]).
    async fn rank(&self, query: &Query) -> Vec<Ranked> {
        let table = &self.model.table;
        diversity::rank(&self.model, query, |q| async move {
            self.backend.top_k(table, &q).await
        })
        .await
    }

    /// The live attribute values (the model's, with what [`Self::set_attributes`] changed).
    pub fn live(&self) -> Rc<LiveAttributes> {
        Rc::clone(&self.live.borrow())
    }

    /// Sets item `key`'s values of typed attributes (`None`: no value now), e.g. `in_stock`
    /// and `price`, for filters, rules and results from now on. Unknown keys or attributes, a
    /// `META` display field and values of the wrong type are refused; then nothing changes.
    pub fn set_attributes(&self, key: &str, values: &[(String, Option<OwnedValue>)]) -> Result<()> {
        let mut live = (*self.live()).clone();
        live.set(&self.model, key, values)?;
        *self.live.borrow_mut() = Rc::new(live);
        Ok(())
    }

    /// Forgets every value [`Self::set_attributes`] set.
    pub fn clear_attribute_overrides(&self) {
        *self.live.borrow_mut() = Rc::default();
    }

    /// The merchandising rules in force.
    pub fn rules(&self) -> Rc<Rules> {
        Rc::clone(&self.rules.borrow())
    }

    /// Replaces the merchandising rules (checked first: on error the old ones stay).
    pub fn set_rules(&self, rules: Rules) -> Result<()> {
        rules.validate(&self.model)?;
        *self.rules.borrow_mut() = Rc::new(rules);
        Ok(())
    }

    /// The history as a versioned JSON document.
    pub fn export_history(&self) -> String {
        HistoryDocument::new(self.history.borrow().events().cloned().collect()).to_json()
    }

    /// Replaces the history with a validated document's events (newest `cap` kept).
    /// On any error, stored and in-memory history are unchanged.
    pub async fn import_history(&self, json: &str) -> Result<()> {
        self.import_document(HistoryDocument::from_json(json)?)
            .await
    }

    /// [`Self::import_history`] for a document already parsed (the browser parses JSON itself);
    /// validated again here.
    pub async fn import_document(&self, doc: HistoryDocument) -> Result<()> {
        doc.validate()?;
        let _turn = self.serial.turn().await;
        let drops = self.retention.drops(&doc.events, 0, (self.now)());
        let next =
            History::from_events(self.retention.cap, retention::without(doc.events, &drops))?;
        let events: Vec<Event> = next.events().cloned().collect();
        self.store.replace(&events).await?;
        self.replace_history(next);
        Ok(())
    }

    /// Forgets the history, stored and in memory.
    pub async fn clear_history(&self) -> Result<()> {
        let _turn = self.serial.turn().await;
        self.store.replace(&[]).await?;
        let cap = self.history.borrow().cap();
        self.replace_history(History::new(cap)?);
        Ok(())
    }
}
