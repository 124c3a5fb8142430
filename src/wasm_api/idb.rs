//! History persisted in IndexedDB: one database per store namespace (`localrank/<namespace>`),
//! one object store `events` (auto-increment keys, values `{key, kind, ts}`, index `ts`), schema
//! version 2 (docs/FORMAT.md § 4). Faults are answered, never waited out: a `blocked` open or
//! deletion gives up after a bounded time; storage that is absent or refused is reported to the
//! caller, which keeps history in memory.
//!
//! Every operation is one transaction whose requests are all issued up front; we await only the
//! transaction's `complete` (or `error`/`abort`), never a request inside it, so a transaction
//! cannot auto-commit half way and a failure (quota, blocked, broken storage) leaves the stored
//! events as they were.

use std::cell::RefCell;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbFactory, IdbObjectStore, IdbObjectStoreParameters, IdbOpenDbRequest,
    IdbTransaction, IdbTransactionMode,
};

use crate::history::store::HistoryStore;
use crate::history::Event;
use crate::{Error, Result};

const SCHEMA_VERSION: u32 = 2;
const EVENTS: &str = "events";
const TS_INDEX: &str = "ts";

/// The IndexedDB database name for a store namespace.
pub fn database_name(namespace: &str) -> String {
    format!("localrank/{namespace}")
}

fn storage_error(context: &str, e: JsValue) -> Error {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    Error::Storage(format!("{context}: {detail}"))
}

/// The global `indexedDB` factory (window or worker).
fn factory() -> Result<IdbFactory> {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &JsValue::from_str("indexedDB"))
        .ok()
        .and_then(|f| f.dyn_into::<IdbFactory>().ok())
        .ok_or_else(|| Error::Storage("IndexedDB is not available in this context".into()))
}

/// A Promise and its resolve/reject functions.
fn deferred() -> Result<(Promise, Function, Function), JsValue> {
    let (mut res, mut rej) = (None, None);
    let promise = Promise::new(&mut |resolve, reject| {
        res = Some(resolve);
        rej = Some(reject);
    });
    match (res, rej) {
        (Some(resolve), Some(reject)) => Ok((promise, resolve, reject)),
        _ => Err(JsValue::from_str("Promise executor did not run")),
    }
}

/// Awaits a transaction's `complete` (ok) or `error`/`abort` (err); handlers freed afterwards.
async fn transaction_done(tx: &IdbTransaction) -> Result<(), JsValue> {
    let (promise, resolve, reject) = deferred()?;
    let ok = Closure::<dyn FnMut()>::new(move || {
        let _ = resolve.call0(&JsValue::NULL);
    });
    let t = tx.clone();
    // `error` is followed by `abort`; rejecting twice is harmless.
    let fail = Closure::<dyn FnMut()>::new(move || {
        let e = t
            .error()
            .map_or_else(|| JsValue::from_str("transaction aborted"), JsValue::from);
        let _ = reject.call1(&JsValue::NULL, &e);
    });
    tx.set_oncomplete(Some(ok.as_ref().unchecked_ref()));
    tx.set_onerror(Some(fail.as_ref().unchecked_ref()));
    tx.set_onabort(Some(fail.as_ref().unchecked_ref()));
    let out = JsFuture::from(promise).await.map(drop);
    tx.set_oncomplete(None);
    tx.set_onerror(None);
    tx.set_onabort(None);
    out
}

/// Aborts a read-write transaction when an operation gives up after issuing requests, so a
/// half-issued change (an `add` without its trim, a `clear` without its `add`s) never commits.
struct AbortUnlessDone<'a>(Option<&'a IdbTransaction>);

impl AbortUnlessDone<'_> {
    fn done(mut self) {
        self.0 = None;
    }
}

impl Drop for AbortUnlessDone<'_> {
    fn drop(&mut self) {
        if let Some(tx) = self.0 {
            let _ = tx.abort();
        }
    }
}

