//! Browser tests of the scoring backends: forced WebGPU in headless Chromium (SwiftShader, via
//! `webdriver.json`'s `--enable-unsafe-webgpu`) answers like the CPU; without WebGPU (Firefox
//! ESR, or Chromium with `navigator.gpu` hidden) every mode ends on the CPU with the reason
//! reported; "auto" keeps the backend that timings taken by the test itself find faster; a lost
//! device falls back with the same answers. Tests whose names end "where_webgpu_exists" can only
//! check the no-WebGPU fallback in Firefox ESR and say so in that branch.
#![cfg(target_arch = "wasm32")]

mod common;

use localrank::wasm_api::Recommender;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEFAULT_MODEL: &[u8] = include_bytes!("../www/models/scientific.lrm");
const CLICKS: [&str; 3] = ["B0000223SI", "B0000223SK", "B0000223UV"];

#[derive(Deserialize, Debug, Clone, PartialEq)]
struct Rec {
    key: String,
    score: f32,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct Report {
    requested: String,
    active: String,
    decided: bool,
    reason: String,
    cpu_ms: Vec<f64>,
    gpu_ms: Vec<f64>,
}

fn is_firefox() -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .is_some_and(|ua| ua.contains("Firefox"))
}

async fn load(backend: &str) -> Recommender {
    let opts = js_sys::JSON::parse(&format!(r#"{{"persist":false,"backend":"{backend}"}}"#))
        .expect("options");
    let r = Recommender::load_async(DEFAULT_MODEL, opts)
        .await
        .expect("model loads");
    for key in CLICKS {
        JsFuture::from(r.record(key.into(), None)).await.unwrap();
    }
    r
}

async fn recs(r: &Recommender, k: usize) -> Vec<Rec> {
    let opts = js_sys::JSON::parse(&format!(r#"{{"k":{k}}}"#)).unwrap();
    let v = JsFuture::from(r.recommend(Some(opts.into())))
        .await
        .expect("recommend");
    serde_wasm_bindgen::from_value(v).expect("shape")
}

fn report(r: &Recommender) -> Report {
    serde_wasm_bindgen::from_value(r.backend_report().unwrap()).expect("report shape")
}

/// Same ids as the CPU's, except swaps among items whose CPU scores differ by at most 1e-6 of the
/// largest |score| (a GPU driver may fuse the last multiply-add; see docs/FORMAT.md § 2.2).
fn assert_same_ranking(got: &[Rec], want: &[Rec]) {
    assert_eq!(got.len(), want.len());
    let tol = 1e-6 * want.iter().fold(0f32, |m, r| m.max(r.score.abs()));
    for (g, w) in got.iter().zip(want) {
        assert!(
            g.key == w.key || (g.score - w.score).abs() <= tol,
            "{g:?} vs {w:?} (tolerance {tol})"
        );
    }
}

/// Hides `navigator.gpu` (an own property shadowing the prototype's getter) for the test's
/// duration, as in a browser without WebGPU.
struct HiddenGpu;

impl HiddenGpu {
    fn new() -> Self {
        let nav = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).unwrap();
        let desc = js_sys::Object::new();
        js_sys::Reflect::set(&desc, &"value".into(), &JsValue::UNDEFINED).unwrap();
        js_sys::Reflect::set(&desc, &"configurable".into(), &JsValue::TRUE).unwrap();
        js_sys::Reflect::define_property(
            nav.unchecked_ref::<js_sys::Object>(),
            &"gpu".into(),
            desc.unchecked_ref::<js_sys::Object>(),
        )
        .unwrap();
        HiddenGpu
    }
}

impl Drop for HiddenGpu {
    fn drop(&mut self) {
        let nav = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).unwrap();
        let _ =
            js_sys::Reflect::delete_property(nav.unchecked_ref::<js_sys::Object>(), &"gpu".into());
    }
}

#[wasm_bindgen_test]
async fn forced_webgpu_is_used_where_the_browser_has_it_and_answers_like_the_cpu() {
    let gpu = load("webgpu").await;
    let cpu = load("cpu").await;
    let r = report(&gpu);
    assert_eq!(r.requested, "webgpu");
    if is_firefox() {
        // Firefox ESR has no WebGPU: the request ends on the CPU, with the reason.
        assert_eq!(gpu.backend(), "cpu");
        assert!(r.reason.contains("navigator.gpu"), "{}", r.reason);
    } else {
        assert_eq!(gpu.backend(), "webgpu", "reason: {}", r.reason);
    }
    assert_same_ranking(&recs(&gpu, 50).await, &recs(&cpu, 50).await);
    assert_eq!(cpu.backend(), "cpu");
    assert_eq!(report(&cpu).reason, "cpu requested");
}

#[wasm_bindgen_test]
async fn without_navigator_gpu_every_mode_ends_on_the_cpu_with_the_reason() {
    let reference = load("cpu").await;
    let want = recs(&reference, 20).await;
    let _hidden = HiddenGpu::new();
    for mode in ["webgpu", "auto"] {
        let r = load(mode).await;
        assert_eq!(r.backend(), "cpu", "{mode}");
        let rep = report(&r);
        assert!(rep.decided);
        assert!(
            rep.reason.contains("navigator.gpu"),
            "{mode}: {}",
            rep.reason
        );
        assert_eq!(recs(&r, 20).await, want, "{mode}");
    }
}

/// Milliseconds from `performance.now()`.
fn now() -> f64 {
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let f: js_sys::Function = js_sys::Reflect::get(&perf, &"now".into())
        .unwrap()
        .unchecked_into();
    f.call0(&perf).unwrap().as_f64().unwrap()
}

/// Median milliseconds of `n` `recommend({k: 10})` calls (after one warm-up call).
async fn median_ms(r: &Recommender, n: usize) -> f64 {
    recs(r, 10).await;
    let mut times = Vec::new();
    for _ in 0..n {
        let t0 = now();
        recs(r, 10).await;
        times.push(now() - t0);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

#[wasm_bindgen_test]
async fn auto_keeps_the_backend_that_independent_timings_find_faster_where_webgpu_exists() {
    let r = load("auto").await;
    let reference = load("cpu").await;
    let want = recs(&reference, 10).await;
    // One warm-up pair plus five measured pairs; answers are the CPU's meanwhile.
    for _ in 0..6 {
        assert_eq!(recs(&r, 10).await, want);
    }
    let rep = report(&r);
    assert!(rep.decided, "{rep:?}");
    if is_firefox() {
        // Fallback path only: Firefox ESR has no WebGPU, so nothing is measured.
        assert!(js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
            .and_then(|n| js_sys::Reflect::get(&n, &"gpu".into()))
            .unwrap()
            .is_undefined());
        assert_eq!(rep.active, "cpu");
        assert!(rep.cpu_ms.is_empty(), "nothing to measure without WebGPU");
        return;
    }
    assert_eq!(rep.cpu_ms.len(), 5, "{rep:?}");
    assert_eq!(rep.gpu_ms.len(), 5, "{rep:?}");
    // The expectation comes from timings taken here, not from the report under test: forced
    // backends, each timed on its own. The test needs a clear winner (2×) to mean anything.
    let gpu = load("webgpu").await;
    assert_eq!(gpu.backend(), "webgpu");
    let (gpu_ms, cpu_ms) = (median_ms(&gpu, 9).await, median_ms(&reference, 9).await);
    web_sys::console::log_1(
        &format!("auto: {rep:?}; independent: GPU {gpu_ms} ms, CPU {cpu_ms} ms").into(),
    );
    let expected = if gpu_ms * 2.0 < cpu_ms {
        "webgpu"
    } else if cpu_ms * 2.0 < gpu_ms {
        "cpu"
    } else {
        panic!("no clear winner (GPU {gpu_ms} ms, CPU {cpu_ms} ms): this machine cannot test auto");
    };
    assert_eq!(rep.active, expected, "{rep:?}");
}

#[wasm_bindgen_test]
async fn a_lost_gpu_device_falls_back_to_the_cpu_with_the_same_answers_where_webgpu_exists() {
    let reference = load("cpu").await;
    let want = recs(&reference, 20).await;
    let r = load("webgpu").await;
    if is_firefox() {
        // Fallback path only: without WebGPU there is no device to lose; the request already
        // ended on the CPU and losing "the GPU" changes nothing.
        assert_eq!(r.backend(), "cpu");
        r.simulate_gpu_loss();
        assert_eq!(recs(&r, 20).await, want);
        assert!(
            report(&r).reason.contains("navigator.gpu"),
            "{:?}",
            report(&r)
        );
        return;
    }
    // Before the loss the GPU answers (forced), after it the CPU: both against an independent
    // CPU instance, not against each other.
    assert_eq!(r.backend(), "webgpu", "{:?}", report(&r));
    assert_same_ranking(&recs(&r, 20).await, &want);
    assert_eq!(r.backend(), "webgpu", "the GPU answered the first query");
    r.simulate_gpu_loss();
    assert_eq!(recs(&r, 20).await, want, "the CPU answers after the loss");
    assert_eq!(r.backend(), "cpu");
    assert!(report(&r).reason.contains("lost"), "{:?}", report(&r));
}

#[wasm_bindgen_test]
async fn webgpu_equals_the_cpu_on_random_models_and_histories() {
    // N not a multiple of the workgroup (256) or its span (4096), odd d, k > N, many ties.
    for (n, d, k, seed) in [
        (1, 4, 3, 1u64),
        (300, 5, 20, 2),
        (5_000, 64, 100, 3),
        (4_097, 33, 7, 4),
    ] {
        let mut model = common::synthetic_model(n, d, seed);
        if seed == 3 {
            // Every row repeated: exact ties everywhere, broken by the lower index.
            let first = model.table.rows.row_i8(0);
            let (n, d) = model.table.rows.dim();
            model.table.rows = ndarray::Array2::from_shape_fn((n, d), |(_, k)| first[k]).into();
            model.table.bias.fill(0.0);
            model.fold.gram = model.table.gram();
        }
        let bytes = model.to_bytes();
        let mut rng = common::Rng(seed);
        let clicks: Vec<String> = (0..5).map(|_| format!("item-{}", rng.below(n))).collect();
        let mut answers = Vec::new();
        for backend in ["webgpu", "cpu"] {
            let opts =
                js_sys::JSON::parse(&format!(r#"{{"persist":false,"backend":"{backend}"}}"#))
                    .unwrap();
            let r = Recommender::load_async(&bytes, opts).await.expect("loads");
            if backend == "webgpu" && !is_firefox() {
                assert_eq!(r.backend(), "webgpu", "{}", report(&r).reason);
            }
            for key in &clicks {
                JsFuture::from(r.record(key.as_str().into(), None))
                    .await
                    .unwrap();
            }
            answers.push(recs(&r, k).await);
        }
        assert_same_ranking(&answers[0], &answers[1]);
        if seed == 3 {
            // All scores tie: the order must be exactly by index on both backends.
            let keys = |a: &[Rec]| a.iter().map(|r| r.key.clone()).collect::<Vec<_>>();
            assert_eq!(keys(&answers[0]), keys(&answers[1]));
        }
    }
}
