//! Plain JS values in and out of the façade, built and read field by field with `Reflect`
//! rather than through serde: options objects, result objects, stored events and the history
//! document. serde_json and serde-wasm-bindgen were a fifth of the wasm module; the browser's own
//! `JSON` parses and prints the history document instead. Every malformed input is an
//! `InvalidArgument` / `InvalidHistory` error naming the field, never a panic.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::history::document::{self, HistoryDocument, FORMAT_TAG, VERSION};
use crate::history::{Event, EventKind};
use crate::Error;

/// A JS object under construction.
pub(super) struct Obj(Object);

impl Obj {
    pub(super) fn new() -> Self {
        Obj(Object::new())
    }

    /// Sets `key` (setting a property on a fresh plain object cannot fail).
    pub(super) fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    pub(super) fn build(self) -> JsValue {
        self.0.into()
    }
}

/// A JS array of `items` mapped by `f`.
pub(super) fn array<T>(items: impl IntoIterator<Item = T>, f: impl Fn(T) -> JsValue) -> JsValue {
    items.into_iter().map(f).collect::<Array>().into()
}

/// `value[key]`, `undefined` when absent or unreadable.
fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The own string keys of an object whose value is not `undefined` (as `JSON.stringify` would
/// write them); none when the object refuses to list them (a revoked Proxy).
fn keys(value: &JsValue) -> Vec<String> {
    Reflect::own_keys(value)
        .map(|keys| {
            keys.iter()
                .filter_map(|k| k.as_string())
                .filter(|k| !get(value, k).is_undefined())
                .collect()
        })
        .unwrap_or_default()
}

/// The first own key of `value` (see [`keys`]) that is not in `known`.
fn unknown_key(value: &JsValue, known: &[&str]) -> Option<String> {
    keys(value)
        .into_iter()
        .find(|k| !known.contains(&k.as_str()))
}

/// An object other than an array: what options objects and history documents must be.
fn is_record(value: &JsValue) -> bool {
    value.is_object() && !Array::is_array(value)
}

/// An options object: `undefined`/`null` mean all defaults; unknown names are refused (a typo
/// such as `{top: 5}` must not silently mean "defaults"); each getter checks its field's type.
pub(super) struct Options {
    value: JsValue,
    what: &'static str,
}

impl Options {
    pub(super) fn new(value: JsValue, what: &'static str, known: &[&str]) -> Result<Self, Error> {
        if !(value.is_undefined() || value.is_null()) {
            if !is_record(&value) {
                return Err(Error::InvalidArgument(format!("{what} must be an object")));
            }
            if let Some(bad) = unknown_key(&value, known) {
                return Err(Error::InvalidArgument(format!(
                    "{what}: unknown option \"{bad}\" (expected one of {})",
                    known.join(", ")
                )));
            }
        }
        Ok(Self { value, what })
    }

    /// The field, `None` when the object or the field is `undefined`/`null`.
    fn field(&self, key: &str) -> Option<JsValue> {
        if self.value.is_undefined() || self.value.is_null() {
            return None;
        }
        let v = get(&self.value, key);
        (!(v.is_undefined() || v.is_null())).then_some(v)
    }

    fn wrong(&self, key: &str, expected: &str) -> Error {
        Error::InvalidArgument(format!("{}: {key} must be {expected}", self.what))
    }

    pub(super) fn string(&self, key: &str) -> Result<Option<String>, Error> {
        self.field(key)
            .map(|v| v.as_string().ok_or_else(|| self.wrong(key, "a string")))
            .transpose()
    }

    pub(super) fn bool(&self, key: &str) -> Result<Option<bool>, Error> {
        self.field(key)
            .map(|v| v.as_bool().ok_or_else(|| self.wrong(key, "true or false")))
            .transpose()
    }

    /// An array of strings.
    pub(super) fn strings(&self, key: &str) -> Result<Option<Vec<String>>, Error> {
        self.field(key)
            .map(|v| string_list(&v).ok_or_else(|| self.wrong(key, "an array of strings")))
            .transpose()
    }

    /// A finite number (ranges are the caller's).
    pub(super) fn number(&self, key: &str) -> Result<Option<f64>, Error> {
        self.field(key)
            .map(|v| {
                v.as_f64()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| self.wrong(key, "a finite number"))
            })
            .transpose()
    }

    /// `true`/`false` (`Ok`) or a string (`Err`).
    pub(super) fn bool_or_string(&self, key: &str) -> Result<Option<Result<bool, String>>, Error> {
        self.field(key)
            .map(|v| match (v.as_bool(), v.as_string()) {
                (Some(b), _) => Ok(Ok(b)),
                (_, Some(s)) => Ok(Err(s)),
                _ => Err(self.wrong(key, "true, false or an attribute name")),
            })
            .transpose()
    }

    /// The field as it is (`None` when `undefined`/`null`), for a caller that checks its shape.
    pub(super) fn raw(&self, key: &str) -> Option<JsValue> {
        self.field(key)
    }

    /// A non-negative whole number.
    pub(super) fn count(&self, key: &str) -> Result<Option<usize>, Error> {
        self.field(key)
            .map(|v| whole(&v).ok_or_else(|| self.wrong(key, "a whole number ≥ 0")))
            .transpose()
    }
}

