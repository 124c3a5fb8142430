//! Result and catalogue objects for JS, built cheaply: the values of all items cross into JS as
//! one string and two number arrays, and one JS loop (a snippet wasm-bindgen ships beside the
//! module) builds the objects. The fields come from the engine's [`Fields`]; nothing here decides
//! what an item shows.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::model::Model;
use crate::results::{Fields, Value};

#[wasm_bindgen(inline_js = r#"
export function build_rows(extra, count, text, ends, scores) {
  // Object literals of two fixed shapes (V8 builds them from one map each); only requested
  // extra attributes take keyed stores. `push`: a large preallocated array is a slow dictionary.
  const out = [];
  const x = extra.length;
  let start = 0, e = 0;
  for (let i = 0; i < count; i++) {
    let end = ends[e++];
    const key = text.slice(start, end);
    start = end; end = ends[e++];
    const title = text.slice(start, end);
    start = end; end = ends[e++];
    const category = text.slice(start, end);
    start = end;
    const o = scores === undefined ? { key, title, category } : { key, score: scores[i], title, category };
    for (let j = 0; j < x; j++) {
      end = ends[e++];
      o[extra[j]] = text.slice(start, end);
      start = end;
    }
    out.push(o);
  }
  return out;
}
"#)]
extern "C" {
    /// One plain object per item: `key`, `score` (when `scores` is given), `title`, `category`
    /// and the `extra` attributes, from all text values concatenated item by item in that order
    /// (`ends`: UTF-16 end offsets).
    fn build_rows(
        extra: &Array,
        count: u32,
        text: &str,
        ends: &[u32],
        scores: Option<Vec<f64>>,
    ) -> JsValue;
}

/// A JS array with one `{key, score?, title, category, …extra}` object per `(row, score)` item,
/// in order. Values cross into JS as one string and two number arrays, and one JS loop builds the
/// objects: a boundary call per item and field (the old way) cost ~3 µs per item.
/// One function for every caller (`dyn`, not generic): the module carries its code once.
pub(super) fn rows(
    model: &Model,
    fields: &Fields,
    items: &mut dyn ExactSizeIterator<Item = (u32, f32)>,
) -> JsValue {
    let extra: Array = fields
        .extra()
        .iter()
        .map(|n| JsValue::from_str(n))
        .collect();
    let count = items.len();
    let (mut text, mut ends, mut scores) = (String::new(), Vec::new(), Vec::new());
    let mut utf16 = 0u32;
    for (row, score) in items {
        for j in 0..fields.names().len() {
            match fields.value(model, row, score, j) {
                Value::Text(t) => {
                    text.push_str(t);
                    utf16 += if t.is_ascii() {
                        t.len() as u32
                    } else {
                        t.encode_utf16().count() as u32
                    };
                    ends.push(utf16);
                }
                Value::Number(x) => scores.push(x),
            }
        }
    }
    let scores = fields.has_score().then_some(scores);
    build_rows(&extra, count as u32, &text, &ends, scores)
}
