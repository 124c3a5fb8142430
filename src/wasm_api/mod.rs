//! The JavaScript façade: one `Recommender` class. It converts JS values to engine types and
//! engine errors to JS `Error`s (`name` = "LocalrankError", `code` = [`Error::code`]); all logic
//! lives in [`crate::recommender::Engine`]. Rust never fetches: JS hands the model bytes in.

mod errors;
#[cfg(not(feature = "gpu"))]
#[path = "cpu_only.rs"]
mod gpu;
#[cfg(feature = "gpu")]
mod gpu;
mod idb;
mod integrity;
mod js;
mod merch;
mod rerank;
mod rows;
mod similar;
pub use similar::JsSimilarOptions;
mod store;
mod tabs;

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::history::retention::{Retention, DAY_MS};
use crate::history::store::MemoryStore;
use crate::history::{EventKind, History, DEFAULT_CAP};
use crate::model::RowLayout;
use crate::recommender::{Engine, RecommendOptions};
use crate::results::{self, Fields};
use crate::score::backend::Requested;
use crate::{Error, Model};
pub use errors::is_localrank_error;
use errors::js_error;
use store::BrowserStore;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** What the shopper did. */
export type EventKind = "view" | "cart" | "purchase";
/** Options of `Recommender.load`. */
export interface LoadOptions {
  /** Store namespace: the IndexedDB database is `localrank/<namespace>`. Default "default". */
  namespace?: string;
  /** Most events kept (oldest dropped). Default 500, at most 100000. */
  historyCap?: number;
  /**
   * Keep history in IndexedDB (default true) or only in memory. Where IndexedDB is missing or
   * refused (private mode, storage disabled) history stays in memory: see `storageReport`.
   */
  persist?: boolean;
  /** Forget events older than this many days (on each write and at load). Default: no limit. */
  retentionDays?: number;
  /**
   * Ask the browser to keep this site's storage from eviction (`navigator.storage.persist()`;
   * Firefox may prompt the shopper). The answer is `storageReport.evictionExempt`. Default false.
   */
  requestPersistence?: boolean;
  /**
   * Scoring backend. "auto" (default): answer the first queries on the CPU while timing WebGPU
   * beside them, then keep the faster. "webgpu": use WebGPU when the browser has it (else the
   * CPU, with the reason in `backendReport`). "cpu": never touch the GPU.
   */
  backend?: "auto" | "cpu" | "webgpu";
  /**
   * For a model with 4-bit rows: keep them packed in memory (half the memory; the CPU scores
   * them about 15 % slower, docs/BENCHMARKS.md). Default false: expanded to int8 at load.
   */
  packedRows?: boolean;
  /**
   * The model's SHA-256 as 64 hexadecimal characters, from a place the page trusts (its HTML, as
   * Subresource Integrity does). The bytes are checked before anything else: a different digest
   * rejects with "IntegrityMismatch" (expected and actual digest in the message) and no stored
   * history is opened; a malformed value is "InvalidArgument"; where `crypto.subtle` is missing
   * (not a secure context) "IntegrityUnavailable". Default: no check.
   */
  sha256?: string;
}
/** Options of `recommend`. */
export interface RecommendOptions {
  /** Number of items, 1..=10000. Default 10. */
  k?: number;
  /** Leave out items already in the history. Default true. */
  excludeSeen?: boolean;
  /**
   * Catalogue attributes to return besides key, score, title and category (names from
   * `attributes()`, e.g. "brand", "price", "in_stock"). Unknown names are refused.
   */
  attributes?: string[];
  /**
   * MMR diversity, 0..=1: the weight of dissimilarity (cosine of item vectors) against relevance
   * when the list is re-ranked from a larger candidate pool. 0 (the default) = pure relevance.
   */
  diversity?: number;
  /** Near-identical items (same title by default, or a grouping attribute): keep the best one. */
  dedupe?: DedupeOption;
  /**
   * Popularity damping, 0..=1: lowers each candidate by this fraction of the pool's score range
   * times its popularity (the model's popularity prior, scaled to 0..1). 0 (the default) = none.
   */
  popularityDamping?: number;
  /** Add `because` to each item: the history items that contributed most. Default false. */
  explain?: boolean;
  /** Only items passing this filter (see `RecommendFilter`). Default: every item. */
  filter?: RecommendFilter;
}
/**
 * The value of a catalogue attribute: a string, a number or a boolean by the attribute's type
 * (`attributes()`); `undefined` (the property is left out) when the item has no value.
 */
