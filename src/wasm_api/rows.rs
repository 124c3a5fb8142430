//! Result and catalogue objects for JS, built cheaply: the values of all items cross into JS as
//! one string and two number arrays, and one JS loop (a snippet wasm-bindgen ships beside the
//! module) builds the objects. The fields and their types come from the engine's [`Fields`];
//! nothing here decides what an item shows.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::model::{AttrType, Model};
use crate::results::{Fields, Value};

/// In `ends`, an absent text value (it takes no characters of `text`). UTF-16 offsets into one
/// JS string never reach it (strings are shorter than 2³² − 1 code units).
const ABSENT_TEXT: u32 = u32::MAX;

#[wasm_bindgen(inline_js = r#"
export function build_rows(extra, types, count, text, ends, nums, scored) {
  // Object literals of two fixed shapes (V8 builds them from one map each); only requested
  // extra attributes take keyed stores. `push`: a large preallocated array is a slow dictionary.
  // types[j]: 0 text (from `text`/`ends`; end 0xFFFFFFFF = absent), 1 number, 2 boolean (from
  // `nums`; NaN = absent, since stored numbers are finite). Absent values are left out.
  const out = [];
  const x = extra.length;
  let start = 0, e = 0, n = 0;
  for (let i = 0; i < count; i++) {
    let end = ends[e++];
    const key = text.slice(start, end);
    start = end; end = ends[e++];
    const title = text.slice(start, end);
    start = end; end = ends[e++];
    const category = text.slice(start, end);
    start = end;
    const o = scored ? { key, score: nums[n++], title, category } : { key, title, category };
    for (let j = 0; j < x; j++) {
      const t = types[j];
      if (t === 0) {
        end = ends[e++];
        if (end !== 4294967295) {
          o[extra[j]] = text.slice(start, end);
          start = end;
        }
      } else {
        const v = nums[n++];
        if (v === v) o[extra[j]] = t === 1 ? v : v !== 0;
      }
    }
    out.push(o);
  }
  return out;
}
"#)]
extern "C" {
    /// One plain object per item: `key`, `score` (when `scored`), `title`, `category` and the
    /// `extra` attributes (of types `types`), from all text values concatenated item by item in
    /// that order (`ends`: UTF-16 end offsets) and all numbers and booleans in the same order
    /// (`nums`, the score first).
    fn build_rows(
        extra: &Array,
        types: &[u8],
        count: u32,
        text: &str,
        ends: &[u32],
        nums: &[f64],
        scored: bool,
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
    let types: Vec<u8> = fields.extra_kinds().map(|k| k as u8).collect();
    let count = items.len();
    let (mut text, mut ends, mut nums) = (String::new(), Vec::new(), Vec::new());
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
                Value::Number(x) => nums.push(x),
                Value::Bool(b) => nums.push(f64::from(u8::from(b))),
                Value::Absent => match fields.kind(j) {
                    AttrType::Text => ends.push(ABSENT_TEXT),
                    AttrType::Number | AttrType::Bool => nums.push(f64::NAN),
                },
            }
        }
    }
    build_rows(
        &extra,
        &types,
        count as u32,
        &text,
        &ends,
        &nums,
        fields.has_score(),
    )
}
