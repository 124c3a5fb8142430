//! `similar(key)` and `recommend({explain: true})` in the browser (`wasm-pack test --headless
//! --chrome` / `--firefox`) on the packed default model: k items without the product itself,
//! the same ids from forced WebGPU as from the CPU (Chromium's SwiftShader; Firefox falls back to
//! the CPU), typed errors; reasons name history items, are the same on both backends, and taking
//! the top-named item out of the history lowers the recommended item's score.
#![cfg(target_arch = "wasm32")]

mod common;

use js_sys::Reflect;
use localrank::wasm_api::Recommender;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEFAULT_MODEL: &[u8] = include_bytes!("../www/models/scientific.lrm");
/// Three 3D-printing filaments, a sanding roll and a glue.
const HISTORY: [&str; 5] = [
    "B007X0OICG",
    "B00AA5AIN4",
    "B00AA5AICU",
    "B0000223SI",
    "B0000223UV",
];

#[derive(Deserialize, Debug, Clone, PartialEq)]
struct Because {
    key: String,
    title: String,
    weight: f64,
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
struct Rec {
    key: String,
    score: f32,
    title: String,
    category: String,
    #[serde(default)]
    because: Option<Vec<Because>>,
}

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("test JSON")
}

async fn load(backend: &str, history: &[&str]) -> Recommender {
    let opts = json(&format!(r#"{{"persist":false,"backend":"{backend}"}}"#));
    let r = Recommender::load_async(DEFAULT_MODEL, opts)
        .await
        .expect("model loads");
    for key in history {
        JsFuture::from(r.record((*key).into(), None)).await.unwrap();
    }
    r
}

async fn similar(r: &Recommender, key: &str, options: &str) -> Result<Vec<Rec>, JsValue> {
    let v = JsFuture::from(r.similar(key.into(), Some(json(options).unchecked_into()))).await?;
    Ok(serde_wasm_bindgen::from_value(v).expect("shape"))
}

async fn recommend(r: &Recommender, options: &str) -> Vec<Rec> {
    let v = JsFuture::from(r.recommend(Some(json(options).into())))
        .await
        .expect("recommend");
    serde_wasm_bindgen::from_value(v).expect("shape")
}

fn code(e: &JsValue) -> String {
    Reflect::get(e, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

fn keys(r: &[Rec]) -> Vec<&str> {
    r.iter().map(|x| x.key.as_str()).collect()
}

#[wasm_bindgen_test]
async fn similar_items_exclude_the_item_and_agree_across_backends() {
    let cpu = load("cpu", &[]).await;
    let gpu = load("webgpu", &[]).await;
    assert_eq!(gpu.backend(), common::webgpu_backend());
    for key in HISTORY {
        let c = similar(&cpu, key, r#"{"k":10}"#).await.unwrap();
        assert_eq!(c.len(), 10, "{key}");
        assert!(!keys(&c).contains(&key), "{key} in {:?}", keys(&c));
        let g = similar(&gpu, key, r#"{"k":10}"#).await.unwrap();
        assert_eq!(keys(&g), keys(&c), "{key} on {}", gpu.backend());
        // One item per title unless asked otherwise; the undeduplicated list on both backends.
        let mut titles: Vec<&str> = c.iter().map(|x| x.title.as_str()).collect();
        titles.sort_unstable();
        titles.dedup();
        assert_eq!(titles.len(), c.len(), "{key}: repeated titles");
        let plain = r#"{"k":10,"dedupe":false}"#;
        let (cp, gp) = (
            similar(&cpu, key, plain).await.unwrap(),
            similar(&gpu, key, plain).await.unwrap(),
        );
        assert_eq!((cp.len(), keys(&gp)), (10, keys(&cp)), "{key}");
    }
    // Default k, extra attributes.
    let d = similar(&cpu, HISTORY[0], r#"{"attributes":["title"]}"#)
        .await
        .unwrap();
    assert_eq!(d.len(), 10);
}

#[wasm_bindgen_test]
async fn similar_refuses_bad_input_with_typed_errors() {
    let r = load("cpu", &[]).await;
    let e = similar(&r, "no-such-item", "{}").await.unwrap_err();
    assert_eq!(code(&e), "UnknownItem");
    for bad in [
        r#"{"k":0}"#,
        r#"{"k":"5"}"#,
        r#"{"top":5}"#,
        r#"{"attributes":["nope"]}"#,
        r#"{"filter":{"where":{"nope":1}}}"#,
        r#"{"filter":{"category":5}}"#,
        r#"{"dedupe":1}"#,
        r#"{"dedupe":"nope"}"#,
        "[]",
    ] {
        let e = similar(&r, HISTORY[0], bad).await.unwrap_err();
        assert_eq!(code(&e), "InvalidArgument", "{bad}");
    }
    for key in [JsValue::from(5), JsValue::NULL, JsValue::UNDEFINED] {
        let e = JsFuture::from(r.similar(key, None)).await.unwrap_err();
        assert_eq!(code(&e), "InvalidArgument");
    }
    let e = JsFuture::from(r.recommend(Some(json(r#"{"explain":1}"#).into())))
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgument");
}

#[wasm_bindgen_test]
async fn similar_takes_the_recommend_filter() {
    const CATEGORY: &str = "Additive Manufacturing Products";
    let r = load("cpu", &[]).await;
    let options = format!(r#"{{"k":8,"filter":{{"category":"{CATEGORY}"}}}}"#);
    let got = similar(&r, HISTORY[0], &options).await.unwrap();
    assert_eq!(got.len(), 8);
    assert!(got.iter().all(|x| x.category == CATEGORY), "{got:?}");
    // Excluding the unfiltered list's first item: k still come back, without it.
    let all = similar(&r, HISTORY[0], r#"{"k":8}"#).await.unwrap();
    let options = format!(r#"{{"k":8,"filter":{{"exclude":["{}"]}}}}"#, all[0].key);
    let rest = similar(&r, HISTORY[0], &options).await.unwrap();
    assert_eq!(rest.len(), 8);
    assert!(rest.iter().all(|x| x.key != all[0].key));
    assert_eq!(rest[0].key, all[1].key);
}

/// The score of `key` under `history` (every item ranked, seen ones included).
async fn score_of(history: &[&str], key: &str) -> f32 {
    let r = load("cpu", history).await;
    let all = recommend(&r, r#"{"k":5000,"excludeSeen":false}"#).await;
    all.iter().find(|x| x.key == key).expect("ranked").score
}

#[wasm_bindgen_test]
async fn explanations_name_history_items_and_removing_the_top_one_lowers_the_score() {
    let cpu = load("cpu", &HISTORY).await;
    let gpu = load("webgpu", &HISTORY).await;
    assert_eq!(gpu.backend(), common::webgpu_backend());
    let recs = recommend(&cpu, r#"{"k":10,"explain":true}"#).await;
    let on_gpu = recommend(&gpu, r#"{"k":10,"explain":true}"#).await;
    assert_eq!(keys(&on_gpu), keys(&recs));
    assert_eq!(
        on_gpu.iter().map(|r| &r.because).collect::<Vec<_>>(),
        recs.iter().map(|r| &r.because).collect::<Vec<_>>()
    );
    // Without `explain` there is no `because`.
    assert!(recommend(&cpu, r#"{"k":3}"#)
        .await
        .iter()
        .all(|r| r.because.is_none()));
    let mut explained = 0;
    for r in &recs {
        let because = r.because.as_ref().expect("explain: true adds because");
        assert!(because.len() <= 3);
        for b in because {
            assert!(
                HISTORY.contains(&b.key.as_str()),
                "{} not in history",
                b.key
            );
            assert!(b.weight > 0.0 && b.weight <= 1.0, "{b:?}");
            assert!(!b.title.is_empty());
        }
        let Some(top) = because.first() else { continue };
        explained += 1;
        let without: Vec<&str> = HISTORY.iter().copied().filter(|k| *k != top.key).collect();
        let (before, after) = (
            score_of(&HISTORY, &r.key).await,
            score_of(&without, &r.key).await,
        );
        assert!(
            after < before,
            "{}: {before} → {after} without {}",
            r.key,
            top.key
        );
    }
    assert!(explained >= 5, "{explained}");
}
