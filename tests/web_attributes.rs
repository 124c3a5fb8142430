//! Typed catalogue attributes in the browser (`wasm-pack test --headless --chrome` /
//! `--firefox`): a model written in the test with an `ATTR` section (numbers, booleans, text, some
//! values absent, one name shadowed by `META`) and the values `recommend`, `items`, `item` and
//! `attributes()` hand to JS — JS numbers, JS booleans, strings, and absent values left out
//! rather than shown as `""`, `0` or `false`.
#![cfg(target_arch = "wasm32")]

mod common;

use js_sys::{Array, Reflect};
use localrank::model::{AttrValues, Attribute, Attributes};
use localrank::wasm_api::{JsStringArray, Recommender};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const N: usize = 40;

/// What item `i` holds for a typed attribute.
#[derive(Debug, PartialEq)]
enum Want {
    Number(f64),
    Bool(bool),
    Text(String),
    Absent,
}

/// `price`: i × 1.25 (item 0's is a real 0), absent for every third item; `in_stock`: even
/// items, absent when i % 5 == 4; `image`: non-ASCII text (UTF-16 offsets), absent for odd
/// items, present but empty for item 0; `category`: a path, shadowed by `META`'s `cat-<i % 4>`.
fn want(i: usize, name: &str) -> Want {
    match name {
        "price" if i % 3 == 2 => Want::Absent,
        "price" => Want::Number(i as f64 * 1.25),
        "in_stock" if i % 5 == 4 => Want::Absent,
        "in_stock" => Want::Bool(i % 2 == 0),
        "image" if i % 2 == 1 => Want::Absent,
        "image" if i == 0 => Want::Text(String::new()),
        "image" => Want::Text(format!("ç-{i}.png")),
        "category" => Want::Text(format!("cat-{}", i % 4)),
        other => panic!("no attribute {other}"),
    }
}

/// The shared synthetic model plus an `ATTR` section holding [`want`]'s values.
fn model_bytes() -> Vec<u8> {
    let mut m = common::synthetic_model(N, 8, 7);
    let field = |name: &str, values: AttrValues| Attribute {
        name: name.into(),
        present: (0..N).map(|i| want(i, name) != Want::Absent).collect(),
        values,
    };
    let text = |i: usize, name: &str| match want(i, name) {
        Want::Text(t) => t,
        _ => String::new(),
    };
    m.extra.attributes = Attributes {
        fields: vec![
            field(
                "category",
                AttrValues::Text((0..N).map(|i| format!("Shop > {}", i % 4)).collect()),
            ),
            field(
                "image",
                AttrValues::Text((0..N).map(|i| text(i, "image")).collect()),
            ),
            field(
                "in_stock",
                AttrValues::Bool(
                    (0..N)
                        .map(|i| want(i, "in_stock") == Want::Bool(true))
                        .collect(),
                ),
            ),
            field(
                "price",
                AttrValues::Number(
                    (0..N)
                        .map(|i| match want(i, "price") {
                            Want::Number(x) => x,
                            _ => 0.0,
                        })
                        .collect(),
                ),
            ),
        ],
    };
    m.to_bytes()
}

