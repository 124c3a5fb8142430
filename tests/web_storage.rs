//! Browser tests of the storage layer under faults (`wasm-pack test --headless --chrome --
//! --test web_storage`): IndexedDB missing or refused, a blocked open or deletion, a failing
//! write, damaged records, the v1 → v2 migration, several instances of one namespace, retention
//! by age and erasure. Faults are injected by patching IndexedDB's prototypes from JS, and undone
//! before each test returns (tests run one at a time).
#![cfg(target_arch = "wasm32")]

mod common;

use localrank::wasm_api::Recommender;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const saved = {};
const done = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
const txDone = (t) => new Promise((ok, fail) => { t.oncomplete = ok; t.onabort = () => fail(t.error); });
export function refuseOpen(name) {
  saved.open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function () { throw new DOMException("refused by the test", name); };
}
export function hideIndexedDb() {
  saved.idb = Object.getOwnPropertyDescriptor(globalThis, "indexedDB");
  Object.defineProperty(globalThis, "indexedDB", { value: undefined, configurable: true });
}
export function abortAdds() {
  saved.add = IDBObjectStore.prototype.add;
  IDBObjectStore.prototype.add = function (...args) {
    const req = saved.add.apply(this, args);
    this.transaction.abort(); // as a QuotaExceededError does: the whole transaction is undone
    return req;
  };
}
export function failCreateIndex() {
  saved.createIndex = IDBObjectStore.prototype.createIndex;
  IDBObjectStore.prototype.createIndex = function () { throw new DOMException("no room", "QuotaExceededError"); };
}
export function restore() {
  if (saved.open) IDBFactory.prototype.open = saved.open;
  if (saved.idb) Object.defineProperty(globalThis, "indexedDB", saved.idb);
  if (saved.add) IDBObjectStore.prototype.add = saved.add;
  if (saved.createIndex) IDBObjectStore.prototype.createIndex = saved.createIndex;
  for (const k of Object.keys(saved)) delete saved[k];
}
/** A schema-v1 database as the previous release wrote it, left open (no versionchange handler). */
export async function openV1(name, values) {
  await done(indexedDB.deleteDatabase(name));
  const req = indexedDB.open(name, 1);
  req.onupgradeneeded = () => req.result.createObjectStore("events", { autoIncrement: true });
  const db = await done(req);
  const tx = db.transaction("events", "readwrite");
  for (const v of values) tx.objectStore("events").add(v);
  await txDone(tx);
  return db;
}
export function closeDb(db) { db.close(); }
/** Adds raw values to the current database `name`. */
export async function addRaw(name, values) {
  const db = await done(indexedDB.open(name));
  const tx = db.transaction("events", "readwrite");
  for (const v of values) tx.objectStore("events").add(v);
  await txDone(tx);
  db.close();
}
/** [record count, version, has the ts index] of database `name`. */
export async function inspect(name) {
  const db = await done(indexedDB.open(name));
  const tx = db.transaction("events", "readonly");
  const n = await done(tx.objectStore("events").count());
  const out = [n, db.version, tx.objectStore("events").indexNames.contains("ts")];
  db.close();
  return out;
}
export async function databaseNames() { return (await indexedDB.databases()).map((d) => d.name); }
export function persisted() { return navigator.storage.persisted(); }
export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = refuseOpen)]
    fn refuse_open(exception: &str);
    #[wasm_bindgen(js_name = hideIndexedDb)]
    fn hide_indexed_db();
    #[wasm_bindgen(js_name = abortAdds)]
    fn abort_adds();
    #[wasm_bindgen(js_name = failCreateIndex)]
    fn fail_create_index();
    fn restore();
    #[wasm_bindgen(js_name = openV1)]
    async fn open_v1(name: &str, values: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = closeDb)]
    fn close_db(db: &JsValue);
    #[wasm_bindgen(js_name = addRaw)]
    async fn add_raw(name: &str, values: JsValue);
    async fn inspect(name: &str) -> JsValue;
    #[wasm_bindgen(js_name = databaseNames)]
    async fn database_names() -> JsValue;
    async fn sleep(ms: u32);
    async fn persisted() -> JsValue;
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
struct Ev {
    key: String,
    kind: String,
    ts: f64,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct StorageReport {
    persistent: bool,
    reason: String,
    skipped_records: u32,
    eviction_exempt: Option<bool>,
}

fn opts(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test options are valid JSON")
}

fn model() -> Vec<u8> {
    common::synthetic_model(50, 8, 11).to_bytes()
}

async fn delete(namespace: &str) -> Result<JsValue, JsValue> {
    JsFuture::from(Recommender::delete_stored_history(namespace.into())).await
}

async fn load(namespace: &str, extra: &str) -> Result<Recommender, JsValue> {
    let o = opts(&format!(r#"{{"namespace":"{namespace}"{extra}}}"#));
    Recommender::load_async(&model(), o).await
}

async fn record(r: &Recommender, key: &str) -> Result<JsValue, JsValue> {
    JsFuture::from(r.record(key.into(), None)).await
}

fn keys(r: &Recommender) -> Vec<String> {
    let h: Vec<Ev> = serde_wasm_bindgen::from_value(r.history()).expect("event shape");
    h.into_iter().map(|e| e.key).collect()
}

fn report(r: &Recommender) -> StorageReport {
    serde_wasm_bindgen::from_value(r.storage_report()).expect("report shape")
}

fn code(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

fn message(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"message".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

fn events(list: &[(&str, f64)]) -> JsValue {
    let a = js_sys::Array::new();
    for (key, ts) in list {
        let o = opts(&format!(r#"{{"key":"{key}","kind":"view","ts":{ts}}}"#));
        a.push(&o);
    }
    a.into()
}

/// Polls (up to 3 s) until `r`'s history has `n` events.
async fn until_len(r: &Recommender, n: usize) -> Vec<String> {
    for _ in 0..60 {
        if keys(r).len() == n {
            break;
        }
        sleep(50).await;
    }
    keys(r)
}

#[wasm_bindgen_test]
async fn refused_or_missing_indexeddb_keeps_history_in_memory_and_says_so() {
    for exception in ["SecurityError", "InvalidStateError", ""] {
        if exception.is_empty() {
            hide_indexed_db();
        } else {
            refuse_open(exception);
        }
        let loaded = load("storage-refused", "").await;
        restore();
        let r = loaded.expect("an engine without persistent storage");
        assert!(!r.persistent(), "{exception}");
        let rep = report(&r);
        assert!(!rep.persistent);
        assert!(rep.reason.contains(exception), "{}", rep.reason);
        record(&r, "item-1").await.expect("records in memory");
        assert_eq!(keys(&r), ["item-1"]);
    }
    let r = load("storage-refused", "").await.unwrap();
    assert!(r.persistent());
    assert_eq!(report(&r).reason, "");
}

#[wasm_bindgen_test]
async fn a_failed_write_is_a_storage_error_and_loses_nothing_stored() {
    delete("storage-quota").await.unwrap();
    let r = load("storage-quota", r#","historyCap":3"#).await.unwrap();
    for k in ["item-1", "item-2", "item-3"] {
        record(&r, k).await.unwrap();
    }
    abort_adds();
    let failed = record(&r, "item-4").await;
    restore();
    assert_eq!(code(&failed.expect_err("the write fails")), "Storage");
    assert_eq!(keys(&r), ["item-1", "item-2", "item-3"]);
    drop(r);
    // The trim of item-1 was in the failed transaction: undone with it.
    let again = load("storage-quota", r#","historyCap":3"#).await.unwrap();
    assert_eq!(keys(&again), ["item-1", "item-2", "item-3"]);
}

#[wasm_bindgen_test]
async fn damaged_records_are_skipped_counted_and_the_rest_kept() {
    delete("storage-damaged").await.unwrap();
    let r = load("storage-damaged", "").await.unwrap();
    record(&r, "item-1").await.unwrap();
    drop(r);
    let bad = js_sys::Array::new();
    bad.push(&"not an event".into());
    bad.push(&opts(r#"{"key":42,"kind":"view","ts":1}"#));
    add_raw("localrank/storage-damaged", bad.into()).await;
    add_raw("localrank/storage-damaged", events(&[("item-2", 5.0)])).await;
    let r = load("storage-damaged", "").await.unwrap();
    assert_eq!(keys(&r), ["item-1", "item-2"]);
    assert_eq!(report(&r).skipped_records, 2);
}

#[wasm_bindgen_test]
async fn a_v1_database_is_migrated_keeping_every_event() {
    let name = "localrank/storage-v1";
    let stored: Vec<(String, f64)> = (0..7)
        .map(|i| (format!("item-{i}"), 1000.0 + i as f64))
        .collect();
    let list: Vec<(&str, f64)> = stored.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let v1 = open_v1(name, events(&list)).await;
    close_db(&v1);
    let r = load("storage-v1", "").await.unwrap();
    let want: Vec<String> = stored.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(keys(&r), want);
    drop(r);
    let inspected: (f64, f64, bool) = serde_wasm_bindgen::from_value(inspect(name).await).unwrap();
    assert_eq!(inspected, (7.0, 2.0, true), "(records, version, ts index)");
}

#[wasm_bindgen_test]
async fn an_open_blocked_by_an_old_connection_fails_with_storage_in_bounded_time() {
    let name = "localrank/storage-blocked";
    let v1 = open_v1(name, events(&[("item-1", 1.0)])).await;
    let t0 = js_sys::Date::now();
    let blocked = load("storage-blocked", "").await;
    let waited = js_sys::Date::now() - t0;
    let e = blocked.err().expect("a blocked open fails");
    assert_eq!(code(&e), "Storage");
    assert!(message(&e).contains("blocked"), "{}", message(&e));
    assert!((2500.0..6000.0).contains(&waited), "waited {waited} ms");
    close_db(&v1);
    // The open that gave up still completes (migrating) once the old connection is gone, and
    // closes what it opened: the next load is not blocked, and the event is there.
    let r = load("storage-blocked", "")
        .await
        .expect("opens once unblocked");
    assert_eq!(keys(&r), ["item-1"]);
}

#[wasm_bindgen_test]
async fn a_deletion_blocked_by_a_foreign_connection_fails_with_storage_in_bounded_time() {
    let name = "localrank/storage-blocked-delete";
    let v1 = open_v1(name, events(&[("item-1", 1.0)])).await;
    let t0 = js_sys::Date::now();
    let e = delete("storage-blocked-delete")
        .await
        .expect_err("a blocked deletion fails");
    let waited = js_sys::Date::now() - t0;
    assert_eq!(code(&e), "Storage");
    assert!((2500.0..6000.0).contains(&waited), "waited {waited} ms");
    close_db(&v1);
    delete("storage-blocked-delete")
        .await
        .expect("deletes once unblocked");
}

#[wasm_bindgen_test]
async fn a_failed_schema_upgrade_is_reported() {
    delete("storage-upgrade").await.unwrap();
    fail_create_index();
    let failed = load("storage-upgrade", "").await;
    restore();
    let e = failed.err().expect("the open fails");
    assert_eq!(code(&e), "Storage");
    assert!(message(&e).contains("events store"), "{}", message(&e));
    let r = load("storage-upgrade", "")
        .await
        .expect("opens once the fault is gone");
    record(&r, "item-1").await.unwrap();
}

#[wasm_bindgen_test]
async fn two_instances_recording_at_once_lose_and_duplicate_nothing_and_see_each_other() {
    delete("storage-tabs").await.unwrap();
    let a = load("storage-tabs", "").await.unwrap();
    let b = load("storage-tabs", "").await.unwrap();
    let mut pending = Vec::new();
    for i in 0..10 {
        pending.push(a.record(format!("item-{i}").into(), None));
        pending.push(b.record(format!("item-{}", 10 + i).into(), None));
    }
    for p in pending {
        JsFuture::from(p).await.unwrap();
    }
    let (ha, hb) = (until_len(&a, 20).await, until_len(&b, 20).await);
    let mut sorted = ha.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 20, "{ha:?}");
    assert_eq!(ha, hb);
    let c = load("storage-tabs", "").await.unwrap();
    assert_eq!(keys(&c), ha, "stored = what each instance shows");
    // b recommends from a's events too: the same as a fresh instance on the same store.
    let top = |r: &Recommender| JsFuture::from(r.recommend(Some(opts(r#"{"k":5}"#).into())));
    assert_eq!(
        js_sys::JSON::stringify(&top(&b).await.unwrap()).unwrap(),
        js_sys::JSON::stringify(&top(&c).await.unwrap()).unwrap()
    );
}

#[wasm_bindgen_test]
async fn delete_stored_history_while_open_the_instance_follows_into_a_fresh_database() {
    delete("storage-forget").await.unwrap();
    let r = load("storage-forget", "").await.unwrap();
    record(&r, "item-1").await.unwrap();
    record(&r, "item-2").await.unwrap();
    delete("storage-forget").await.expect("deletes while open");
    assert!(
        until_len(&r, 0).await.is_empty(),
        "the open instance forgot"
    );
    record(&r, "item-3")
        .await
        .expect("records into a fresh database");
    let again = load("storage-forget", "").await.unwrap();
    assert_eq!(keys(&again), ["item-3"]);
}

#[wasm_bindgen_test]
async fn clear_empties_the_store_and_delete_removes_the_database() {
    let name = "localrank/storage-erase";
    delete("storage-erase").await.unwrap();
    let r = load("storage-erase", "").await.unwrap();
    record(&r, "item-1").await.unwrap();
    JsFuture::from(r.clear_history()).await.unwrap();
    let (n, _, _): (f64, f64, bool) = serde_wasm_bindgen::from_value(inspect(name).await).unwrap();
    assert_eq!(n, 0.0);
    drop(r);
    let names: Vec<String> = serde_wasm_bindgen::from_value(database_names().await).unwrap();
    assert!(names.iter().any(|n| n == name), "{names:?}");
    delete("storage-erase").await.unwrap();
    let names: Vec<String> = serde_wasm_bindgen::from_value(database_names().await).unwrap();
    assert!(!names.iter().any(|n| n == name), "{names:?}");
}

#[wasm_bindgen_test]
async fn retention_days_drops_old_events_at_load_and_on_import() {
    delete("storage-age").await.unwrap();
    let now = js_sys::Date::now();
    let day = 86_400_000.0;
    let r = load("storage-age", "").await.unwrap();
    record(&r, "item-9").await.unwrap();
    drop(r);
    add_raw(
        "localrank/storage-age",
        events(&[("item-1", now - 3.0 * day), ("item-2", now - 0.5 * day)]),
    )
    .await;
    let r = load("storage-age", r#","retentionDays":2"#).await.unwrap();
    assert_eq!(keys(&r), ["item-9", "item-2"]);
    let (n, _, _): (f64, f64, bool) =
        serde_wasm_bindgen::from_value(inspect("localrank/storage-age").await).unwrap();
    assert_eq!(n, 2.0, "the expired record is gone from storage too");
    let doc = format!(
        r#"{{"format":"localrank-history","version":1,"events":[{{"key":"item-3","kind":"view","ts":{}}},{{"key":"item-4","kind":"cart","ts":{now}}}]}}"#,
        now - 5.0 * day
    );
    JsFuture::from(r.import_history(doc.into())).await.unwrap();
    assert_eq!(keys(&r), ["item-4"]);
    let bad = load("storage-age", r#","retentionDays":0"#).await;
    assert_eq!(code(&bad.err().unwrap()), "InvalidArgument");
}

#[wasm_bindgen_test]
async fn request_persistence_reports_the_browsers_answer() {
    let r = load("storage-persist", "").await.unwrap();
    assert_eq!(report(&r).eviction_exempt, None, "not asked");
    let ua = web_sys::window().unwrap().navigator().user_agent().unwrap();
    if ua.contains("Firefox") {
        return; // Firefox asks the shopper: no answer comes in a headless run
    }
    let r = load("storage-persist", r#","requestPersistence":true"#)
        .await
        .unwrap();
    for _ in 0..60 {
        if report(&r).eviction_exempt.is_some() {
            break;
        }
        sleep(50).await;
    }
    let answer = report(&r)
        .eviction_exempt
        .expect("Chromium answers at once");
    assert_eq!(
        Some(answer),
        persisted().await.as_bool(),
        "the report is the browser's state"
    );
}
