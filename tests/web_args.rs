//! The JS boundary under wrong argument types (callers without TypeScript exist): every public
//! method is called **through the package's JS glue** (as a page calls it) with numbers, null,
//! undefined, objects, arrays, NaN, negative and non-finite numbers, huge strings, symbols,
//! BigInts and functions in each argument position. Each call must either succeed (where the
//! value is a valid argument, e.g. `undefined` options) or throw / reject with a `LocalrankError`
//! whose `code` is the documented one — never a WebAssembly trap (`RuntimeError`), a bare
//! `TypeError` or a hang — and the instance must still answer afterwards.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise, Reflect};
use localrank::wasm_api::{is_localrank_error, Recommender};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEFAULT_MODEL: &[u8] = include_bytes!("../www/models/scientific.lrm");
const KEY: &str = "B0000223SI";

/// The wrong values tried in each position, with a label for failure messages.
fn wrong_values() -> Vec<(&'static str, JsValue)> {
    let huge = "x".repeat(4 << 20);
    vec![
        ("42", JsValue::from(42)),
        ("null", JsValue::NULL),
        ("undefined", JsValue::UNDEFINED),
        ("{}", js_sys::Object::new().into()),
        ("[]", Array::new().into()),
        ("true", JsValue::TRUE),
        ("NaN", JsValue::from(f64::NAN)),
        ("-1", JsValue::from(-1)),
        ("Infinity", JsValue::from(f64::INFINITY)),
        ("4 MiB string", JsValue::from(huge)),
        ("Symbol", js_sys::Symbol::for_("localrank-test").into()),
        ("BigInt", js_sys::BigInt::from(7u32).into()),
        ("function", Function::new_no_args("return 1").into()),
    ]
}

/// Calls `target[method](...args)` through JS and awaits a returned promise.
async fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    let out = f.apply(target, &args.iter().collect::<Array>())?;
    match out.dyn_into::<Promise>() {
        Ok(p) => JsFuture::from(p).await,
        Err(value) => Ok(value),
    }
}

fn describe(e: &JsValue) -> String {
    let name = Reflect::get(e, &"name".into())
        .ok()
        .and_then(|v| v.as_string());
    let msg = Reflect::get(e, &"message".into())
        .ok()
        .and_then(|v| v.as_string());
    format!("{name:?}: {msg:?}")
}

