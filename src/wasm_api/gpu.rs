//! Choosing the scoring backend in the browser: WebGPU when asked for (or for `"auto"` to
//! measure), with the reason recorded whenever the CPU answers instead.

use wasm_bindgen::JsValue;

use crate::model::ItemTable;
use crate::score::backend::{Backend, Requested};

/// `performance.now()` of the window or worker (ms); `Date.now()` where there is none.
pub fn now_ms() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &JsValue::from_str("performance"))
        .ok()
        .and_then(|p| {
            let now = js_sys::Reflect::get(&p, &JsValue::from_str("now")).ok()?;
            let now: js_sys::Function = now.into();
            now.call0(&p).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

/// True when `navigator.gpu` exists (the page may be in a browser without WebGPU, or a test
/// may have hidden it).
fn has_navigator_gpu() -> bool {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &JsValue::from_str("navigator"))
        .ok()
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("gpu")).ok())
        .is_some_and(|g| !g.is_undefined() && !g.is_null())
}

/// The backend for `requested`: tries WebGPU unless the CPU was asked for; any failure leaves
/// the CPU in charge with the reason in the report.
pub async fn choose(requested: Requested, table: &ItemTable) -> Backend {
    if requested == Requested::Cpu {
        return Backend::cpu(requested, "cpu requested");
    }
    if !has_navigator_gpu() {
        return Backend::cpu(
            requested,
            "navigator.gpu is missing: this browser has no WebGPU",
        );
    }
    if let Some(reason) = NO_ADAPTER.with(|r| r.borrow().clone()) {
        return Backend::cpu(requested, reason);
    }
    match crate::score::gpu::GpuScorer::new(table, Default::default()).await {
        Ok(gpu) => Backend::with_gpu(requested, gpu).with_clock(now_ms),
        Err(e) => {
            let reason = e.to_string();
            if matches!(&e, crate::Error::Gpu(m) if m.starts_with("no GPU adapter")) {
                NO_ADAPTER.with(|r| {
                    *r.borrow_mut() = Some(format!("{reason} (asked once per page)"));
                });
            }
            Backend::cpu(requested, reason)
        }
    }
}

thread_local! {
    /// Set when `requestAdapter` found no adapter: a page (or worker) does not gain one later,
    /// and every refused request prints "No available adapters." to the console, so later
    /// loads answer on the CPU without asking again.
    static NO_ADAPTER: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}