export type AttributeValue = string | number | boolean | undefined;
/** One catalogue attribute of the model and the type of its values. */
export interface AttributeInfo { name: string; type: "string" | "number" | "boolean"; }
/** A recommended item; requested `attributes` appear as extra properties of their type. */
export interface Recommendation { key: string; score: number; title: string; category: string; [attribute: string]: AttributeValue; }
export interface HistoryEvent { key: string; kind: EventKind; ts: number; }
/** A catalogue entry; `item(key)` fills every attribute, `items` the requested ones. */
export interface CatalogItem { key: string; title: string; category: string; [attribute: string]: AttributeValue; }
/** Which scorer answers, and why (`Recommender.backendReport`). */
export interface BackendReport {
  requested: "auto" | "cpu" | "webgpu";
  active: "cpu" | "webgpu";
  /** False while "auto" is still measuring. */
  decided: boolean;
  reason: string;
  /** The GPU adapter, when WebGPU was set up. */
  adapter: string | null;
  /** Timed queries of "auto" (ms), CPU and GPU for the same queries. */
  cpuMs: number[];
  gpuMs: number[];
  /**
   * Which model this is: "sha256:" and the first 16 hex digits of its SHA-256 when `load` was
   * given `sha256` (the digest it verified), else "crc32:" and the 8 hex digits of the CRC-32 in
   * its header (`localrank inspect` and `localrank train` print both).
   */
  modelId: string;
}
/** Where the history lives (`Recommender.storageReport`). */
export interface StorageReport {
  /** True when history is kept in IndexedDB; false: in memory only, lost with the page. */
  persistent: boolean;
  /** Why not persistent ("" when it is), e.g. "persist: false" or "IndexedDB refused (SecurityError)". */
  reason: string;
  /** Stored records the last read skipped because they did not decode (left in place). */
  skippedRecords: number;
  /** The browser's answer to `requestPersistence` (null: not asked, not answered yet, or no API). */
  evictionExempt: boolean | null;
}
/** The document `exportHistory` writes and `importHistory` reads. */
export interface HistoryDocument { format: "localrank-history"; version: 1; events: HistoryEvent[]; }
"#;

#[wasm_bindgen]
extern "C" {
    /// `LoadOptions` in TypeScript (an optional trailing parameter).
    #[wasm_bindgen(typescript_type = "LoadOptions")]
    pub type JsLoadOptions;
    /// `RecommendOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "RecommendOptions")]
    pub type JsRecommendOptionsArg;
    /// `string[]` in TypeScript (an optional list of attribute names).
    #[wasm_bindgen(typescript_type = "string[]")]
    pub type JsStringArray;
    /// `EventKind` in TypeScript.
    #[wasm_bindgen(typescript_type = "EventKind")]
    pub type JsEventKind;
}

/// `future_to_promise` over one future type: every async method's future is boxed, so the
/// promise glue is compiled once rather than once per method (it was 17 KB of the module).
fn future_to_promise(
    future: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
) -> Promise {
    let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>> =
        Box::pin(future);
    wasm_bindgen_futures::future_to_promise(boxed)
}

/// The load options, read from a JS object.
#[derive(Default)]
struct LoadOptions {
    namespace: Option<String>,
    history_cap: Option<usize>,
    persist: Option<bool>,
    backend: Option<String>,
    packed_rows: Option<bool>,
    retention_days: Option<usize>,
    request_persistence: Option<bool>,
    sha256: Option<String>,
}

