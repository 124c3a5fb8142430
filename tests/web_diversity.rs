//! Re-ranking in the browser (`wasm-pack test --headless --chrome` / `--firefox`):
//! `recommend({diversity, dedupe, popularityDamping})` through the JS façade — one item per
//! title by default, grouping by a typed attribute, diversity changing the list, forced WebGPU
//! giving the CPU's ids with these options, and every wrong value an "InvalidArgument".
#![cfg(target_arch = "wasm32")]

mod common;

use std::collections::HashSet;

use js_sys::Reflect;
use localrank::model::{AttrValues, Attribute, Attributes, Metadata};
use localrank::wasm_api::Recommender;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const N: usize = 60;
const DEFAULT_MODEL: &[u8] = include_bytes!("../www/models/scientific.lrm");
const CLICKS: [&str; 3] = ["B0000223SI", "B0000223SK", "B0000223UV"];

/// 60 items, titles `Product {i / 3}` (20 titles of three variants), a numeric `parent` attribute
/// `i % 7`.
fn model_bytes() -> Vec<u8> {
    let mut m = common::synthetic_model(N, 8, 7);
    m.meta = Metadata {
        fields: vec!["title".into(), "category".into()],
        values: (0..N)
            .flat_map(|i| [format!("Product {}", i / 3), format!("cat-{}", i % 4)])
            .collect(),
    };
    m.extra.attributes = Attributes {
        fields: vec![Attribute {
            name: "parent".into(),
            present: vec![true; N],
            values: AttrValues::Number((0..N).map(|i| (i % 7) as f64).collect()),
        }],
    };
    m.to_bytes()
}

