//! Errors as JavaScript sees them: every rejection and throw of the package is a JS `Error` whose
//! `name` is "LocalrankError" and whose `code` is [`Error::code`]. The `.d.ts` types of both
//! (`LocalrankError`, `LocalrankErrorCode`) come from the crate's one list of codes
//! ([`crate::error::TS_CODE_UNION`]), so they cannot drift from the Rust enum.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::Error;

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR_CODES: &str = crate::error::TS_CODE_UNION;

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR: &str = r#"
/**
 * What every promise of this package rejects with (and every method throws): a JS `Error` with
 * `name === "LocalrankError"`, a readable `message` and a stable `code`. Narrow an unknown
 * `catch` value with `isLocalrankError(e)`.
 */
export interface LocalrankError extends Error {
  name: "LocalrankError";
  code: LocalrankErrorCode;
}
"#;

/// Turns an engine error into a JS `Error` with `name` "LocalrankError" and a `code`.
pub(super) fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("LocalrankError");
    let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code().into());
    err.into()
}

/// True when `value` is an error this package threw: a JS `Error` named "LocalrankError" with a
/// string `code` (a type guard in TypeScript).
#[wasm_bindgen(js_name = isLocalrankError, unchecked_return_type = "value is LocalrankError")]
pub fn is_localrank_error(
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: &JsValue,
) -> bool {
    value.dyn_ref::<js_sys::Error>().is_some_and(|e| {
        e.name() == "LocalrankError"
            && js_sys::Reflect::get(e, &"code".into()).is_ok_and(|c| c.is_string())
    })
}