impl LoadOptions {
    fn from_js(value: JsValue) -> Result<Self, Error> {
        let o = js::Options::new(
            value,
            "load options",
            &[
                "namespace",
                "historyCap",
                "persist",
                "backend",
                "packedRows",
                "retentionDays",
                "requestPersistence",
                "sha256",
            ],
        )?;
        Ok(Self {
            namespace: o.string("namespace")?,
            history_cap: o.count("historyCap")?,
            persist: o.bool("persist")?,
            backend: o.string("backend")?,
            packed_rows: o.bool("packedRows")?,
            retention_days: o.count("retentionDays")?,
            request_persistence: o.bool("requestPersistence")?,
            sha256: o
                .string("sha256")?
                .map(|d| integrity::parse_digest(&d))
                .transpose()?,
        })
    }
}

/// The recommend options, read from a JS object onto the engine's defaults: the options, the
/// extra attributes asked for, the filter and whether to explain.
fn recommend_options(
    value: JsValue,
) -> Result<
    (
        RecommendOptions,
        Vec<String>,
        crate::score::filter::Filter,
        bool,
    ),
    Error,
> {
    let [a, b, c] = rerank::NAMES;
    let known = [
        "k",
        "excludeSeen",
        "attributes",
        "explain",
        "filter",
        a,
        b,
        c,
    ];
    let o = js::Options::new(value, "recommend options", &known)?;
    let d = RecommendOptions::default();
    let opts = RecommendOptions {
        k: o.count("k")?.unwrap_or(d.k),
        exclude_seen: o.bool("excludeSeen")?.unwrap_or(d.exclude_seen),
        rerank: rerank::from_js(&o)?,
    };
    let filter = merch::filter_option(&o)?;
    let explain = o.bool("explain")?.unwrap_or(false);
    Ok((
        opts,
        o.strings("attributes")?.unwrap_or_default(),
        filter,
        explain,
    ))
}

fn check_namespace(ns: &str) -> Result<(), Error> {
    let ok = (1..=64).contains(&ns.len())
        && ns
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "namespace must be 1-64 characters of [A-Za-z0-9._-], got \"{ns}\""
        )))
    }
}

/// On-device recommendations for one store: a loaded model plus the shopper's local history.
#[wasm_bindgen]
pub struct Recommender {
    engine: Rc<Engine<BrowserStore>>,
    namespace: String,
    /// Why history is not persistent ("" when it is).
    not_persistent: String,
    /// `navigator.storage.persist()`'s answer, once it came, when `requestPersistence` asked.
    eviction_exempt: Rc<std::cell::Cell<Option<bool>>>,
    tabs: Option<tabs::Tabs>,
    /// `backendReport.modelId`: see [`integrity::model_id`].
    model_id: String,
}

impl Recommender {
    /// What `load` does before its promise's first wait: the bytes copied, the options read and,
    /// with `sha256`, the browser's digest of those same bytes started.
    fn prepare(
        bytes: &JsValue,
        options: JsValue,
    ) -> Result<(Vec<u8>, LoadOptions, Option<integrity::Pending>), Error> {
        let copy = js::bytes_arg(bytes)?;
        let opts = LoadOptions::from_js(options)?;
        let pending = opts
            .sha256
            .clone()
            .map(|expected| integrity::Pending::start(bytes, expected))
            .transpose()?;
        Ok((copy, opts, pending))
    }

    /// The rest of `load`: the digest verified first (a mismatch parses and opens nothing),
    /// then the model parsed and the history opened.
    async fn finish_load(
        bytes: Vec<u8>,
        opts: LoadOptions,
        pending: Option<integrity::Pending>,
    ) -> Result<Self, Error> {
        let verified = match pending {
            Some(p) => Some(p.verify().await?),
            None => None,
        };
        let model = Model::from_bytes(&bytes)?;
        let model_id = integrity::model_id(verified.as_deref(), &bytes);
        drop(bytes);
        Self::open(model, opts, model_id).await
    }