/// How long an open or a deletion waits while another connection (another tab on an older
/// version, a pending deletion) blocks it, before failing with `Storage` instead of hanging.
const BLOCKED_MS: i32 = 3000;
/// The longest an open or a deletion may take at all: a request queued behind another blocked
/// one is never told it is blocked, so this bound holds without the event.
const SETTLE_MS: i32 = 10_000;
/// Rejection value of [`open_request_done`] when a wait ran out.
const BLOCKED: &str = "blocked";

/// `setTimeout(f, ms)` on the global (window or worker); its id, to clear it.
fn set_timeout(f: &Function, ms: i32) -> Option<JsValue> {
    let global = js_sys::global();
    let set = js_sys::Reflect::get(&global, &"setTimeout".into()).ok()?;
    set.dyn_into::<Function>()
        .ok()?
        .call2(&global, f, &ms.into())
        .ok()
}

fn clear_timeout(id: &JsValue) {
    let global = js_sys::global();
    if let Ok(clear) = js_sys::Reflect::get(&global, &"clearTimeout".into()) {
        if let Ok(clear) = clear.dyn_into::<Function>() {
            let _ = clear.call1(&global, id);
        }
    }
}

/// Awaits an open or delete request: its result, its error, or [`BLOCKED`] — [`BLOCKED_MS`]
/// after it reported `blocked`, or [`SETTLE_MS`] after it was issued. Timers are cleared before
/// the closures they call are freed.
async fn open_request_done(req: &IdbOpenDbRequest) -> Result<JsValue, JsValue> {
    let (promise, resolve, reject) = deferred()?;
    let r = req.clone();
    let ok = Closure::<dyn FnMut()>::new(move || {
        let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
    });
    let r = req.clone();
    let fail = reject.clone();
    let err = Closure::<dyn FnMut()>::new(move || {
        let e = r
            .error()
            .ok()
            .flatten()
            .map_or(JsValue::UNDEFINED, JsValue::from);
        let _ = fail.call1(&JsValue::NULL, &e);
    });
    let give_up = Closure::<dyn FnMut()>::new(move || {
        let _ = reject.call1(&JsValue::NULL, &BLOCKED.into());
    });
    let give_up_fn: Function = give_up.as_ref().unchecked_ref::<Function>().clone();
    let timers = std::rc::Rc::new(RefCell::new(Vec::new()));
    timers
        .borrow_mut()
        .extend(set_timeout(&give_up_fn, SETTLE_MS));
    let later = timers.clone();
    let blocked = Closure::<dyn FnMut()>::new(move || {
        later
            .borrow_mut()
            .extend(set_timeout(&give_up_fn, BLOCKED_MS));
    });
    req.set_onsuccess(Some(ok.as_ref().unchecked_ref()));
    req.set_onerror(Some(err.as_ref().unchecked_ref()));
    req.set_onblocked(Some(blocked.as_ref().unchecked_ref()));
    let out = JsFuture::from(promise).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    req.set_onblocked(None);
    for id in timers.borrow().iter() {
        clear_timeout(id);
    }
    drop(give_up);
    out
}

/// The name of a DOMException (`"SecurityError"`, `"QuotaExceededError"`...), or "".
fn exception_name(e: &JsValue) -> String {
    e.dyn_ref::<web_sys::DomException>()
        .map(|d| d.name())
        .unwrap_or_default()
}

/// Why persistent history is off: IndexedDB is missing or refused here (private mode, storage
/// disabled). The engine then keeps history in memory and says so (`storageReport`).
pub struct Unavailable(pub String);

/// An open that failed: storage absent or refused (fall back to memory), or a real error.
pub enum OpenError {
    Unavailable(Unavailable),
    Failed(Error),
}

impl From<Error> for OpenError {
    fn from(e: Error) -> Self {
        OpenError::Failed(e)
    }
}

/// `SecurityError` / `InvalidStateError`: what browsers answer when storage is refused.
fn refused(context: &str, e: JsValue) -> OpenError {
    let name = exception_name(&e);
    if name == "SecurityError" || name == "InvalidStateError" {
        OpenError::Unavailable(Unavailable(format!("IndexedDB refused ({name})")))
    } else {
        OpenError::Failed(storage_error(context, e))
    }
}