async fn load(bytes: &[u8], backend: &str) -> Recommender {
    let opts = js_sys::JSON::parse(&format!(r#"{{"persist":false,"backend":"{backend}"}}"#))
        .expect("options");
    Recommender::load_async(bytes, opts)
        .await
        .expect("model loads")
}

async fn ask(r: &Recommender, json: &str) -> Result<Vec<JsValue>, JsValue> {
    let opts = js_sys::JSON::parse(json).expect("test options are valid JSON");
    let v = JsFuture::from(r.recommend(Some(opts.into()))).await?;
    Ok(js_sys::Array::from(&v).iter().collect())
}

fn field(o: &JsValue, name: &str) -> JsValue {
    Reflect::get(o, &name.into()).unwrap()
}

fn texts(items: &[JsValue], name: &str) -> Vec<String> {
    items
        .iter()
        .map(|o| field(o, name).as_string().unwrap_or_default())
        .collect()
}

fn distinct(xs: &[String]) -> usize {
    xs.iter().collect::<HashSet<_>>().len()
}

#[wasm_bindgen_test]
async fn one_item_per_title_by_default_and_every_title_when_k_allows() {
    let r = load(&model_bytes(), "cpu").await;
    let plain = ask(&r, r#"{"k":30,"dedupe":false}"#).await.unwrap();
    let titles = texts(&plain, "title");
    assert_eq!(titles.len(), 30);
    assert!(
        distinct(&titles) < 30,
        "30 items of 20 titles must repeat one"
    );
    for json in [
        r#"{"k":10}"#,
        r#"{"k":10,"dedupe":true}"#,
        r#"{"k":10,"dedupe":"title"}"#,
    ] {
        let titles = texts(&ask(&r, json).await.unwrap(), "title");
        assert_eq!((titles.len(), distinct(&titles)), (10, 10), "{json}");
    }
    // k above the number of titles: each of the 20 once.
    let all = texts(&ask(&r, r#"{"k":30}"#).await.unwrap(), "title");
    assert_eq!((all.len(), distinct(&all)), (20, 20));
}

#[wasm_bindgen_test]
async fn a_typed_attribute_groups_items() {
    let r = load(&model_bytes(), "cpu").await;
    let items = ask(&r, r#"{"k":10,"dedupe":"parent","attributes":["parent"]}"#)
        .await
        .unwrap();
    let parents: HashSet<u64> = items
        .iter()
        .map(|o| field(o, "parent").as_f64().unwrap() as u64)
        .collect();
    assert_eq!((items.len(), parents.len()), (7, 7));
}

#[wasm_bindgen_test]
async fn diversity_and_damping_change_the_list_and_zero_changes_nothing() {
    let r = load(DEFAULT_MODEL, "cpu").await;
    for key in CLICKS {
        JsFuture::from(r.record(key.into(), None)).await.unwrap();
    }
    let keys = |v: Vec<JsValue>| texts(&v, "key");
    let base = keys(ask(&r, r#"{"k":10}"#).await.unwrap());
    let zero = keys(
        ask(&r, r#"{"k":10,"diversity":0,"popularityDamping":0}"#)
            .await
            .unwrap(),
    );
    assert_eq!(zero, base);
    let diverse = keys(ask(&r, r#"{"k":10,"diversity":0.5}"#).await.unwrap());
    let damped = keys(ask(&r, r#"{"k":10,"popularityDamping":1}"#).await.unwrap());
    assert_eq!(diverse.len(), 10);
    assert_ne!(diverse, base);
    assert_ne!(damped, base);
    for k in CLICKS {
        assert!(!diverse.iter().any(|x| x == k));
    }
}

#[wasm_bindgen_test]
async fn forced_webgpu_gives_the_cpus_ids_with_reranking() {
    let gpu = load(DEFAULT_MODEL, "webgpu").await;
    assert_eq!(gpu.backend(), common::webgpu_backend());
    let cpu = load(DEFAULT_MODEL, "cpu").await;
    for r in [&gpu, &cpu] {
        for key in CLICKS {
            JsFuture::from(r.record(key.into(), None)).await.unwrap();
        }
    }
    web_sys::console::log_1(
        &format!("web_diversity: forced webgpu answers on {}", gpu.backend()).into(),
    );
    for json in [
        r#"{"k":10}"#,
        r#"{"k":10,"diversity":0.3}"#,
        r#"{"k":20,"diversity":0.5,"popularityDamping":0.3}"#,
        r#"{"k":10,"dedupe":false,"popularityDamping":0.1}"#,
    ] {
        let g = texts(&ask(&gpu, json).await.unwrap(), "key");
        let c = texts(&ask(&cpu, json).await.unwrap(), "key");
        assert_eq!(g, c, "{json}");
    }
}

#[wasm_bindgen_test]
async fn wrong_values_are_invalid_arguments() {
    let r = load(&model_bytes(), "cpu").await;
    for json in [
        r#"{"diversity":"high"}"#,
        r#"{"diversity":-0.1}"#,
        r#"{"diversity":1.01}"#,
        r#"{"diversity":true}"#,
        r#"{"diversity":[0.5]}"#,
        r#"{"popularityDamping":2}"#,
        r#"{"popularityDamping":"0.1"}"#,
        r#"{"dedupe":0}"#,
        r#"{"dedupe":["title"]}"#,
        r#"{"dedupe":{}}"#,
        r#"{"dedupe":"no_such_attribute"}"#,
        r#"{"diverse":0.5}"#,
    ] {
        let e = ask(&r, json).await.unwrap_err();
        let code = field(&e, "code").as_string().unwrap_or_default();
        assert_eq!(code, "InvalidArgument", "{json}: {e:?}");
    }
    // NaN and Infinity are no JSON: set them on an object.
    for v in [f64::NAN, f64::INFINITY] {
        let o = js_sys::Object::new();
        Reflect::set(&o, &"diversity".into(), &v.into()).unwrap();
        let e = JsFuture::from(r.recommend(Some(JsValue::from(o).into())))
            .await
            .unwrap_err();
        assert_eq!(
            field(&e, "code").as_string().as_deref(),
            Some("InvalidArgument")
        );
    }
    // null means the default, as for every option.
    assert_eq!(
        ask(&r, r#"{"k":5,"diversity":null,"dedupe":null}"#)
            .await
            .unwrap()
            .len(),
        5
    );
}
