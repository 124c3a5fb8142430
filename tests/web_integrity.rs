//! Browser tests of model integrity (`wasm-pack test --headless --chrome -- --test
//! web_integrity`): `load(bytes, {sha256})` checks the bytes with the browser's SHA-256 before
//! anything else; a wrong or malformed digest opens no IndexedDB database (counted by wrapping
//! `IDBFactory.prototype.open`, undone before each test returns) and leaves stored history alone.
#![cfg(target_arch = "wasm32")]

use localrank::wasm_api::Recommender;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEFAULT_MODEL: &[u8] = include_bytes!("../www/models/scientific.lrm");

#[wasm_bindgen(inline_js = r#"
let saved = null;
export function countOpens() {
  saved = IDBFactory.prototype.open;
  globalThis.__localrankOpens = 0;
  IDBFactory.prototype.open = function (...args) { globalThis.__localrankOpens++; return saved.apply(this, args); };
}
export function opensAndRestore() {
  if (saved) IDBFactory.prototype.open = saved;
  saved = null;
  return globalThis.__localrankOpens;
}
let savedSubtle = null;
/** Hides `crypto.subtle`, as an insecure (plain-http) page has none. */
export function hideSubtle() {
  savedSubtle = Object.getOwnPropertyDescriptor(Crypto.prototype, "subtle");
  Object.defineProperty(Crypto.prototype, "subtle", { get() { return undefined; }, configurable: true });
}
export function restoreSubtle() {
  if (savedSubtle) Object.defineProperty(Crypto.prototype, "subtle", savedSubtle);
  savedSubtle = null;
}
export async function sha256Hex(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}
/** Median ms of `runs` SHA-256 digests of `bytes`. */
export async function digestMs(bytes, runs) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await crypto.subtle.digest("SHA-256", bytes);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(runs / 2)];
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = countOpens)]
    fn count_opens();
    #[wasm_bindgen(js_name = opensAndRestore)]
    fn opens_and_restore() -> u32;
    #[wasm_bindgen(js_name = hideSubtle)]
    fn hide_subtle();
    #[wasm_bindgen(js_name = restoreSubtle)]
    fn restore_subtle();
    #[wasm_bindgen(js_name = sha256Hex)]
    async fn sha256_hex(bytes: &[u8]) -> JsValue;
    #[wasm_bindgen(js_name = digestMs)]
    async fn digest_ms(bytes: &[u8], runs: u32) -> JsValue;
}

fn opts(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test options are valid JSON")
}