/// One open connection; closed (and marked so) when another connection asks for a new version
/// or deletes the database, which the store answers by opening a fresh connection on next use.
struct Connection {
    db: IdbDatabase,
    closed: std::rc::Rc<std::cell::Cell<bool>>,
    _on_version_change: Closure<dyn Fn()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
        self.db.close();
    }
}

/// Schema migrations, run by `upgradeneeded` from `old` to [`SCHEMA_VERSION`]: v1 creates the
/// `events` store; v2 adds the `ts` index to it (existing records stay as they are).
fn migrate(req: &IdbOpenDbRequest, old: f64) -> std::result::Result<(), JsValue> {
    let db: IdbDatabase = req.result()?.dyn_into()?;
    let store = if old < 1.0 {
        let params = IdbObjectStoreParameters::new();
        params.set_auto_increment(true);
        db.create_object_store_with_optional_parameters(EVENTS, &params)?
    } else {
        req.transaction()
            .ok_or_else(|| JsValue::from_str("no upgrade transaction"))?
            .object_store(EVENTS)?
    };
    if old < 2.0 {
        store.create_index_with_str(TS_INDEX, "ts")?;
    }
    Ok(())
}

async fn connect(name: &str) -> Result<Connection, OpenError> {
    let factory = factory().map_err(|_| {
        OpenError::Unavailable(Unavailable("IndexedDB is not available here".into()))
    })?;
    let req = factory
        .open_with_u32(name, SCHEMA_VERSION)
        .map_err(|e| refused("cannot open IndexedDB", e))?;
    let upgrade_error = std::rc::Rc::new(RefCell::new(None::<Error>));
    let (upgrade_req, failure) = (req.clone(), upgrade_error.clone());
    let on_upgrade = Closure::<dyn FnMut(_)>::new(move |ev: web_sys::IdbVersionChangeEvent| {
        if let Err(e) = migrate(&upgrade_req, ev.old_version()) {
            // Abort the upgrade: the open fails and the database stays at its old version.
            *failure.borrow_mut() = Some(storage_error(
                "creating the events store or its index failed",
                e,
            ));
            if let Some(tx) = upgrade_req.transaction() {
                let _ = tx.abort();
            }
        }
    });
    req.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let opened = open_request_done(&req).await;
    let db: IdbDatabase = match opened {
        Ok(db) => {
            req.set_onupgradeneeded(None);
            db.dyn_into()
                .map_err(|e| storage_error("unexpected IndexedDB open result", e))?
        }
        Err(e) if e.as_string().as_deref() == Some(BLOCKED) => {
            // The request is still pending: when it finally succeeds, close what it opens.
            on_upgrade.forget();
            let r = req.clone();
            let close = Closure::once_into_js(move || {
                if let Ok(db) = r.result().and_then(|d| d.dyn_into::<IdbDatabase>()) {
                    db.close();
                }
            });
            req.set_onsuccess(Some(close.unchecked_ref()));
            return Err(OpenError::Failed(Error::Storage(format!(
                "opening IndexedDB database \"{name}\" is blocked by another open connection (another tab on an older version, or a pending deletion); gave up"
            ))));
        }
        Err(e) => {
            req.set_onupgradeneeded(None);
            if let Some(failed) = upgrade_error.borrow_mut().take() {
                return Err(OpenError::Failed(failed));
            }
            return Err(refused(
                &format!("cannot open IndexedDB database \"{name}\""),
                e,
            ));
        }
    };
    let closed = std::rc::Rc::new(std::cell::Cell::new(false));
    let (db2, flag) = (db.clone(), closed.clone());
    let on_version_change = Closure::<dyn Fn()>::new(move || {
        // Another tab (or `deleteStoredHistory`) wants to upgrade or delete: let it.
        flag.set(true);
        db2.close();
    });
    db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
    Ok(Connection {
        db,
        closed,
        _on_version_change: on_version_change,
    })
}

