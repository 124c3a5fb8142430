//! `similar(key, options)` and the `because` reasons of `recommend({explain: true})` for JS:
//! argument checks and result objects only; the query is the engine's
//! ([`crate::score::similar`], [`crate::score::explain`]).

use std::rc::Rc;

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::errors::js_error;
use super::{future_to_promise, js, rows, Recommender};
use crate::model::Model;
use crate::recommender::{Reason, SimilarOptions};
use crate::results::Fields;
use crate::Error;

#[wasm_bindgen(typescript_custom_section)]
const TS_SIMILAR: &str = r#"
/** Options of `similar`. */
export interface SimilarOptions {
  /** Number of items, 1..=10000. Default 10. */
  k?: number;
  /** Catalogue attributes to return besides key, score, title and category (as in `recommend`). */
  attributes?: string[];
  /** Only items passing this filter (as in `recommend`, with the live values). Default: every item. */
  filter?: RecommendFilter;
  /**
   * Near-identical items, as in `recommend`: one of each group comes back and none of the item's
   * own group (its variants). Default `true`: by title; `false` keeps the item's variants.
   */
  dedupe?: DedupeOption;
}
/** A history item behind a recommendation (`recommend({ explain: true })`). */
export interface Because {
  /** The history item's key. */
  key: string;
  /** Its title ("" when the model has none). */
  title: string;
  /**
   * Its share of what the shopper's history adds to the recommended item's score, in (0, 1]:
   * the shares of all history items that raise the score sum to 1.
   */
  weight: number;
}
/** A recommendation with the (up to 3) history items that contributed most, largest first. */
export type ExplainedRecommendation = Recommendation & { because: Because[] };
export interface Recommender {
  /**
   * The top-k items for the current history, best first. With `explain: true` each item also
   * has `because`: the history items that contributed most to its score. Rejects with
   * "InvalidArgument" for a bad `k` or an unknown option. Makes no network request and no
   * storage access.
   */
  recommend<O extends RecommendOptions = {}>(
    options?: O,
  ): Promise<O extends { explain: true } ? ExplainedRecommendation[] : Recommendation[]>;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `SimilarOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "SimilarOptions")]
    pub type JsSimilarOptions;
}

/// `similar`'s options, read from a JS object: the engine's options and the extra attributes.
type Parsed = (SimilarOptions, Vec<String>, crate::score::filter::Filter);

fn similar_options(value: JsValue) -> Result<Parsed, Error> {
    let o = js::Options::new(
        value,
        "similar options",
        &["k", "attributes", "filter", "dedupe"],
    )?;
    let opts = SimilarOptions {
        k: o.count("k")?.unwrap_or(SimilarOptions::default().k),
        dedupe: super::rerank::dedupe_option(&o)?,
    };
    let filter = super::merch::filter_option(&o)?;
    Ok((opts, o.strings("attributes")?.unwrap_or_default(), filter))
}

/// Sets `because` on each result object of `results` (in order) from `reasons`.
pub(super) fn attach_reasons(model: &Model, results: &JsValue, reasons: &[Vec<Reason>]) {
    for (i, because) in reasons.iter().enumerate() {
        let list: Array = because
            .iter()
            .map(|r| {
                js::Obj::new()
                    .set("key", model.keys.key(r.row as usize))
                    .set("title", model.meta.get(r.row as usize, "title"))
                    .set("weight", f64::from(r.weight))
                    .build()
            })
            .collect();
        if let Ok(item) = Reflect::get_u32(results, i as u32) {
            let _ = Reflect::set(&item, &"because".into(), &list);
        }
    }
}

#[wasm_bindgen]
impl Recommender {
    /// The items most similar to the item `key`, best first, without it or another item of its
    /// title (one item per title): a product page's
    /// "customers who viewed this also viewed". From the item's vector and `NBRS` list (an item
    /// with neither: its category's most popular items); independent of the shopper's history.
    /// Rejects with "UnknownItem" when the model has no item `key`, "InvalidArgument" for a
    /// key that is not a string, a bad `k` or an unknown option or attribute. No network
    /// request, no storage access.
    #[wasm_bindgen(unchecked_return_type = "Promise<Recommendation[]>")]
    pub fn similar(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        options: Option<JsSimilarOptions>,
    ) -> Promise {
        let key = js::string_arg(&key, "key");
        let parsed = similar_options(options.map_or(JsValue::UNDEFINED, JsValue::from));
        let engine = Rc::clone(&self.engine);
        future_to_promise(async move {
            let key = key.map_err(js_error)?;
            let (opts, attributes, filter) = parsed.map_err(js_error)?;
            let fields = Fields::recommendation(engine.model(), &attributes)
                .map_err(js_error)?
                .with_live(engine.live());
            let ranked = engine
                .similar_rows(&key, opts, &filter)
                .await
                .map_err(js_error)?;
            let mut items = ranked.iter().map(|r| (r.index, r.score));
            Ok(rows::rows(engine.model(), &fields, &mut items))
        })
    }
}