    async fn open(model: Model, opts: LoadOptions, model_id: String) -> Result<Self, Error> {
        let namespace = opts.namespace.unwrap_or_else(|| "default".into());
        check_namespace(&namespace)?;
        let requested = Requested::parse(opts.backend.as_deref().unwrap_or("auto"))?;
        let cap = opts.history_cap.unwrap_or(DEFAULT_CAP);
        // The cap is validated before storage or a GPU is opened, and the rows are laid out
        // before storage too: a model too large to expand fails with nothing opened.
        History::new(cap)?;
        let layout = match opts.packed_rows {
            Some(true) => RowLayout::Packed,
            _ => RowLayout::Int8,
        };
        let model = model.with_row_layout(layout)?;
        let retention = Retention {
            cap,
            max_age_ms: match opts.retention_days {
                Some(0) => return Err(Error::InvalidArgument("retentionDays must be ≥ 1".into())),
                days => days.map(|d| d as f64 * DAY_MS),
            },
        };
        let (store, not_persistent) = if opts.persist.unwrap_or(true) {
            match idb::IdbStore::open(&namespace).await {
                Ok(s) => (BrowserStore::IndexedDb(s), String::new()),
                Err(idb::OpenError::Unavailable(idb::Unavailable(why))) => {
                    (BrowserStore::Memory(MemoryStore::default()), why)
                }
                Err(idb::OpenError::Failed(e)) => return Err(e),
            }
        } else {
            let why = "persist: false".into();
            (BrowserStore::Memory(MemoryStore::default()), why)
        };
        let persistent = not_persistent.is_empty();
        let eviction_exempt = Rc::new(std::cell::Cell::new(None));
        if opts.request_persistence == Some(true) {
            // Not awaited: Firefox may ask the shopper, and loading must not wait for an answer.
            let answer = Rc::clone(&eviction_exempt);
            wasm_bindgen_futures::spawn_local(async move {
                answer.set(idb::request_persistence().await);
            });
        }
        let backend = gpu::choose(requested, &model.table).await;
        let engine = Engine::open_with(model, backend, store, retention, js_sys::Date::now);
        let engine = Rc::new(engine.await?);
        let tabs = persistent
            .then(|| tabs::Tabs::join(&namespace, Rc::downgrade(&engine)))
            .flatten();
        Ok(Recommender {
            engine,
            namespace,
            not_persistent,
            eviction_exempt,
            tabs,
            model_id,
        })
    }

    /// Rows `offset..offset + count` (clamped to the model) with the display fields and the
    /// requested `attributes`: what `items` and `catalog` return.
    fn rows_from(
        &self,
        offset: usize,
        count: usize,
        attributes: Option<JsStringArray>,
    ) -> Result<JsValue, JsValue> {
        let m = self.engine.model();
        let attributes = match attributes.map(JsValue::from) {
            Some(v) if !v.is_undefined() && !v.is_null() => {
                js::string_list(&v).ok_or_else(|| {
                    js_error(Error::InvalidArgument(
                        "attributes must be an array of strings".into(),
                    ))
                })?
            }
            _ => Vec::new(),
        };
        let fields = Fields::catalogue(m, &attributes)
            .map_err(js_error)?
            .with_live(self.engine.live());
        let start = offset.min(m.len());
        let end = start.saturating_add(count).min(m.len());
        Ok(rows::rows(
            m,
            &fields,
            &mut (start..end).map(|i| (i as u32, 0.0)),
        ))
    }

    /// A function telling the other instances of this namespace that the history changed.
    fn announcer(&self) -> impl Fn() {
        let channel = self.tabs.as_ref().map(tabs::Tabs::sender);
        move || {
            if let Some(c) = &channel {
                tabs::post(c);
            }
        }
    }

    /// `load` for Rust callers (the browser tests): same checks, the instance instead of a
    /// Promise.
    pub async fn load_async(bytes: &[u8], options: JsValue) -> Result<Recommender, JsValue> {
        let bytes = js_sys::Uint8Array::from(bytes);
        let (bytes, opts, pending) = Self::prepare(&bytes, options).map_err(js_error)?;
        Self::finish_load(bytes, opts, pending)
            .await
            .map_err(js_error)
    }
}

