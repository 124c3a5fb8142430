//! Filters, live attribute values and store rules in the browser (`wasm-pack test --headless
//! --chrome -- --test web_filters`; Firefox likewise): the JS argument shapes of
//! `recommend({filter})`, `setAttributes` and `setRules`, the typed `LocalrankError`s for unknown
//! attributes and wrong types, live values seen by filters and by `item()`, and with WebGPU the
//! GPU's ids equal to the CPU's under a filter and rules.
#![cfg(target_arch = "wasm32")]

mod common;

use js_sys::{Reflect, JSON};
use localrank::model::{AttrValues, Attribute, Attributes};
use localrank::wasm_api::Recommender;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const N: usize = 300;

/// The synthetic model with `category` "Shop > A<i % 3>", `in_stock` (every third item out)
/// and `price` i / 10.
fn model_bytes() -> Vec<u8> {
    let mut m = common::synthetic_model(N, 8, 7);
    let all = vec![true; N];
    m.extra.attributes = Attributes {
        fields: vec![
            Attribute {
                name: "category".into(),
                present: all.clone(),
                values: AttrValues::Text((0..N).map(|i| format!("Shop > A{}", i % 3)).collect()),
            },
            Attribute {
                name: "in_stock".into(),
                present: all.clone(),
                values: AttrValues::Bool((0..N).map(|i| i % 3 != 0).collect()),
            },
            Attribute {
                name: "price".into(),
                present: all,
                values: AttrValues::Number((0..N).map(|i| i as f64 / 10.0).collect()),
            },
        ],
    };
    m.to_bytes()
}

async fn fresh(namespace: &str, backend: &str) -> Recommender {
    JsFuture::from(Recommender::delete_stored_history(namespace.into()))
        .await
        .expect("delete test database");
    let opts = JSON::parse(&format!(
        r#"{{"namespace":"{namespace}","persist":false,"backend":"{backend}"}}"#
    ))
    .unwrap();
    let r = Recommender::load_async(&model_bytes(), opts)
        .await
        .expect("model loads");
    for key in ["item-4", "item-17", "item-33"] {
        JsFuture::from(r.record(key.into(), None)).await.unwrap();
    }
    r
}

fn js(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or_else(|e| panic!("bad JSON {text}: {e:?}"))
}

async fn recommend(r: &Recommender, options: &str) -> Result<Vec<usize>, JsValue> {
    let out = JsFuture::from(r.recommend(Some(js(options).unchecked_into()))).await?;
    let list: js_sys::Array = out.unchecked_into();
    Ok(list
        .iter()
        .map(|o| {
            let key = Reflect::get(&o, &"key".into())
                .unwrap()
                .as_string()
                .unwrap();
            key.strip_prefix("item-").unwrap().parse().unwrap()
        })
        .collect())
}