fn code(e: &JsValue) -> String {
    Reflect::get(e, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

/// A call's outcome is acceptable: success when `ok_when(label)`, else a LocalrankError with
/// one of `codes`.
fn check(what: &str, label: &str, out: Result<JsValue, JsValue>, ok: bool, codes: &[&str]) {
    match out {
        Ok(_) if ok => {}
        Ok(_) => panic!("{what} with {label}: accepted, expected {codes:?}"),
        Err(e) => {
            assert!(
                is_localrank_error(&e),
                "{what} with {label}: not a LocalrankError but {}",
                describe(&e)
            );
            assert!(
                codes.contains(&code(&e).as_str()),
                "{what} with {label}: code {} ({}), expected {codes:?}",
                code(&e),
                describe(&e)
            );
        }
    }
}

/// Options arguments that mean "all defaults".
fn defaults(label: &str) -> bool {
    matches!(label, "undefined" | "null" | "{}")
}

async fn instance(namespace: &str) -> JsValue {
    JsFuture::from(Recommender::delete_stored_history(namespace.into()))
        .await
        .expect("delete test database");
    let opts = js_sys::JSON::parse(&format!(r#"{{"namespace":"{namespace}","backend":"cpu"}}"#))
        .expect("options");
    Recommender::load_async(DEFAULT_MODEL, opts)
        .await
        .expect("model loads")
        .into()
}

/// The instance still records and recommends after the bad calls.
async fn still_works(rec: &JsValue) {
    call(rec, "record", &[KEY.into()]).await.expect("record");
    let recs = call(rec, "recommend", &[]).await.expect("recommend");
    assert!(Array::from(&recs).length() > 0);
}

#[wasm_bindgen_test]
async fn load_refuses_wrong_bytes_and_options_with_invalid_argument() {
    let rec = instance("web-args-load").await;
    let class = Reflect::get(&rec, &"constructor".into()).expect("class");
    let bytes: JsValue = js_sys::Uint8Array::from(DEFAULT_MODEL).into();
    for (label, v) in wrong_values() {
        let out = call(&class, "load", std::slice::from_ref(&v)).await;
        check("load(bytes)", label, out, false, &["InvalidArgument"]);
        let out = call(&class, "load", &[bytes.clone(), v]).await;
        check(
            "load(model, options)",
            label,
            out,
            defaults(label),
            &["InvalidArgument"],
        );
    }
    still_works(&rec).await;
}

#[wasm_bindgen_test]
async fn record_refuses_wrong_keys_and_kinds_with_invalid_argument() {
    let rec = instance("web-args-record").await;
    for (label, v) in wrong_values() {
        let out = call(&rec, "record", std::slice::from_ref(&v)).await;
        check("record(key)", label, out, false, &["InvalidArgument"]);
        let out = call(&rec, "record", &[KEY.into(), v.clone()]).await;
        // An absent kind (undefined or null) means "view".
        let absent = v.is_undefined() || v.is_null();
        check(
            "record(key, kind)",
            label,
            out,
            absent,
            &["InvalidArgument"],
        );
    }
    still_works(&rec).await;
}

#[wasm_bindgen_test]
async fn recommend_and_import_refuse_wrong_arguments() {
    let rec = instance("web-args-query").await;
    for (label, v) in wrong_values() {
        let out = call(&rec, "recommend", std::slice::from_ref(&v)).await;
        check(
            "recommend(options)",
            label,
            out,
            defaults(label),
            &["InvalidArgument"],
        );
        let out = call(&rec, "importHistory", std::slice::from_ref(&v)).await;
        // A wrong JS type is an InvalidArgument; `{}`/`[]`/a huge string are documents that do
        // not validate (InvalidHistory). Either way the history is untouched (checked below).
        check(
            "importHistory(doc)",
            label,
            out,
            false,
            &["InvalidArgument", "InvalidHistory"],
        );
    }
    let events = call(&rec, "history", &[]).await.expect("history");
    assert_eq!(Array::from(&events).length(), 0, "history changed");
    still_works(&rec).await;
}

#[wasm_bindgen_test]
async fn delete_stored_history_refuses_wrong_namespaces() {
    let rec = instance("web-args-delete").await;
    let class = Reflect::get(&rec, &"constructor".into()).expect("class");
    for (label, v) in wrong_values() {
        let out = call(&class, "deleteStoredHistory", &[v]).await;
        check(
            "deleteStoredHistory(ns)",
            label,
            out,
            false,
            &["InvalidArgument"],
        );
    }
    still_works(&rec).await;
}

#[wasm_bindgen_test]
async fn catalogue_lookups_refuse_wrong_offsets_counts_and_keys() {
    let rec = instance("web-args-items").await;
    for (label, v) in wrong_values() {
        let out = call(&rec, "items", &[v.clone(), 5.into()]).await;
        // 42 is a valid offset and count (past the end: fewer or no items).
        let number = label == "42";
        check("items(offset)", label, out, number, &["InvalidArgument"]);
        let out = call(&rec, "items", &[0.into(), v.clone()]).await;
        check(
            "items(offset, count)",
            label,
            out,
            number,
            &["InvalidArgument"],
        );
        // No attributes: absent, or an empty list.
        let absent = v.is_undefined() || v.is_null() || label == "[]";
        let out = call(&rec, "items", &[0.into(), 5.into(), v.clone()]).await;
        check(
            "items(offset, count, attributes)",
            label,
            out,
            absent,
            &["InvalidArgument"],
        );
        let out = call(&rec, "item", std::slice::from_ref(&v)).await;
        // A string the model does not know (the huge one) is `undefined`, not an error.
        let string = v.is_string();
        check("item(key)", label, out, string, &["InvalidArgument"]);
    }
    let page = call(&rec, "items", &[2.into(), 3.into()])
        .await
        .expect("items");
    assert_eq!(Array::from(&page).length(), 3);
    still_works(&rec).await;
}
