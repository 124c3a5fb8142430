//! The JS side of filters, live attributes and merchandising rules: `recommend({filter})`,
//! `setAttributes`, `clearAttributeOverrides` and `setRules`. Every value is checked here as a
//! `JsValue` (callers without TypeScript exist) and turned into the engine's types
//! ([`Filter`], [`OwnedValue`], [`Rules`]); the logic lives in [`crate::score::filter`],
//! [`crate::live`] and [`crate::score::rules`].

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::errors::js_error;
use super::js::{self, Options};
use super::Recommender;
use crate::live::OwnedValue;
use crate::score::filter::Filter;
use crate::score::rules::{Boost, Pin, Rules, Target};
use crate::Error;

#[wasm_bindgen(typescript_custom_section)]
const TS_MERCH: &str = r#"
/**
 * Which items `recommend` may return (`RecommendOptions.filter`); every condition must hold.
 * The conventional attributes are "category" (a path "A > B > C"), "price", "in_stock" and
 * "tags" (joined by "|"); `where` covers any attribute of `attributes()`. An item without a value
 * for a filtered attribute does not qualify. Unknown attributes or values of the wrong type
 * reject with "InvalidArgument". The filter acts inside the top-k: k items come back whenever k
 * qualify.
 */
export interface RecommendFilter {
  /**
   * A category path prefix: "A > B" matches "A > B" and "A > B > C"; a single part also matches
   * the category results show (a path's last part).
   */
  category?: string;
  /** Lowest price, inclusive (attribute "price"). */
  priceMin?: number;
  /** Highest price, inclusive (attribute "price"). */
  priceMax?: number;
  /** true: only items in stock; false: only items out of stock (attribute "in_stock"). */
  inStock?: boolean;
  /** Items with any of these tags (attribute "tags"). */
  tags?: string[];
  /** Only these item keys (keys the model does not know are ignored). */
  include?: string[];
  /** Never these item keys. */
  exclude?: string[];
  /** Attribute → accepted value, or any of several: `{brand: ["Acme", "Bolt"]}`. */
  where?: { [attribute: string]: string | number | boolean | (string | number | boolean)[] };
}
/** Values for `setAttributes`: a value of the attribute's type, or null for "no value now". */
export interface AttributeOverrides { [attribute: string]: string | number | boolean | null; }
/** What a boost or bury applies to: one item key or a category path prefix. */
export type RuleTarget = { key: string; category?: never } | { category: string; key?: never };
/** Merchandising rules (`setRules`); `{}` removes them all. */
export interface StoreRules {
  /** Show `key` at `position` (0 = first; last when fewer results), if it passes the filter. */
  pin?: { key: string; position: number }[];
  /** Add `weight` to the score of an item or of a category's items (negative demotes). */
  boost?: (RuleTarget & { weight: number })[];
  /** Show these after every item that is not buried. */
  bury?: RuleTarget[];
}
"#;

/// A JS string, number or boolean as an attribute value; `None` for anything else.
fn value_from_js(v: &JsValue) -> Option<OwnedValue> {
    if let Some(s) = v.as_string() {
        Some(OwnedValue::Text(s))
    } else if let Some(x) = v.as_f64() {
        Some(OwnedValue::Number(x))
    } else {
        v.as_bool().map(OwnedValue::Bool)
    }
}

fn bad(what: &str, expected: &str) -> Error {
    Error::InvalidArgument(format!("{what} must be {expected}"))
}

/// The own enumerable `[name, value]` pairs of a plain object.
fn entries(v: &JsValue, what: &str) -> Result<Vec<(String, JsValue)>, Error> {
    if !v.is_object() || Array::is_array(v) {
        return Err(bad(what, "an object"));
    }
    let mut out = Vec::new();
    for pair in Object::entries(v.unchecked_ref()).iter() {
        let pair: Array = pair.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        out.push((name, pair.get(1)));
    }
    Ok(out)
}

/// `filter.where`: each attribute → one value or a non-empty array of values.
fn where_from_js(v: &JsValue) -> Result<Vec<(String, Vec<OwnedValue>)>, Error> {
    let mut out = Vec::new();
    for (name, value) in entries(v, "filter.where")? {
        let what = format!("filter.where.{name}");
        let one = |x: &JsValue| {
            value_from_js(x)
                .ok_or_else(|| bad(&what, "a string, a number, a boolean or an array of them"))
        };
        let values = if Array::is_array(&value) {
            let list: &Array = value.unchecked_ref();
            list.iter()
                .map(|x| one(&x))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            vec![one(&value)?]
        };
        out.push((name, values));
    }
    Ok(out)
}

/// The `filter` option of `recommend`.
/// The `filter` option of `recommend` and `similar` (every item when absent).
pub(super) fn filter_option(o: &Options) -> Result<Filter, Error> {
    match o.raw("filter") {
        Some(f) => filter_from_js(f),
        None => Ok(Filter::default()),
    }
}

