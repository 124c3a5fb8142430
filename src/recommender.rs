//! The engine behind the JS `Recommender`: a model, a scorer, a history and its store, tied
//! together. Pure Rust and generic over the store, so native tests exercise exactly the logic
//! the browser runs; `wasm_api` only converts types and plugs in IndexedDB.

use std::cell::{Ref, RefCell};

use crate::history::document::HistoryDocument;
use crate::history::store::HistoryStore;
use crate::history::{Event, EventKind, History};
use crate::model::Model;
use crate::rank::Ranked;
use crate::score::backend::{Backend, Query};
use crate::score::{neighbours, user, CpuScorer, QuantisedUser};
use crate::serial::Serial;
use crate::{Error, Result};

/// Largest `k` a caller may ask for.
pub const MAX_K: usize = 10_000;

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

/// Options of [`Engine::recommend`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecommendOptions {
    /// How many items (1..=[`MAX_K`]); fewer come back when the catalogue is smaller.
    pub k: usize,
    /// Leave out items already in the history.
    pub exclude_seen: bool,
}

impl Default for RecommendOptions {
    fn default() -> Self {
        Self {
            k: 10,
            exclude_seen: true,
        }
    }
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
    store: S,
    serial: Serial,
}

impl<S: HistoryStore> Engine<S> {
    /// Opens an engine: loads the stored history (keeping the newest `cap` events).
    pub async fn open(model: Model, backend: Backend, store: S, cap: usize) -> Result<Self> {
        let events = store.load().await?;
        let stored = events.len();
        let history = History::from_events(cap, events)?;
        if stored > history.len() {
            // More stored than the cap allows (the cap was lowered, or another tab wrote): trim
            // storage too, so it keeps exactly what memory keeps.
            let kept: Vec<Event> = history.events().cloned().collect();
            store.replace(&kept).await?;
        }
        Ok(Self {
            model,
            backend,
            history: RefCell::new(history),
            store,
            serial: Serial::default(),
        })
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
        let drop = {
            let h = self.history.borrow();
            (h.len() + 1).saturating_sub(h.cap())
        };
        self.store.append(&event, drop).await?;
        self.history.borrow_mut().push(event);
        Ok(())
    }

    /// The top-k items for the current history. Async because GPU backends read their results
    /// back asynchronously (the browser must never block on a GPU).
    pub async fn recommend(&self, opts: RecommendOptions) -> Result<Vec<Recommendation>> {
        if !(1..=MAX_K).contains(&opts.k) {
            return Err(Error::InvalidArgument(format!(
                "k must be 1..={MAX_K}, got {}",
                opts.k
            )));
        }
        // Fold-in (docs/FORMAT.md § 2.1), the exclusions and the optional NBRS term (§ 2.3):
        // the per-query inputs every backend takes. The history is not borrowed across the
        // GPU's await.
        let (user, rows) = {
            let history = self.history.borrow();
            (
                QuantisedUser::new(&user::fold_in(&self.model, &history)),
                neighbours::rows_newest_first(&self.model, &history),
            )
        };
        let excluded: Vec<u32> = if opts.exclude_seen {
            // Sorted as u64: the crate's one integer sort (see `TopK`).
            let mut seen: Vec<u64> = rows.iter().map(|&i| u64::from(i)).collect();
            seen.sort_unstable();
            seen.dedup();
            seen.into_iter().map(|i| i as u32).collect()
        } else {
            Vec::new()
        };
        let (boosts, boost_scale) = match &self.model.extra.neighbours {
            Some(nb) => (neighbours::accumulate(nb, &rows), nb.scale),
            None => (Vec::new(), 0.0),
        };
        let query = Query {
            user: &user,
            k: opts.k,
            excluded: &excluded,
            boosts: &boosts,
            boost_scale,
        };
        let ranked = self
            .backend
            .top_k(query, || cpu_top_k(&self.model, &query))
            .await;
        Ok(ranked
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
            .collect())
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
        let cap = self.history.borrow().cap();
        let next = History::from_events(cap, doc.events)?;
        let events: Vec<Event> = next.events().cloned().collect();
        self.store.replace(&events).await?;
        *self.history.borrow_mut() = next;
        Ok(())
    }

    /// Forgets the history, stored and in memory.
    pub async fn clear_history(&self) -> Result<()> {
        let _turn = self.serial.turn().await;
        self.store.replace(&[]).await?;
        self.history.borrow_mut().clear();
        Ok(())
    }
}

/// The CPU answer: the fused kernel top-k with the neighbour term as `n = f32(acc) × scale`.
fn cpu_top_k(model: &Model, q: &Query<'_>) -> Vec<Ranked> {
    let extra: Vec<(u32, f32)> = q
        .boosts
        .iter()
        .map(|&(j, a)| (j, a as f32 * q.boost_scale))
        .collect();
    let excluded = |i: u32| q.excluded.binary_search(&i).is_ok();
    CpuScorer.top_k(&model.table, q.user, q.k, excluded, &extra)
}