/// A JS number that is a whole number in 0..=2³²−1; `None` for anything else (NaN, −1, 1.5,
/// Infinity, a numeric string).
fn whole(v: &JsValue) -> Option<usize> {
    v.as_f64()
        .filter(|x| *x >= 0.0 && x.fract() == 0.0 && *x <= f64::from(u32::MAX))
        .map(|x| x as usize)
}

/// What a JS value is, for error messages: `typeof`, with `null` and arrays told apart.
fn kind_of(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if Array::is_array(v) {
        "an array".into()
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
}

fn wrong_type(what: &str, expected: &str, got: &JsValue) -> Error {
    Error::InvalidArgument(format!("{what} must be {expected}, got {}", kind_of(got)))
}

/// A string argument. Public methods take `JsValue` and check it here: wasm-bindgen's own
/// `String` conversion traps (release) or throws a bare `Error` (debug) on a number.
pub(super) fn string_arg(v: &JsValue, what: &str) -> Result<String, Error> {
    v.as_string().ok_or_else(|| wrong_type(what, "a string", v))
}

/// A whole-number argument (an offset or a count).
pub(super) fn index_arg(v: &JsValue, what: &str) -> Result<usize, Error> {
    whole(v).ok_or_else(|| wrong_type(what, "a whole number ≥ 0", v))
}

/// The model bytes: a `Uint8Array` (or any view of bytes' `ArrayBuffer` as a whole).
pub(super) fn bytes_arg(v: &JsValue) -> Result<Vec<u8>, Error> {
    if let Some(bytes) = v.dyn_ref::<js_sys::Uint8Array>() {
        Ok(bytes.to_vec())
    } else if v.is_instance_of::<js_sys::ArrayBuffer>() {
        Ok(js_sys::Uint8Array::new(v).to_vec())
    } else {
        Err(wrong_type("the model", "a Uint8Array or an ArrayBuffer", v))
    }
}

/// The strings of a JS array of strings; `None` for anything else.
pub(super) fn string_list(value: &JsValue) -> Option<Vec<String>> {
    if !Array::is_array(value) {
        return None;
    }
    let list: &Array = value.unchecked_ref();
    let mut out = Vec::with_capacity(list.length() as usize);
    for i in 0..list.length() {
        out.push(list.get(i).as_string()?);
    }
    Some(out)
}

/// An event as stored in IndexedDB and returned by `history()`: `{key, kind, ts}`.
pub(super) fn event_to_js(e: &Event) -> JsValue {
    Obj::new()
        .set("key", e.key.as_str())
        .set("kind", e.kind.as_str())
        .set("ts", e.ts)
        .build()
}

/// Reads `{key, kind, ts}` (other fields ignored) and validates the event.
pub(super) fn event_from_js(v: &JsValue) -> Result<Event, Error> {
    if !v.is_object() {
        return Err(Error::InvalidArgument("an event must be an object".into()));
    }
    let key = get(v, "key")
        .as_string()
        .ok_or_else(|| Error::InvalidArgument("event key must be a string".into()))?;
    let kind = get(v, "kind")
        .as_string()
        .ok_or_else(|| Error::InvalidArgument("event kind must be a string".into()))?;
    let ts = get(v, "ts")
        .as_f64()
        .ok_or_else(|| Error::InvalidArgument("event ts must be a number".into()))?;
    Event::new(key, EventKind::parse(&kind)?, ts)
}

/// The history document as JSON text (the browser's `JSON.stringify`).
pub(super) fn document_to_json(events: &[Event]) -> String {
    let doc = Obj::new()
        .set("format", FORMAT_TAG)
        .set("version", VERSION)
        .set("events", array(events, event_to_js))
        .build();
    JSON::stringify(&doc).map_or_else(|_| String::new(), String::from)
}

/// A history document from JSON text or an already parsed object, converted field by field; the
/// rules (fields, tag, version, size, events) are `history::document`'s, the header checked before
/// any event is copied.
pub(super) fn document_from_js(doc: &JsValue) -> Result<HistoryDocument, Error> {
    let invalid = |why: String| Error::InvalidHistory(why);
    let parsed;
    let doc = match doc.as_string() {
        Some(text) => {
            parsed = JSON::parse(&text).map_err(|e| {
                let why = e
                    .dyn_ref::<js_sys::Error>()
                    .map_or_else(|| "not valid JSON".into(), |e| String::from(e.message()));
                invalid(format!("not valid JSON: {why}"))
            })?;
            &parsed
        }
        None => doc,
    };
    if !is_record(doc) {
        return Err(invalid("expected a JSON object".into()));
    }
    if let Some(bad) = unknown_key(doc, &document::FIELDS) {
        return Err(invalid(format!("unknown field \"{bad}\"")));
    }
    let format = get(doc, "format")
        .as_string()
        .ok_or_else(|| invalid("\"format\" must be a string".into()))?;
    let version = get(doc, "version")
        .as_f64()
        .ok_or_else(|| invalid("\"version\" must be a number".into()))?;
    let list = get(doc, "events");
    if !Array::is_array(&list) {
        return Err(invalid("\"events\" must be an array".into()));
    }
    // An array may claim 2³² − 1 (empty) slots: the header rules run before anything is copied.
    let list: &Array = list.unchecked_ref();
    document::check_header(&format, version, list.length() as usize)?;
    let events = (0..list.length())
        .map(|i| event_from_js(&list.get(i)).map_err(|err| document::event_error(i as usize, err)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HistoryDocument::new(events))
}