fn code(e: &JsValue) -> String {
    Reflect::get(e, &"code".into())
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_filter_returns_k_items_that_pass_it() {
    let r = fresh("web-filters-k", "cpu").await;
    let got = recommend(
        &r,
        r#"{"k":12,"filter":{"category":"Shop > A1","inStock":true,"priceMax":25}}"#,
    )
    .await
    .unwrap();
    assert_eq!(got.len(), 12, "{got:?}");
    assert!(got.iter().all(|i| i % 3 == 1 && *i <= 250), "{got:?}");
    let only = recommend(
        &r,
        r#"{"k":5,"filter":{"include":["item-7","item-8","nope"],"exclude":["item-8"]}}"#,
    )
    .await
    .unwrap();
    assert_eq!(only, [7]);
    let any = recommend(&r, r#"{"k":50,"filter":{"where":{"price":[1.0,2.5]}}}"#)
        .await
        .unwrap();
    let mut any = any;
    any.sort_unstable();
    assert_eq!(any, [10, 25]);
}

#[wasm_bindgen_test]
async fn unknown_attributes_and_wrong_types_reject_with_invalid_argument() {
    let r = fresh("web-filters-errors", "cpu").await;
    for bad in [
        r#"{"filter":{"where":{"colour":"red"}}}"#,
        r#"{"filter":{"where":{"price":"12"}}}"#,
        r#"{"filter":{"inStock":"yes"}}"#,
        r#"{"filter":{"tags":"digital"}}"#,
        r#"{"filter":{"priceMin":5,"priceMax":1}}"#,
        r#"{"filter":{"colour":"red"}}"#,
        r#"{"filter":[]}"#,
    ] {
        let e = recommend(&r, bad).await.expect_err(bad);
        assert_eq!(code(&e), "InvalidArgument", "{bad}");
    }
    for (key, values) in [
        ("item-1", r#"{"price":"cheap"}"#),
        ("item-1", r#"{"colour":"red"}"#),
        ("nope", r#"{"price":1}"#),
        ("item-1", r#"{"price":[1]}"#),
    ] {
        let e = r.set_attributes(key.into(), js(values)).expect_err(values);
        assert_eq!(code(&e), "InvalidArgument", "{values}");
    }
    let e = r
        .set_rules(js(r#"{"pin":[{"key":"nope","position":0}]}"#))
        .expect_err("pin");
    assert_eq!(code(&e), "InvalidArgument");
    let e = r
        .set_rules(js(r#"{"bury":[{"key":"item-1","category":"Shop"}]}"#))
        .expect_err("both");
    assert_eq!(code(&e), "InvalidArgument");
    // Still answering.
    assert_eq!(recommend(&r, r#"{"k":3}"#).await.unwrap().len(), 3);
}

#[wasm_bindgen_test]
async fn live_values_reach_filters_and_items() {
    let r = fresh("web-filters-live", "cpu").await;
    let stocked = r#"{"k":5,"filter":{"inStock":true}}"#;
    let top = recommend(&r, stocked).await.unwrap()[0];
    let key = format!("item-{top}");
    r.set_attributes(
        key.as_str().into(),
        js(r#"{"in_stock":false,"price":99.5}"#),
    )
    .unwrap();
    assert!(!recommend(&r, stocked).await.unwrap().contains(&top));
    let item = r.item(key.as_str().into()).unwrap();
    assert_eq!(
        Reflect::get(&item, &"price".into()).unwrap().as_f64(),
        Some(99.5)
    );
    assert_eq!(
        Reflect::get(&item, &"in_stock".into()).unwrap().as_bool(),
        Some(false)
    );
    r.clear_attribute_overrides();
    assert_eq!(recommend(&r, stocked).await.unwrap()[0], top);
}

#[wasm_bindgen_test]
async fn rules_pin_and_bury() {
    let r = fresh("web-filters-rules", "cpu").await;
    let plain = recommend(&r, r#"{"k":5}"#).await.unwrap();
    let rules = format!(
        r#"{{"pin":[{{"key":"item-200","position":1}}],"bury":[{{"key":"item-{}"}}]}}"#,
        plain[0]
    );
    r.set_rules(js(&rules)).unwrap();
    let got = recommend(&r, r#"{"k":5}"#).await.unwrap();
    assert_eq!(got[1], 200);
    assert!(!got.contains(&plain[0]));
    r.set_rules(js("{}")).unwrap();
    assert_eq!(recommend(&r, r#"{"k":5}"#).await.unwrap(), plain);
}

#[wasm_bindgen_test]
async fn webgpu_returns_the_cpus_ids_under_filters_and_rules() {
    let gpu = fresh("web-filters-gpu", "webgpu").await;
    assert_eq!(gpu.backend(), common::webgpu_backend());
    let cpu = fresh("web-filters-gpu-cpu", "cpu").await;
    let rules = r#"{"pin":[{"key":"item-9","position":2}],"boost":[{"category":"Shop > A2","weight":0.05}],"bury":[{"key":"item-1"}]}"#;
    for r in [&gpu, &cpu] {
        r.set_rules(js(rules)).unwrap();
        r.set_attributes("item-5".into(), js(r#"{"in_stock":false}"#))
            .unwrap();
    }
    for options in [
        r#"{"k":10}"#,
        r#"{"k":10,"filter":{"inStock":true}}"#,
        r#"{"k":40,"filter":{"category":"Shop > A0","priceMin":3}}"#,
    ] {
        let (g, c) = (
            recommend(&gpu, options).await.unwrap(),
            recommend(&cpu, options).await.unwrap(),
        );
        assert_eq!(g, c, "{options}");
    }
}