/// Events in one IndexedDB database. Remembers the keys of the stored events (oldest first, as
/// of its last load or write) so a write can delete exactly the records the retention rule drops;
/// the façade reloads on another tab's write notice, which refreshes them. A `Vec`, not a ring:
/// one instantiation less in the wasm module.
pub struct IdbStore {
    name: String,
    conn: RefCell<Connection>,
    keys: RefCell<Vec<JsValue>>,
    /// Records the last load skipped because they did not decode.
    skipped: std::cell::Cell<u32>,
}

impl IdbStore {
    /// Opens (creating or migrating) the database for `namespace`.
    pub async fn open(namespace: &str) -> Result<Self, OpenError> {
        let name = database_name(namespace);
        let conn = connect(&name).await?;
        Ok(Self {
            name,
            conn: RefCell::new(conn),
            keys: RefCell::new(Vec::new()),
            skipped: std::cell::Cell::new(0),
        })
    }

    /// Records skipped by the last load (they did not decode; left in the database).
    pub fn skipped(&self) -> u32 {
        self.skipped.get()
    }

    /// The connection, opened afresh if the last one was closed for another connection's
    /// deletion or upgrade (the keys it knew belong to the old database).
    async fn database(&self) -> Result<IdbDatabase> {
        if self.conn.borrow().closed.get() {
            let conn = connect(&self.name).await.map_err(|e| match e {
                OpenError::Unavailable(Unavailable(why)) => Error::Storage(why),
                OpenError::Failed(e) => e,
            })?;
            *self.conn.borrow_mut() = conn;
            self.keys.borrow_mut().clear();
        }
        Ok(self.conn.borrow().db.clone())
    }

    async fn transaction(
        &self,
        mode: IdbTransactionMode,
    ) -> Result<(IdbTransaction, IdbObjectStore)> {
        let tx = self
            .database()
            .await?
            .transaction_with_str_and_mode(EVENTS, mode)
            .map_err(|e| storage_error("cannot start an IndexedDB transaction", e))?;
        let store = tx
            .object_store(EVENTS)
            .map_err(|e| storage_error("IndexedDB has no events store", e))?;
        Ok((tx, store))
    }

    /// Issues the deletes of the records at `drop` (positions in the known keys).
    fn delete_known(&self, store: &IdbObjectStore, drop: &[usize]) -> Result<()> {
        let keys = self.keys.borrow();
        for key in drop.iter().filter_map(|&i| keys.get(i)) {
            store
                .delete(key)
                .map_err(|e| storage_error("cannot trim history", e))?;
        }
        Ok(())
    }

    /// The known keys without the positions `drop`.
    fn forget_known(&self, drop: &[usize]) {
        let mut keys = self.keys.borrow_mut();
        let kept = std::mem::take(&mut *keys);
        let mut next = drop.iter().peekable();
        for (i, k) in kept.into_iter().enumerate() {
            if next.peek() == Some(&&i) {
                next.next();
            } else {
                keys.push(k);
            }
        }
    }
}

impl HistoryStore for IdbStore {
    async fn load(&self) -> Result<Vec<Event>> {
        let (tx, store) = self.transaction(IdbTransactionMode::Readonly).await?;
        let values = store
            .get_all()
            .map_err(|e| storage_error("cannot read history", e))?;
        let keys = store
            .get_all_keys()
            .map_err(|e| storage_error("cannot read history keys", e))?;
        transaction_done(&tx)
            .await
            .map_err(|e| storage_error("reading history failed", e))?;
        let values: Array = values
            .result()
            .map_or_else(|_| Array::new(), |v| Array::from(&v));
        let keys: Array = keys
            .result()
            .map_or_else(|_| Array::new(), |v| Array::from(&v));
        let mut events = Vec::with_capacity(values.length() as usize);
        let mut kept_keys = Vec::with_capacity(values.length() as usize);
        let mut skipped = 0;
        for (v, k) in values.iter().zip(keys.iter()) {
            // A record that does not decode (written by hand, damaged, or by a future version) is
            // left in the database untouched and skipped (and counted), rather than failing the
            // whole load.
            match super::js::event_from_js(&v) {
                Ok(e) => {
                    events.push(e);
                    kept_keys.push(k);
                }
                Err(_) => skipped += 1,
            }
        }
        *self.keys.borrow_mut() = kept_keys;
        self.skipped.set(skipped);
        Ok(events)
    }