fn error_code(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

fn message(e: &JsValue) -> String {
    e.unchecked_ref::<js_sys::Error>().message().into()
}

fn model_id(r: &Recommender) -> String {
    let report = r.backend_report().expect("backendReport");
    js_sys::Reflect::get(&report, &"modelId".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

async fn events(r: &Recommender) -> Vec<String> {
    js_sys::Array::from(&r.history())
        .iter()
        .map(|e| {
            js_sys::Reflect::get(&e, &"key".into())
                .ok()
                .and_then(|k| k.as_string())
                .unwrap_or_default()
        })
        .collect()
}

async fn model_digest() -> String {
    sha256_hex(DEFAULT_MODEL).await.as_string().expect("hex")
}

#[wasm_bindgen_test]
async fn the_right_sha256_loads_and_backend_report_shows_its_id() {
    let digest = model_digest().await;
    assert_eq!(digest.len(), 64);
    for given in [digest.clone(), digest.to_ascii_uppercase()] {
        let o = opts(&format!(r#"{{"persist":false,"sha256":"{given}"}}"#));
        let r = Recommender::load_async(DEFAULT_MODEL, o)
            .await
            .expect("the right digest loads");
        assert_eq!(model_id(&r), format!("sha256:{}", &digest[..16]));
        assert!(r.item_count() > 0);
    }
    // Without `sha256` nothing is hashed: the id is the header's CRC-32 (bytes 24..28, LE).
    let r = Recommender::load_async(DEFAULT_MODEL, opts(r#"{"persist":false}"#))
        .await
        .expect("loads");
    let crc = u32::from_le_bytes([
        DEFAULT_MODEL[24],
        DEFAULT_MODEL[25],
        DEFAULT_MODEL[26],
        DEFAULT_MODEL[27],
    ]);
    assert_eq!(model_id(&r), format!("crc32:{crc:08x}"));
}

#[wasm_bindgen_test]
async fn a_wrong_sha256_is_integrity_mismatch_and_opens_no_stored_history() {
    let ns = "web-integrity";
    JsFuture::from(Recommender::delete_stored_history(ns.into()))
        .await
        .expect("delete test database");
    let o = || opts(&format!(r#"{{"namespace":"{ns}"}}"#));
    let r = Recommender::load_async(DEFAULT_MODEL, o())
        .await
        .expect("loads");
    for key in ["B0000223SI", "unknown-key"] {
        JsFuture::from(r.record(key.into(), None))
            .await
            .expect("record");
    }
    drop(r);
    let digest = model_digest().await;
    let wrong = format!(
        "{}{}",
        &digest[..63],
        if digest.ends_with('0') { '1' } else { '0' }
    );
    count_opens();
    let o_wrong = opts(&format!(r#"{{"namespace":"{ns}","sha256":"{wrong}"}}"#));
    let result = Recommender::load_async(DEFAULT_MODEL, o_wrong).await;
    let opens = opens_and_restore();
    let err = match result {
        Ok(_) => panic!("a wrong digest was accepted"),
        Err(e) => e,
    };
    assert_eq!(error_code(&err), "IntegrityMismatch");
    let msg = message(&err);
    assert!(msg.contains(&wrong) && msg.contains(&digest), "{msg}");
    assert_eq!(
        opens, 0,
        "IndexedDB was opened for a model that failed its check"
    );
    // Bytes that are not the trusted model (one byte changed) fail the same way, whatever they are.
    let mut other = DEFAULT_MODEL.to_vec();
    other[100] ^= 1;
    let o_other = opts(&format!(r#"{{"namespace":"{ns}","sha256":"{digest}"}}"#));
    let err = match Recommender::load_async(&other, o_other).await {
        Ok(_) => panic!("changed bytes were accepted"),
        Err(e) => e,
    };
    assert_eq!(error_code(&err), "IntegrityMismatch");
    // The namespace's stored history is as it was.
    let again = Recommender::load_async(DEFAULT_MODEL, o())
        .await
        .expect("loads");
    assert_eq!(events(&again).await, ["B0000223SI", "unknown-key"]);
}

#[wasm_bindgen_test]
async fn a_malformed_sha256_is_invalid_argument_before_storage() {
    let digest = model_digest().await;
    let bad = [
        r#""abc""#.to_string(),
        format!(r#""{}""#, &digest[..63]),
        format!(r#""{digest}0""#),
        format!(r#""{}g""#, &digest[..63]),
        format!(r#""sha256-{}""#, &digest[..57]),
        "42".into(),
        "true".into(),
        "[]".into(),
    ];
    for value in bad {
        count_opens();
        let o = opts(&format!(
            r#"{{"namespace":"web-integrity-bad","sha256":{value}}}"#
        ));
        let result = Recommender::load_async(DEFAULT_MODEL, o).await;
        let opens = opens_and_restore();
        let err = match result {
            Ok(_) => panic!("{value}: accepted"),
            Err(e) => e,
        };
        assert_eq!(error_code(&err), "InvalidArgument", "{value}");
        assert!(message(&err).contains("sha256"), "{value}");
        assert_eq!(opens, 0, "{value}");
    }
}

#[wasm_bindgen_test]
async fn without_crypto_subtle_a_requested_check_is_integrity_unavailable() {
    let digest = model_digest().await;
    hide_subtle();
    count_opens();
    let o = opts(&format!(
        r#"{{"namespace":"web-integrity-insecure","sha256":"{digest}"}}"#
    ));
    let checked = Recommender::load_async(DEFAULT_MODEL, o).await;
    let opens = opens_and_restore();
    let unchecked = Recommender::load_async(DEFAULT_MODEL, opts(r#"{"persist":false}"#)).await;
    restore_subtle();
    let err = match checked {
        Ok(_) => panic!("loaded without verifying"),
        Err(e) => e,
    };
    assert_eq!(error_code(&err), "IntegrityUnavailable");
    assert!(message(&err).contains("crypto.subtle"), "{}", message(&err));
    assert_eq!(opens, 0);
    // Without `sha256` a page without `crypto.subtle` loads as before.
    assert!(unchecked.is_ok());
}

/// The measurement behind computing SHA-256 only when `sha256` is given (docs/RELIABILITY.md):
/// printed, not asserted (timings vary with the machine's load).
#[wasm_bindgen_test]
async fn sha256_of_the_default_model_costs_this_much() {
    let ms = digest_ms(DEFAULT_MODEL, 9)
        .await
        .as_f64()
        .unwrap_or(f64::NAN);
    let big = DEFAULT_MODEL.repeat(16);
    let big_ms = digest_ms(&big, 3).await.as_f64().unwrap_or(f64::NAN);
    web_sys::console::log_1(
        &format!(
            "SHA-256 median: {} bytes {ms:.2} ms; {} bytes {big_ms:.1} ms",
            DEFAULT_MODEL.len(),
            big.len()
        )
        .into(),
    );
    assert!(ms.is_finite() && big_ms.is_finite());
}
