//! History persisted in IndexedDB: one database per store namespace (`localrank/<namespace>`),
//! one object store `events` (auto-increment keys, values `{key, kind, ts}`), schema version 1.
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
    IdbDatabase, IdbFactory, IdbKeyRange, IdbObjectStore, IdbObjectStoreParameters, IdbRequest,
    IdbTransaction, IdbTransactionMode,
};

use crate::history::store::HistoryStore;
use crate::history::Event;
use crate::{Error, Result};

const SCHEMA_VERSION: u32 = 1;
const EVENTS: &str = "events";

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

/// Awaits a request's `success` (its result) or `error`. The handlers are removed and their
/// closures freed once it settles, so no operation leaks them.
async fn request_done(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let (promise, resolve, reject) = deferred()?;
    let r = req.clone();
    let ok = Closure::<dyn FnMut()>::new(move || {
        let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
    });
    let r = req.clone();
    let err = Closure::<dyn FnMut()>::new(move || {
        let e = r
            .error()
            .ok()
            .flatten()
            .map_or(JsValue::UNDEFINED, JsValue::from);
        let _ = reject.call1(&JsValue::NULL, &e);
    });
    req.set_onsuccess(Some(ok.as_ref().unchecked_ref()));
    req.set_onerror(Some(err.as_ref().unchecked_ref()));
    let out = JsFuture::from(promise).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    out
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

/// Events in one IndexedDB database. Remembers the keys of the stored events (oldest first) so
/// trimming can delete by key range inside the appending transaction. A `Vec`, not a ring: one
/// instantiation less in the wasm module, and shifting ≤ cap handles once per recorded event is
/// cheap beside the IndexedDB transaction that comes with it.
pub struct IdbStore {
    db: IdbDatabase,
    keys: RefCell<Vec<JsValue>>,
    _on_version_change: Closure<dyn Fn()>,
}

impl Drop for IdbStore {
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
        self.db.close();
    }
}

impl IdbStore {
    /// Opens (creating or migrating) the database for `namespace`.
    pub async fn open(namespace: &str) -> Result<Self> {
        let name = database_name(namespace);
        let req = factory()?
            .open_with_u32(&name, SCHEMA_VERSION)
            .map_err(|e| storage_error("cannot open IndexedDB", e))?;
        let upgrade_req = req.clone();
        let on_upgrade = Closure::once(move |ev: web_sys::IdbVersionChangeEvent| {
            // Migration from `old_version` to SCHEMA_VERSION; v1 creates the events store.
            if ev.old_version() < 1.0 {
                if let Ok(db) = upgrade_req
                    .result()
                    .and_then(|r| r.dyn_into::<IdbDatabase>())
                {
                    let params = IdbObjectStoreParameters::new();
                    params.set_auto_increment(true);
                    let _ = db.create_object_store_with_optional_parameters(EVENTS, &params);
                }
            }
        });
        req.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let opened = request_done(&req).await;
        req.set_onupgradeneeded(None);
        drop(on_upgrade);
        let db: IdbDatabase = opened
            .map_err(|e| storage_error(&format!("cannot open IndexedDB database \"{name}\""), e))?
            .dyn_into()
            .map_err(|e| storage_error("unexpected IndexedDB open result", e))?;
        // Another tab (or a test) wants to upgrade or delete the database: let it.
        let db2 = db.clone();
        let on_version_change = Closure::<dyn Fn()>::new(move || db2.close());
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        Ok(Self {
            db,
            keys: RefCell::new(Vec::new()),
            _on_version_change: on_version_change,
        })
    }

    fn transaction(&self, mode: IdbTransactionMode) -> Result<(IdbTransaction, IdbObjectStore)> {
        let tx = self
            .db
            .transaction_with_str_and_mode(EVENTS, mode)
            .map_err(|e| storage_error("cannot start an IndexedDB transaction", e))?;
        let store = tx
            .object_store(EVENTS)
            .map_err(|e| storage_error("IndexedDB has no events store", e))?;
        Ok((tx, store))
    }
}

impl HistoryStore for IdbStore {
    async fn load(&self) -> Result<Vec<Event>> {
        let (tx, store) = self.transaction(IdbTransactionMode::Readonly)?;
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
        for (v, k) in values.iter().zip(keys.iter()) {
            // A record that does not decode (written by hand, or by a future version) is left in
            // the database untouched and skipped, rather than failing the whole load.
            if let Ok(e) = super::js::event_from_js(&v) {
                events.push(e);
                kept_keys.push(k);
            }
        }
        *self.keys.borrow_mut() = kept_keys;
        Ok(events)
    }

    async fn append(&self, event: &Event, drop_oldest: usize) -> Result<()> {
        let value = super::js::event_to_js(event);
        let (tx, store) = self.transaction(IdbTransactionMode::Readwrite)?;
        let guard = AbortUnlessDone(Some(&tx));
        let add = store
            .add(&value)
            .map_err(|e| storage_error("cannot store event", e))?;
        let known = self.keys.borrow().len();
        let drop_oldest = drop_oldest.min(known);
        if drop_oldest > 0 {
            if let Some(last) = self.keys.borrow().get(drop_oldest - 1) {
                let range = IdbKeyRange::upper_bound(last)
                    .map_err(|e| storage_error("cannot build key range", e))?;
                store
                    .delete(&range)
                    .map_err(|e| storage_error("cannot trim history", e))?;
            }
        }
        guard.done();
        transaction_done(&tx)
            .await
            .map_err(|e| storage_error("storing the event failed; history unchanged", e))?;
        let mut keys = self.keys.borrow_mut();
        keys.drain(..drop_oldest);
        keys.push(add.result().unwrap_or(JsValue::UNDEFINED));
        Ok(())
    }

    async fn replace(&self, events: &[Event]) -> Result<()> {
        let values: Vec<JsValue> = events.iter().map(super::js::event_to_js).collect();
        let (tx, store) = self.transaction(IdbTransactionMode::Readwrite)?;
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

/// Deletes the database of `namespace` (tests; "forget me" flows).
pub async fn delete_database(namespace: &str) -> Result<()> {
    let req = factory()?
        .delete_database(&database_name(namespace))
        .map_err(|e| storage_error("cannot delete IndexedDB database", e))?;
    request_done(&req)
        .await
        .map_err(|e| storage_error("deleting IndexedDB database failed", e))?;
    Ok(())
}