#[wasm_bindgen]
impl Recommender {
    /// Parses the model bytes and opens the history of `options.namespace`.
    ///
    /// Rejects with a `LocalrankError` when the bytes are not a valid model (`code`: e.g.
    /// "BadMagic", "Truncated", "ChecksumMismatch", "UnsupportedVersion"), an option is invalid
    /// ("InvalidArgument"), the bytes' SHA-256 is not `options.sha256` ("IntegrityMismatch",
    /// checked before anything else: no stored history is opened) or IndexedDB cannot be opened
    /// ("Storage").
    #[wasm_bindgen(unchecked_return_type = "Promise<Recommender>")]
    pub fn load(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
        options: Option<JsLoadOptions>,
    ) -> Promise {
        let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
        let prepared = Self::prepare(&bytes, options);
        future_to_promise(async move {
            let (bytes, opts, pending) = prepared.map_err(js_error)?;
            let loaded = Self::finish_load(bytes, opts, pending).await;
            Ok(loaded.map_err(js_error)?.into())
        })
    }

    /// Records that the shopper did `kind` ("view" by default) with item `key`, now.
    /// Keys the model does not know are kept (a later model may know them).
    /// Rejects with "InvalidArgument" (bad key/kind) or "Storage"; on rejection nothing changed.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn record(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        kind: Option<JsEventKind>,
    ) -> Promise {
        let engine = Rc::clone(&self.engine);
        let announce = self.announcer();
        let key = js::string_arg(&key, "key");
        let kind = kind.map(|k| js::string_arg(&k.into(), "kind"));
        future_to_promise(async move {
            let key = key.map_err(js_error)?;
            let kind = match kind {
                None => EventKind::View,
                Some(k) => EventKind::parse(&k.map_err(js_error)?).map_err(js_error)?,
            };
            engine
                .record(&key, kind, js_sys::Date::now())
                .await
                .map_err(js_error)?;
            announce();
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The top-k items for the current history, best first, among those passing `filter`, with
    /// the rules of `setRules` applied (`explain: true`: with the history items behind each).
    /// Rejects with "InvalidArgument" for a bad `k`, an unknown option, or a filter on an unknown
    /// attribute or with a value of the wrong type. Makes no network request and no storage
    /// access. Typed in `similar.rs` (`TS_SIMILAR`): the result type follows `explain`.
    #[wasm_bindgen(skip_typescript)]
    pub fn recommend(&self, options: Option<JsRecommendOptionsArg>) -> Promise {
        let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
        let parsed = recommend_options(options);
        let engine = Rc::clone(&self.engine);
        future_to_promise(async move {
            let (opts, attributes, filter, explain) = parsed.map_err(js_error)?;
            let fields = Fields::recommendation(engine.model(), &attributes)
                .map_err(js_error)?
                .with_live(engine.live());
            let ranked = engine
                .recommend_filtered(opts, &filter)
                .await
                .map_err(js_error)?;
            let mut items = ranked.iter().map(|r| (r.index, r.score));
            let out = rows::rows(engine.model(), &fields, &mut items);
            if explain {
                let rows: Vec<u32> = ranked.iter().map(|r| r.index).collect();
                similar::attach_reasons(engine.model(), &out, &engine.explain(&rows));
            }
            Ok(out)
        })
    }

    /// Reads the history from IndexedDB again (events another tab recorded since this instance
    /// was loaded) and recomputes the shopper's state from it.
    #[wasm_bindgen(js_name = reloadHistory, unchecked_return_type = "Promise<void>")]
    pub fn reload_history(&self) -> Promise {
        let engine = Rc::clone(&self.engine);
        future_to_promise(async move {
            engine.reload_history().await.map_err(js_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The stored events, oldest first.
    #[wasm_bindgen(unchecked_return_type = "HistoryEvent[]")]
    pub fn history(&self) -> JsValue {
        js::array(self.engine.history().events(), js::event_to_js)
    }

    /// The history as a versioned JSON document (see `HistoryDocument`).
    #[wasm_bindgen(js_name = exportHistory)]
    pub fn export_history(&self) -> String {
        let events: Vec<_> = self.engine.history().events().cloned().collect();
        js::document_to_json(&events)
    }

    /// Replaces the history with a document from `exportHistory` (a JSON string or the parsed
    /// object). Rejects with "InvalidHistory" when it does not validate, or "Storage"; in both
    /// cases the existing history is untouched.
    #[wasm_bindgen(js_name = importHistory, unchecked_return_type = "Promise<void>")]
    pub fn import_history(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | HistoryDocument")] doc: JsValue,
    ) -> Promise {
        let engine = Rc::clone(&self.engine);
        let doc = js::document_from_js(&doc);
        let announce = self.announcer();
        future_to_promise(async move {
            engine
                .import_document(doc.map_err(js_error)?)
                .await
                .map_err(js_error)?;
            announce();
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Deletes every event, stored and in memory. Rejects with "Storage" (history unchanged).
    #[wasm_bindgen(js_name = clearHistory, unchecked_return_type = "Promise<void>")]
    pub fn clear_history(&self) -> Promise {
        let engine = Rc::clone(&self.engine);
        let announce = self.announcer();
        future_to_promise(async move {
            engine.clear_history().await.map_err(js_error)?;
            announce();
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Every item of the model, in model order, with its display fields: one object per item,
    /// so it costs tens of milliseconds at 100K items (bench/e2e.mjs).
    ///
    /// @deprecated Page with `items(offset, count)` or look one up with `item(key)`.
    #[wasm_bindgen(unchecked_return_type = "CatalogItem[]")]
    pub fn catalog(&self) -> JsValue {
        // Without extra attributes the fields cannot be refused.
        self.rows_from(0, self.item_count(), None)
            .unwrap_or_else(|_| js_sys::Array::new().into())
    }

    /// Up to `count` items from position `offset` in model order (fewer at the end; none past
    /// it), with key, title, category and the requested `attributes`. Throws "InvalidArgument"
    /// for an unknown attribute.
    #[wasm_bindgen(unchecked_return_type = "CatalogItem[]")]
    pub fn items(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] offset: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] count: JsValue,
        attributes: Option<JsStringArray>,
    ) -> Result<JsValue, JsValue> {
        let offset = js::index_arg(&offset, "offset").map_err(js_error)?;
        let count = js::index_arg(&count, "count").map_err(js_error)?;
        self.rows_from(offset, count, attributes)
    }

    /// The item with `key` and every attribute the model has, or `undefined` for a key the model
    /// does not know. Throws "InvalidArgument" when `key` is not a string.
    #[wasm_bindgen(unchecked_return_type = "CatalogItem | undefined")]
    pub fn item(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    ) -> Result<JsValue, JsValue> {
        let key = js::string_arg(&key, "key").map_err(js_error)?;
        let m = self.engine.model();
        Ok(match m.keys.index_of(&key) {
            Some(i) => {
                let fields = Fields::every_attribute(m).with_live(self.engine.live());
                js_sys::Reflect::get_u32(&rows::rows(m, &fields, &mut std::iter::once((i, 0.0))), 0)
                    .unwrap_or(JsValue::UNDEFINED)
            }
            None => JsValue::UNDEFINED,
        })
    }

    /// The catalogue attributes the model offers, in the order `item(key)` lists them, each with
    /// the type of its values: `title` and `category` (always strings), the other metadata
    /// fields, then the typed `ATTR` fields (a name in both is the metadata string).
    #[wasm_bindgen(unchecked_return_type = "AttributeInfo[]")]
    pub fn attributes(&self) -> JsValue {
        js::array(results::schema(self.engine.model()), |(name, kind)| {
            js::Obj::new()
                .set("name", name)
                .set("type", kind.as_str())
                .build()
        })
    }

    /// The scorer answering the next query: "webgpu" or "cpu" (also "cpu" while "auto" is
    /// still measuring). It turns to "cpu" by itself if the GPU device is lost.
    #[wasm_bindgen(getter, unchecked_return_type = "\"cpu\" | \"webgpu\"")]
    pub fn backend(&self) -> String {
        self.engine.backend().name().into()
    }

    /// The backend decision: requested mode, active scorer, reason, adapter and the timings
    /// "auto" measured.
    #[wasm_bindgen(getter, js_name = backendReport, unchecked_return_type = "BackendReport")]
    pub fn backend_report(&self) -> Result<JsValue, JsValue> {
        // The one place serde-wasm-bindgen stays: a diagnostic struct read rarely, where
        // deriving the shape beats hand-building it (the per-query paths use `js`).
        let report = serde::Serialize::serialize(
            &self.engine.backend().report(),
            &serde_wasm_bindgen::Serializer::json_compatible(),
        )
        .map_err(|e| js_error(Error::InvalidArgument(e.to_string())))?;
        let _ = js_sys::Reflect::set(&report, &"modelId".into(), &self.model_id.as_str().into());
        Ok(report)
    }

    /// Destroys the WebGPU device, as a GPU reset would; the next `recommend` falls back to the
    /// CPU with the same results. For testing the fallback; a no-op without a GPU.
    #[wasm_bindgen(js_name = simulateGpuLoss)]
    pub fn simulate_gpu_loss(&self) {
        self.engine.backend().simulate_gpu_loss();
    }

    /// Number of items in the model.
    #[wasm_bindgen(getter, js_name = itemCount)]
    pub fn item_count(&self) -> usize {
        self.engine.model().len()
    }

    /// Embedding dimension of the model.
    #[wasm_bindgen(getter)]
    pub fn dim(&self) -> usize {
        self.engine.model().dim()
    }

    /// True when history is kept in IndexedDB; false when only in memory (`persist: false`, or
    /// IndexedDB missing or refused here: `storageReport.reason` says which).
    #[wasm_bindgen(getter)]
    pub fn persistent(&self) -> bool {
        self.not_persistent.is_empty()
    }

    /// Where the history lives: persistent or not and why, and how many stored records the
    /// last read skipped because they did not decode.
    #[wasm_bindgen(getter, js_name = storageReport, unchecked_return_type = "StorageReport")]
    pub fn storage_report(&self) -> JsValue {
        let report = js_sys::Object::new();
        let skipped = match self.engine.store() {
            BrowserStore::IndexedDb(s) => s.skipped(),
            BrowserStore::Memory(_) => 0,
        };
        for (name, value) in [
            ("persistent", JsValue::from(self.persistent())),
            ("reason", JsValue::from(&self.not_persistent)),
            ("skippedRecords", JsValue::from(skipped)),
            (
                "evictionExempt",
                self.eviction_exempt
                    .get()
                    .map_or(JsValue::NULL, JsValue::from),
            ),
        ] {
            let _ = js_sys::Reflect::set(&report, &name.into(), &value);
        }
        report.into()
    }

    /// The store namespace this instance's history belongs to.
    #[wasm_bindgen(getter)]
    pub fn namespace(&self) -> String {
        self.namespace.clone()
    }

    /// Deletes the IndexedDB database of `namespace`: everything the library stored for it (the
    /// "forget me" call). Open instances on `namespace`, in this page or others, follow: their
    /// history empties and their next events go to a fresh database. Rejects with "Storage" when
    /// a connection that is not this library's keeps the database open for over 3 s.
    #[wasm_bindgen(js_name = deleteStoredHistory, unchecked_return_type = "Promise<void>")]
    pub fn delete_stored_history(
        #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
    ) -> Promise {
        let namespace = js::string_arg(&namespace, "namespace");
        future_to_promise(async move {
            let namespace = namespace.map_err(js_error)?;
            check_namespace(&namespace).map_err(js_error)?;
            idb::delete_database(&namespace).await.map_err(js_error)?;
            // Open instances of `namespace` (this page's and other tabs') empty their history and
            // write their next events to a fresh database.
            tabs::announce_to(&namespace);
            Ok(JsValue::UNDEFINED)
        })
    }
}