    async fn append(&self, event: &Event, drop: &[usize]) -> Result<()> {
        let value = super::js::event_to_js(event);
        let (tx, store) = self.transaction(IdbTransactionMode::Readwrite).await?;
        let guard = AbortUnlessDone(Some(&tx));
        self.delete_known(&store, drop)?;
        let add = store
            .add(&value)
            .map_err(|e| storage_error("cannot store event", e))?;
        guard.done();
        transaction_done(&tx)
            .await
            .map_err(|e| storage_error("storing the event failed; history unchanged", e))?;
        self.forget_known(drop);
        self.keys
            .borrow_mut()
            .push(add.result().unwrap_or(JsValue::UNDEFINED));
        Ok(())
    }

    async fn remove(&self, drop: &[usize]) -> Result<()> {
        let (tx, store) = self.transaction(IdbTransactionMode::Readwrite).await?;
        let guard = AbortUnlessDone(Some(&tx));
        self.delete_known(&store, drop)?;
        guard.done();
        transaction_done(&tx)
            .await
            .map_err(|e| storage_error("trimming history failed; history unchanged", e))?;
        self.forget_known(drop);
        Ok(())
    }

    async fn replace(&self, events: &[Event]) -> Result<()> {
        let values: Vec<JsValue> = events.iter().map(super::js::event_to_js).collect();
        let (tx, store) = self.transaction(IdbTransactionMode::Readwrite).await?;
        let guard = AbortUnlessDone(Some(&tx));
        store
            .clear()
            .map_err(|e| storage_error("cannot clear history", e))?;
        let mut adds = Vec::with_capacity(values.len());
        for v in &values {
            adds.push(
                store
                    .add(v)
                    .map_err(|e| storage_error("cannot store event", e))?,
            );
        }
        guard.done();
        transaction_done(&tx)
            .await
            .map_err(|e| storage_error("replacing history failed; history unchanged", e))?;
        *self.keys.borrow_mut() = adds
            .iter()
            .map(|r| r.result().unwrap_or(JsValue::UNDEFINED))
            .collect();
        Ok(())
    }
}

/// Asks the browser to exempt this origin's storage from eviction (`navigator.storage.persist()`)
/// and returns its answer; `None` where the API is missing (Safari < 15.2, insecure origins).
pub async fn request_persistence() -> Option<bool> {
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).ok();
    let storage = get(&js_sys::global(), "navigator").and_then(|n| get(&n, "storage"))?;
    let persist = get(&storage, "persist")?.dyn_into::<Function>().ok()?;
    let promise = persist.call0(&storage).ok()?.dyn_into::<Promise>().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// Deletes the database of `namespace` ("forget me"; tests). Open connections of this library
/// close themselves when asked; one that does not (it blocks the deletion) makes this fail with
/// `Storage` after [`BLOCKED_MS`] (the deletion stays queued and happens once it closes).
pub async fn delete_database(namespace: &str) -> Result<()> {
    let req = factory()?
        .delete_database(&database_name(namespace))
        .map_err(|e| storage_error("cannot delete IndexedDB database", e))?;
    open_request_done(&req).await.map_err(|e| {
        if e.as_string().as_deref() == Some(BLOCKED) {
            Error::Storage("deleting the stored history is blocked by another open connection that does not close; it will happen once that closes".into())
        } else {
            storage_error("deleting IndexedDB database failed", e)
        }
    })?;
    Ok(())
}