async fn fresh(namespace: &str) -> Recommender {
    JsFuture::from(Recommender::delete_stored_history(namespace.into()))
        .await
        .expect("delete test database");
    let opts = js_sys::JSON::parse(&format!(r#"{{"namespace":"{namespace}"}}"#)).unwrap();
    Recommender::load_async(&model_bytes(), opts)
        .await
        .expect("model loads")
}

fn strings(items: &[&str]) -> JsStringArray {
    let a: Array = items.iter().map(|s| JsValue::from_str(s)).collect();
    JsValue::from(a).unchecked_into()
}

fn get(o: &JsValue, name: &str) -> JsValue {
    Reflect::get(o, &name.into()).unwrap()
}

/// The row of an object, from its key `item-<i>`.
fn row_of(o: &JsValue) -> usize {
    let key = get(o, "key").as_string().expect("key is a string");
    key.strip_prefix("item-").unwrap().parse().unwrap()
}

/// `o[name]` has the JS type and value item `i` holds; an absent value is no property at all.
fn assert_attribute(o: &JsValue, i: usize, name: &str) {
    let has = Reflect::has(o, &name.into()).unwrap();
    let v = get(o, name);
    let what = format!("item {i}, {name}: {v:?}");
    match want(i, name) {
        Want::Absent => assert!(!has, "{what} should be left out"),
        Want::Number(x) => assert_eq!(v.as_f64(), Some(x), "{what}"),
        Want::Bool(b) => assert_eq!(v.as_bool(), Some(b), "{what}"),
        Want::Text(t) => assert_eq!(v.as_string(), Some(t), "{what}"),
    }
}

fn error_code(e: &JsValue) -> String {
    get(e, "code").as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn recommend_returns_numbers_booleans_and_strings_and_leaves_absent_values_out() {
    let r = fresh("web-attr-recommend").await;
    JsFuture::from(r.record("item-3".into(), None))
        .await
        .unwrap();
    let o = js_sys::JSON::parse(r#"{"k":39,"attributes":["price","in_stock","image"]}"#).unwrap();
    let got: Array = JsFuture::from(r.recommend(Some(o.unchecked_into())))
        .await
        .unwrap()
        .unchecked_into();
    assert_eq!(got.length(), 39);
    let mut absent = 0;
    for o in got.iter() {
        let i = row_of(&o);
        assert!(get(&o, "score").as_f64().is_some());
        assert_eq!(get(&o, "title").as_string(), Some(format!("Item {i}")));
        for name in ["price", "in_stock", "image"] {
            assert_attribute(&o, i, name);
            absent += usize::from(want(i, name) == Want::Absent);
        }
    }
    assert!(
        absent > 20,
        "the model has absent values to check: {absent}"
    );
}

#[wasm_bindgen_test]
async fn items_and_item_carry_typed_attributes_and_meta_wins_category() {
    let r = fresh("web-attr-items").await;
    let page: Array = r
        .items(
            0.into(),
            100.into(),
            Some(strings(&["image", "price", "category"])),
        )
        .unwrap()
        .unchecked_into();
    assert_eq!(page.length() as usize, N);
    for (i, o) in page.iter().enumerate() {
        assert_eq!(row_of(&o), i);
        for name in ["image", "price", "category"] {
            assert_attribute(&o, i, name);
        }
        assert!(
            !Reflect::has(&o, &"in_stock".into()).unwrap(),
            "not asked for"
        );
    }
    for i in [0, 1, 2, 4, 9, 14] {
        let o = r.item(format!("item-{i}").into()).unwrap();
        for name in ["price", "in_stock", "image", "category"] {
            assert_attribute(&o, i, name);
        }
    }
}

#[wasm_bindgen_test]
async fn attributes_lists_names_and_types_and_unknown_names_are_refused() {
    let r = fresh("web-attr-schema").await;
    let schema: Vec<(String, String)> = Array::from(&r.attributes())
        .iter()
        .map(|o| {
            let s = |k| get(&o, k).as_string().unwrap();
            (s("name"), s("type"))
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("title", "string"),
        ("category", "string"),
        ("image", "string"),
        ("in_stock", "boolean"),
        ("price", "number"),
    ]
    .iter()
    .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
    .collect();
    assert_eq!(schema, want);

    let bad = r.items(0.into(), 5.into(), Some(strings(&["price", "colour"])));
    assert_eq!(error_code(&bad.unwrap_err()), "InvalidArgument");
    let o = js_sys::JSON::parse(r#"{"attributes":["weight"]}"#).unwrap();
    let err = JsFuture::from(r.recommend(Some(o.unchecked_into())))
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidArgument");
}
