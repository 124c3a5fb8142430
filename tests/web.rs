//! Browser tests (`wasm-pack test --headless --chrome` / `--firefox`): the real façade, real
//! IndexedDB, the packed default model. Each test deletes its own database first.
#![cfg(target_arch = "wasm32")]

mod common;

use std::collections::HashMap;

use localrank::wasm_api::Recommender;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The default demo model, trained and packed by the test command before this suite builds.
const DEFAULT_MODEL: &[u8] = include_bytes!("../www/models/scientific.lrm");

#[derive(Deserialize, Debug, Clone, PartialEq)]
struct Rec {
    key: String,
    score: f32,
    title: String,
    category: String,
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
struct Ev {
    key: String,
    kind: String,
    ts: f64,
}

fn opts(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test options are valid JSON")
}

async fn fresh(namespace: &str, bytes: &[u8]) -> Recommender {
    JsFuture::from(Recommender::delete_stored_history(namespace.into()))
        .await
        .expect("delete test database");
    open(namespace, bytes).await
}

async fn open(namespace: &str, bytes: &[u8]) -> Recommender {
    Recommender::load_async(bytes, opts(&format!(r#"{{"namespace":"{namespace}"}}"#)))
        .await
        .expect("model loads")
}

async fn done(p: js_sys::Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

async fn recs(r: &Recommender, k: usize) -> Vec<Rec> {
    let v = done(r.recommend(Some(opts(&format!(r#"{{"k":{k}}}"#)).into())))
        .await
        .expect("recommend");
    serde_wasm_bindgen::from_value(v).expect("recommendation shape")
}

fn history(r: &Recommender) -> Vec<Ev> {
    serde_wasm_bindgen::from_value(r.history()).expect("event shape")
}

fn error_code(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

/// The suite really runs in the browser the test command asked for (its user agent says so).
#[wasm_bindgen_test]
fn runs_in_the_requested_browser() {
    let ua = web_sys::window()
        .expect("a browser window")
        .navigator()
        .user_agent()
        .expect("user agent");
    web_sys::console::log_1(&format!("browser: {ua}").into());
    if let Some(expected) = option_env!("LOCALRANK_EXPECT_BROWSER") {
        assert!(
            ua.contains(expected),
            "expected {expected}, running in {ua}"
        );
    }
}

#[wasm_bindgen_test]
async fn default_model_recommends_from_clicks_in_the_clicked_category() {
    let r = fresh("web-default", DEFAULT_MODEL).await;
    assert_eq!(r.backend(), "cpu");
    assert_eq!(r.item_count(), 4385);
    let catalog: Vec<HashMap<String, String>> =
        serde_wasm_bindgen::from_value(r.catalog()).unwrap();
    let clicked: Vec<&HashMap<String, String>> = catalog
        .iter()
        .filter(|c| c["category"] == "Additive Manufacturing Products")
        .take(3)
        .collect();
    assert_eq!(clicked.len(), 3);
    let cold = recs(&r, 10).await;
    for c in &clicked {
        done(r.record(c["key"].as_str().into(), Some(JsValue::from("view").into())))
            .await
            .unwrap();
    }
    let warm = recs(&r, 10).await;
    assert_eq!(warm.len(), 10);
    assert_ne!(cold, warm, "clicks must change the recommendations");
    for c in &clicked {
        assert!(warm.iter().all(|w| w.key != c["key"]), "seen item returned");
    }
    let same = warm
        .iter()
        .filter(|w| w.category == "Additive Manufacturing Products")
        .count();
    assert!(
        same >= 6,
        "only {same}/10 share the clicked category: {warm:?}"
    );
    assert!(warm.windows(2).all(|p| p[0].score >= p[1].score));
    assert!(warm.iter().all(|w| !w.title.is_empty()));
}

/// The default model has 4-bit rows: kept packed (`packedRows: true`) or expanded to int8 (the
/// default), the recommendations are the same, score bits included.
#[wasm_bindgen_test]
async fn packed_and_expanded_4_bit_rows_recommend_the_same() {
    let mut answers = Vec::new();
    for packed in [false, true] {
        let ns = format!("web-packed-{packed}");
        JsFuture::from(Recommender::delete_stored_history(ns.as_str().into()))
            .await
            .unwrap();
        let o = opts(&format!(r#"{{"namespace":"{ns}","packedRows":{packed}}}"#));
        let r = Recommender::load_async(DEFAULT_MODEL, o).await.unwrap();
        let catalog: Vec<HashMap<String, String>> =
            serde_wasm_bindgen::from_value(r.catalog()).unwrap();
        for item in catalog.iter().step_by(997).take(3) {
            done(r.record(item["key"].as_str().into(), None))
                .await
                .unwrap();
        }
        answers.push(recs(&r, 50).await);
    }
    assert_eq!(answers[0].len(), 50);
    assert_eq!(answers[0], answers[1]);
    let bad = Recommender::load_async(DEFAULT_MODEL, opts(r#"{"packedRows":"yes"}"#)).await;
    assert_eq!(error_code(&bad.err().unwrap()), "InvalidArgument");
}

#[wasm_bindgen_test]
async fn history_persists_across_instances_on_the_same_database() {
    let a = fresh("web-persist", DEFAULT_MODEL).await;
    let keys = ["B0000223SI", "B0000223SK", "B0000223UV"];
    for k in keys {
        done(a.record(k.into(), Some(JsValue::from("cart").into())))
            .await
            .unwrap();
    }
    let before = recs(&a, 20).await;
    drop(a);
    let b = open("web-persist", DEFAULT_MODEL).await;
    let h = history(&b);
    assert_eq!(
        h.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
        keys.to_vec()
    );
    assert!(h.iter().all(|e| e.kind == "cart" && e.ts > 0.0));
    assert_eq!(recs(&b, 20).await, before);
}

#[wasm_bindgen_test]
async fn clear_history_removes_stored_events() {
    let a = fresh("web-clear", DEFAULT_MODEL).await;
    done(a.record("B0000223SI".into(), None)).await.unwrap();
    done(a.clear_history()).await.unwrap();
    assert!(history(&a).is_empty());
    drop(a);
    let b = open("web-clear", DEFAULT_MODEL).await;
    assert!(history(&b).is_empty());
}

#[wasm_bindgen_test]
async fn cap_keeps_the_newest_events_in_storage() {
    let model = common::synthetic_model(50, 8, 7).to_bytes();
    JsFuture::from(Recommender::delete_stored_history("web-cap".into()))
        .await
        .unwrap();
    let o = opts(r#"{"namespace":"web-cap","historyCap":3}"#);
    let a = Recommender::load_async(&model, o.clone()).await.unwrap();
    for i in 0..5 {
        done(a.record(format!("item-{i}").into(), None))
            .await
            .unwrap();
    }
    drop(a);
    let b = Recommender::load_async(&model, o).await.unwrap();
    let keys: Vec<String> = history(&b).into_iter().map(|e| e.key).collect();
    assert_eq!(keys, ["item-2", "item-3", "item-4"]);
}

#[wasm_bindgen_test]
async fn records_fired_without_awaiting_are_all_stored_in_order() {
    let model = common::synthetic_model(50, 8, 9).to_bytes();
    let a = fresh("web-burst", &model).await;
    let promises: Vec<_> = (0..10)
        .map(|i| a.record(format!("item-{i}").into(), None))
        .collect();
    for p in promises {
        done(p).await.unwrap();
    }
    drop(a);
    let b = open("web-burst", &model).await;
    let keys: Vec<String> = history(&b).into_iter().map(|e| e.key).collect();
    let want: Vec<String> = (0..10).map(|i| format!("item-{i}")).collect();
    assert_eq!(keys, want);
}

#[wasm_bindgen_test]
async fn export_then_import_round_trips_and_survives_reload() {
    let model = common::synthetic_model(50, 8, 11).to_bytes();
    let a = fresh("web-export", &model).await;
    for i in [3, 1, 4] {
        done(a.record(
            format!("item-{i}").into(),
            Some(JsValue::from("purchase").into()),
        ))
        .await
        .unwrap();
    }
    let doc = a.export_history();
    done(a.clear_history()).await.unwrap();
    // As a parsed object this time; a string works too (tested below).
    done(a.import_history(js_sys::JSON::parse(&doc).unwrap()))
        .await
        .unwrap();
    assert_eq!(a.export_history(), doc);
    drop(a);
    let b = open("web-export", &model).await;
    assert_eq!(b.export_history(), doc);
}

#[wasm_bindgen_test]
async fn malformed_import_is_rejected_and_history_is_untouched() {
    let model = common::synthetic_model(50, 8, 13).to_bytes();
    let a = fresh("web-badimport", &model).await;
    done(a.record("item-1".into(), None)).await.unwrap();
    let before = a.export_history();
    for bad in [
        "not json",
        r#"{"format":"localrank-history","version":2,"events":[]}"#,
        r#"{"format":"other","version":1,"events":[]}"#,
        r#"{"format":"localrank-history","version":1,"events":[{"key":"","kind":"view","ts":1}]}"#,
        r#"{"format":"localrank-history","version":1,"events":[{"key":"a","kind":"like","ts":1}]}"#,
        r#"{"format":"localrank-history","version":1,"events":[{"key":"a","kind":"view","ts":"1"}]}"#,
        r#"{"format":"localrank-history","version":1,"events":[{"key":"a","kind":"view","ts":-1}]}"#,
        r#"{"format":"localrank-history","version":1,"events":[{"key":7,"kind":"view","ts":1}]}"#,
        r#"{"format":"localrank-history","version":1,"events":[null]}"#,
        r#"{"format":"localrank-history","version":1,"events":{}}"#,
        r#"{"format":"localrank-history","version":1.5,"events":[]}"#,
        r#"{"format":"localrank-history","version":1,"events":[],"extra":true}"#,
        r#"{"version":1,"events":[]}"#,
        r#"[{"format":"localrank-history","version":1,"events":[]}]"#,
        "42",
        "",
    ] {
        let err = done(a.import_history(bad.into())).await.unwrap_err();
        assert_eq!(error_code(&err), "InvalidHistory", "{bad}");
        assert_eq!(a.export_history(), before);
    }
    // An array claiming 2³² − 1 (empty) slots is refused on its length, before any copy.
    let huge = opts(r#"{"format":"localrank-history","version":1,"events":[]}"#);
    let slots = js_sys::Array::new();
    slots.set_length(u32::MAX);
    js_sys::Reflect::set(&huge, &"events".into(), &slots).unwrap();
    // Neither a string nor an object, and an object that is not a document.
    for bad in [
        JsValue::from(5),
        JsValue::NULL,
        opts(r#"{"events":[]}"#),
        huge,
    ] {
        let err = done(a.import_history(bad)).await.unwrap_err();
        assert_eq!(error_code(&err), "InvalidHistory");
    }
    assert_eq!(a.export_history(), before);
    drop(a);
    let b = open("web-badimport", &model).await;
    assert_eq!(b.export_history(), before);
}

/// The export is the documented JSON: tag, version, events with integer timestamps as JS
/// writes them; importing the parsed object works like importing the text.
#[wasm_bindgen_test]
async fn export_is_the_documented_json_and_objects_import_too() {
    let model = common::synthetic_model(50, 8, 14).to_bytes();
    let a = fresh("web-exportshape", &model).await;
    let doc = r#"{"format":"localrank-history","version":1,"events":[{"key":"item-3","kind":"cart","ts":1732540000000},{"key":"not-in-model","kind":"view","ts":1732540000001.5}]}"#;
    done(a.import_history(opts(doc))).await.unwrap();
    assert_eq!(a.export_history(), doc);
    // A field set to `undefined` is absent, as in `JSON.stringify`.
    let with_undefined = opts(doc);
    js_sys::Reflect::set(&with_undefined, &"note".into(), &JsValue::UNDEFINED).unwrap();
    done(a.import_history(with_undefined)).await.unwrap();
    let events = history(&a);
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].ts, 1732540000001.5);
    assert_eq!(events[0].kind, "cart");
}

#[wasm_bindgen_test]
async fn unknown_keys_are_kept_but_do_not_change_scores() {
    let model = common::synthetic_model(50, 8, 17).to_bytes();
    let a = fresh("web-unknown", &model).await;
    let cold = recs(&a, 10).await;
    done(a.record("not-in-this-model".into(), None))
        .await
        .unwrap();
    assert_eq!(history(&a).len(), 1);
    assert_eq!(recs(&a, 10).await, cold);
}

#[wasm_bindgen_test]
async fn bad_model_bytes_and_bad_arguments_are_typed_errors() {
    let model = DEFAULT_MODEL;
    let mut corrupt = model.to_vec();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0x55;
    for (bytes, code) in [
        (&model[..model.len() / 3], "Truncated"),
        (&corrupt[..], "ChecksumMismatch"),
        (&b"PK\x03\x04 definitely not a model"[..], "BadMagic"),
    ] {
        let err = match Recommender::load_async(bytes, JsValue::UNDEFINED).await {
            Ok(_) => panic!("{code}: bad bytes accepted"),
            Err(e) => e,
        };
        assert_eq!(error_code(&err), code);
        let msg: String = err.unchecked_into::<js_sys::Error>().message().into();
        assert!(!msg.is_empty());
    }
    let r = fresh("web-args", model).await;
    let err = done(r.record("B0000223SI".into(), Some(JsValue::from("like").into())))
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidArgument");
    let err = done(r.recommend(Some(opts(r#"{"k":0}"#).into())))
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidArgument");
    for bad in [
        r#"{"top":5}"#,
        r#"{"k":2.5}"#,
        r#"{"k":-1}"#,
        r#"{"k":"10"}"#,
        r#"{"excludeSeen":"no"}"#,
        r#"[10]"#,
    ] {
        let err = done(r.recommend(Some(opts(bad).into()))).await.unwrap_err();
        assert_eq!(error_code(&err), "InvalidArgument", "{bad}");
    }
    // null fields mean the default.
    assert_eq!(
        done(r.recommend(Some(opts(r#"{"k":null}"#).into())))
            .await
            .map(|v| js_sys::Array::from(&v).length())
            .unwrap(),
        10
    );
    for bad in [
        r#"{"historyCap":"500"}"#,
        r#"{"historyCap":0.5}"#,
        r#"{"persist":1}"#,
        r#"{"backend":5}"#,
        r#"{"namespace":["a"]}"#,
        r#"{"packedRows":null,"colour":"red"}"#,
        r#"{"retentionDays":"30"}"#,
        r#"{"retentionDays":-1}"#,
        r#"{"retentionDays":1.5}"#,
        r#"{"requestPersistence":"yes"}"#,
        r#"{"sha256":42}"#,
        r#"7"#,
    ] {
        let err = match Recommender::load_async(model, opts(bad)).await {
            Ok(_) => panic!("{bad}: accepted"),
            Err(e) => e,
        };
        assert_eq!(error_code(&err), "InvalidArgument", "{bad}");
    }
}

#[wasm_bindgen_test]
async fn history_survives_a_model_update() {
    let old = common::synthetic_model(50, 8, 21).to_bytes();
    let a = fresh("web-update", &old).await;
    for key in ["item-3", "item-42"] {
        done(a.record(key.into(), None)).await.unwrap();
    }
    let doc = a.export_history();
    drop(a);
    // The store ships a new model: other dimension, fewer items (item-42 is gone).
    let new = common::synthetic_model(40, 16, 22).to_bytes();
    let b = open("web-update", &new).await;
    assert_eq!(b.export_history(), doc, "history is kept across models");
    assert_eq!(b.dim(), 16);
    let top = recs(&b, 40).await;
    assert_eq!(top.len(), 39, "only the known item-3 is excluded as seen");
    assert!(top.iter().all(|r| r.key != "item-3"));
}

/// `isLocalrankError` recognises the package's errors (the `.d.ts` type guard) and nothing else.
#[wasm_bindgen_test]
async fn is_localrank_error_recognises_only_the_packages_errors() {
    use localrank::wasm_api::is_localrank_error;
    let err = match Recommender::load_async(b"not a model", JsValue::UNDEFINED).await {
        Ok(_) => panic!("bad bytes accepted"),
        Err(e) => e,
    };
    assert!(is_localrank_error(&err));
    assert_eq!(error_code(&err), "BadMagic");
    assert!(localrank::error::CODES.contains(&error_code(&err).as_str()));
    let plain: JsValue = js_sys::Error::new("other").into();
    assert!(!is_localrank_error(&plain));
    let named = js_sys::Error::new("named, no code");
    named.set_name("LocalrankError");
    assert!(!is_localrank_error(&named.into()));
    for other in [
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::from("LocalrankError"),
        opts(r#"{"name":"LocalrankError","code":"Storage"}"#),
    ] {
        assert!(!is_localrank_error(&other));
    }
}

fn string_array(items: &[&str]) -> localrank::wasm_api::JsStringArray {
    let a: js_sys::Array = items.iter().map(|s| JsValue::from_str(s)).collect();
    JsValue::from(a).unchecked_into()
}

#[wasm_bindgen_test]
async fn items_pages_through_the_catalog_and_item_finds_one_with_every_attribute() {
    let r = fresh("web-items", DEFAULT_MODEL).await;
    let n = r.item_count();
    let catalog: Vec<HashMap<String, String>> =
        serde_wasm_bindgen::from_value(r.catalog()).unwrap();
    assert_eq!(catalog.len(), n);
    let page = |offset: usize, count: usize| -> Vec<HashMap<String, String>> {
        serde_wasm_bindgen::from_value(
            r.items((offset as u32).into(), (count as u32).into(), None)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(page(0, 10), catalog[..10]);
    assert_eq!(page(1000, 250), catalog[1000..1250]);
    assert_eq!(page(n - 3, 10), catalog[n - 3..]);
    assert!(page(n + 5, 10).is_empty());
    let first = &catalog[0];
    let mut fields: Vec<&str> = first.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["category", "key", "title"]);

    let with_brand: Vec<HashMap<String, String>> = serde_wasm_bindgen::from_value(
        r.items(0.into(), 5.into(), Some(string_array(&["brand"])))
            .unwrap(),
    )
    .unwrap();
    assert!(with_brand.iter().all(|i| i.contains_key("brand")));
    let bad = r.items(0.into(), 5.into(), Some(string_array(&["colour"])));
    assert_eq!(error_code(&bad.err().unwrap()), "InvalidArgument");

    let one: HashMap<String, serde_json::Value> =
        serde_wasm_bindgen::from_value(r.item(first["key"].as_str().into()).unwrap()).unwrap();
    assert_eq!(one["key"], first["key"].as_str());
    assert_eq!(one["title"], first["title"].as_str());
    assert!(one["brand"].is_string(), "every attribute: {one:?}");
    // The demo model declares `in_stock`, true for every item (the data has no stock levels).
    assert_eq!(one["in_stock"], true, "every attribute: {one:?}");
    assert!(r.item("no-such-key".into()).unwrap().is_undefined());
}

#[wasm_bindgen_test]
async fn recommend_returns_requested_attributes_and_refuses_unknown_ones() {
    let r = fresh("web-attributes", DEFAULT_MODEL).await;
    done(r.record("B0000223SI".into(), None)).await.unwrap();
    let o = opts(r#"{"k":5,"attributes":["brand"]}"#);
    let v = done(r.recommend(Some(o.into()))).await.unwrap();
    let got: Vec<HashMap<String, serde_json::Value>> = serde_wasm_bindgen::from_value(v).unwrap();
    let plain = recs(&r, 5).await;
    assert_eq!(got.len(), 5);
    for (g, p) in got.iter().zip(&plain) {
        assert_eq!(g["key"], p.key.as_str());
        assert_eq!(g["score"].as_f64(), Some(f64::from(p.score)));
        assert!(g["brand"].is_string(), "{g:?}");
    }
    let o = opts(r#"{"attributes":["colour"]}"#);
    let err = done(r.recommend(Some(o.into()))).await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidArgument");
}

#[wasm_bindgen_test]
async fn reload_history_picks_up_events_another_instance_recorded() {
    let a = fresh("web-reload", DEFAULT_MODEL).await;
    let b = open("web-reload", DEFAULT_MODEL).await;
    for k in ["B0000223SI", "B0000223SK", "B0000223UV"] {
        done(a.record(k.into(), None)).await.unwrap();
    }
    let events =
        |r: &Recommender| -> Vec<Ev> { serde_wasm_bindgen::from_value(r.history()).unwrap() };
    // b may already have followed by itself (a's BroadcastChannel notices, tests/web_storage.rs);
    // reloadHistory reads the store whether or not it has.
    assert!(events(&b).len() <= 3);
    done(b.reload_history()).await.unwrap();
    assert_eq!(events(&a).len(), 3);
    assert_eq!(events(&b), events(&a));
    assert_eq!(recs(&b, 10).await, recs(&a, 10).await);
}