fn filter_from_js(v: JsValue) -> Result<Filter, Error> {
    let known = [
        "category", "priceMin", "priceMax", "inStock", "tags", "include", "exclude", "where",
    ];
    let o = Options::new(v, "filter", &known)?;
    Ok(Filter {
        category: o.string("category")?,
        price_min: o.number("priceMin")?,
        price_max: o.number("priceMax")?,
        in_stock: o.bool("inStock")?,
        tags: o.strings("tags")?,
        include: o.strings("include")?,
        exclude: o.strings("exclude")?.unwrap_or_default(),
        where_: o
            .raw("where")
            .map(|w| where_from_js(&w))
            .transpose()?
            .unwrap_or_default(),
    })
}

/// The objects of a rule list (`undefined`/`null`: none).
fn rule_list(o: &Options, name: &str) -> Result<Vec<JsValue>, Error> {
    match o.raw(name) {
        None => Ok(Vec::new()),
        Some(v) if Array::is_array(&v) => Ok(v.unchecked_into::<Array>().iter().collect()),
        Some(_) => Err(bad(&format!("rules.{name}"), "an array")),
    }
}

/// `{key}` or `{category}` of a boost or bury entry.
fn target(o: &Options, what: &str) -> Result<Target, Error> {
    match (o.string("key")?, o.string("category")?) {
        (Some(k), None) => Ok(Target::Key(k)),
        (None, Some(c)) => Ok(Target::Category(c)),
        _ => Err(bad(what, "an object with either `key` or `category`")),
    }
}

/// The argument of `setRules`.
fn rules_from_js(v: JsValue) -> Result<Rules, Error> {
    let o = Options::new(v, "rules", &["pin", "boost", "bury"])?;
    let mut rules = Rules::default();
    for p in rule_list(&o, "pin")? {
        let e = Options::new(p, "rules.pin entry", &["key", "position"])?;
        rules.pins.push(Pin {
            key: e
                .string("key")?
                .ok_or_else(|| bad("rules.pin entry key", "a string"))?,
            position: e
                .count("position")?
                .ok_or_else(|| bad("rules.pin entry position", "a whole number ≥ 0"))?,
        });
    }
    for b in rule_list(&o, "boost")? {
        let e = Options::new(b, "rules.boost entry", &["key", "category", "weight"])?;
        let weight = e
            .number("weight")?
            .ok_or_else(|| bad("rules.boost entry weight", "a number"))?;
        rules.boosts.push(Boost {
            target: target(&e, "rules.boost entry")?,
            weight: weight as f32,
        });
    }
    for b in rule_list(&o, "bury")? {
        let e = Options::new(b, "rules.bury entry", &["key", "category"])?;
        rules.bury.push(target(&e, "rules.bury entry")?);
    }
    Ok(rules)
}

#[wasm_bindgen]
impl Recommender {
    /// Sets live values of typed attributes of item `key` (e.g. `{in_stock: false, price: 12.5}`;
    /// `null`: no value now): filters, rules, `items`, `item` and recommendations see them at
    /// once, without retraining. Throws "InvalidArgument" for an unknown key or attribute, a
    /// metadata display field (title, category), or a value of the wrong type; then nothing
    /// changes. Kept in memory only: the page sets them again after a reload.
    #[wasm_bindgen(js_name = setAttributes)]
    pub fn set_attributes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "AttributeOverrides")] values: JsValue,
    ) -> Result<(), JsValue> {
        let key = js::string_arg(&key, "key").map_err(js_error)?;
        let mut parsed = Vec::new();
        for (name, v) in entries(&values, "attribute values").map_err(js_error)? {
            let value =
                if v.is_null() {
                    None
                } else {
                    let what = format!("attribute \"{name}\"");
                    Some(value_from_js(&v).ok_or_else(|| {
                        js_error(bad(&what, "a string, a number, a boolean or null"))
                    })?)
                };
            parsed.push((name, value));
        }
        self.engine.set_attributes(&key, &parsed).map_err(js_error)
    }

    /// Forgets every value `setAttributes` set: the model's values again.
    #[wasm_bindgen(js_name = clearAttributeOverrides)]
    pub fn clear_attribute_overrides(&self) {
        self.engine.clear_attribute_overrides();
    }

    /// Replaces the merchandising rules (pin, boost, bury; `{}` removes them). Throws
    /// "InvalidArgument" for an unknown item key, a category rule on a model without categories,
    /// a position ≥ 10000, an item pinned twice or a weight that is not a finite number; then
    /// the previous rules stay.
    #[wasm_bindgen(js_name = setRules)]
    pub fn set_rules(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StoreRules")] rules: JsValue,
    ) -> Result<(), JsValue> {
        let rules = rules_from_js(rules).map_err(js_error)?;
        self.engine.set_rules(rules).map_err(js_error)
    }
}
