//! Cold start in the browser (`wasm-pack test --headless --chrome -- --test web_coldstart`): a
//! shopper without history gets the packed default model's most popular items, in the order of
//! its popularity prior (`BIAS`, docs/FORMAT.md § 2), each scored exactly its prior, on the CPU
//! and on forced WebGPU alike (Firefox has none: it answers on the CPU), without any request.
#![cfg(target_arch = "wasm32")]

mod common;

use localrank::{wasm_api::Recommender, Model};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// One recommendation as JS receives it (the fields this suite reads).
#[derive(serde::Deserialize, Debug)]
struct Rec {
    key: String,
    score: f32,
}

async fn load(backend: &str) -> Recommender {
    let opts = js_sys::JSON::parse(&format!(r#"{{"persist":false,"backend":"{backend}"}}"#))
        .expect("options");
    Recommender::load_async(DEFAULT_MODEL, opts)
        .await
        .expect("model loads")
}

async fn recs(r: &Recommender, k: usize) -> Vec<Rec> {
    // The prior's own order: without the default de-duplication by title (the Scientific data
    // has products listed twice under one title).
    let opts = js_sys::JSON::parse(&format!(r#"{{"k":{k},"dedupe":false}}"#)).expect("options");
    let v = JsFuture::from(r.recommend(Some(opts.into())))
        .await
        .expect("recommend");
    serde_wasm_bindgen::from_value(v).expect("recommendation shape")
}

/// `(key, prior)` of the model's items by prior, highest first, ties to the lower row.
fn by_prior(k: usize) -> Vec<(String, f32)> {
    let m = Model::from_bytes(DEFAULT_MODEL).expect("the default model parses");
    let b = &m.table.bias;
    let mut rows: Vec<usize> = (0..m.len()).collect();
    rows.sort_by(|&x, &y| b[y].total_cmp(&b[x]).then(x.cmp(&y)));
    rows.iter()
        .take(k)
        .map(|&j| (m.keys.key(j).to_owned(), b[j]))
        .collect()
}

#[wasm_bindgen_test]
async fn an_empty_history_gets_the_popular_items_by_prior_on_the_cpu_and_on_webgpu() {
    let expected = by_prior(30);
    assert!(expected[0].1 > expected[29].1, "the prior orders items");
    for backend in ["cpu", "webgpu"] {
        let r = load(backend).await;
        let want = if backend == "cpu" {
            "cpu"
        } else {
            common::webgpu_backend()
        };
        assert_eq!(r.backend(), want);
        let got = recs(&r, 30).await;
        let got: Vec<(String, f32)> = got.into_iter().map(|x| (x.key, x.score)).collect();
        assert_eq!(got, expected, "{backend} (answered by {})", r.backend());
        // Asked again: the same list (nothing random, nothing cached differently).
        let again: Vec<String> = recs(&r, 30).await.into_iter().map(|x| x.key).collect();
        let keys: Vec<String> = expected.iter().map(|x| x.0.clone()).collect();
        assert_eq!(again, keys);
    }
}

#[wasm_bindgen_test]
async fn one_view_personalises_and_clearing_returns_to_the_popular_list() {
    let r = load("cpu").await;
    let popular: Vec<String> = recs(&r, 10).await.into_iter().map(|x| x.key).collect();
    JsFuture::from(r.record("B0000223SI".into(), None))
        .await
        .expect("record");
    let personal: Vec<String> = recs(&r, 10).await.into_iter().map(|x| x.key).collect();
    assert_ne!(personal, popular);
    JsFuture::from(r.clear_history()).await.expect("clear");
    let after: Vec<String> = recs(&r, 10).await.into_iter().map(|x| x.key).collect();
    assert_eq!(after, popular);
}

/// The default demo model, trained and packed by the test command before this suite builds.
const DEFAULT_MODEL: &[u8] = include_bytes!("../www/models/scientific.lrm");
