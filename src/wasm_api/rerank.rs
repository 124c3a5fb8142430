//! The re-ranking options of `recommend` (`diversity`, `dedupe`, `popularityDamping`), read from
//! JS onto [`Rerank`]; their ranges and attribute names are checked by [`Rerank::check`] when the
//! query is built, so every caller gets the same errors.

use wasm_bindgen::prelude::*;

use super::js;
use crate::rank::diversity::{Dedupe, Rerank};
use crate::Error;

#[wasm_bindgen(typescript_custom_section)]
const TS_RERANK: &'static str = r#"
/**
 * Which recommended items count as near-identical (only the best-scored of each group is kept):
 * `true` (the default) groups items with the same title, `false` keeps every item, a string names
 * the catalogue attribute to group by (such as "parent", a parent-product id). Items without a
 * value are never grouped.
 */
export type DedupeOption = boolean | string;
"#;

/// The option names this module reads.
pub(super) const NAMES: [&str; 3] = ["diversity", "dedupe", "popularityDamping"];

/// The re-ranking options of a `recommend` options object, defaults filled in.
pub(super) fn from_js(o: &js::Options) -> Result<Rerank, Error> {
    let dedupe = dedupe_option(o)?;
    let unit = |key| -> Result<f32, Error> { Ok(o.number(key)?.map_or(0.0, |x| x as f32)) };
    Ok(Rerank {
        diversity: unit("diversity")?,
        dedupe,
        popularity_damping: unit("popularityDamping")?,
    })
}

/// The `dedupe` option ([`DedupeOption`] in TypeScript) of `recommend` and `similar`: by title
/// when absent.
pub(super) fn dedupe_option(o: &js::Options) -> Result<Dedupe, Error> {
    Ok(match o.bool_or_string("dedupe")? {
        None | Some(Ok(true)) => Dedupe::Title,
        Some(Ok(false)) => Dedupe::Off,
        Some(Err(name)) => Dedupe::named(&name),
    })
}
