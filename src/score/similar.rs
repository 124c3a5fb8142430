//! Item-to-item neighbours for a product page ("customers who viewed this also viewed"), as one
//! more [`Query`] answered by [`super::backend::Backend::top_k`]: the CPU and GPU return the same
//! ids, and whatever later narrows a query (filters) applies to it unchanged.
//!
//! The query of item `i` is the query of a shopper whose whole history is one view of `i`:
//! - the dense term is the fold-in of that one event (§ 2.1: `u = (G + λI + α c y_i y_iᵀ)⁻¹
//!   (1 + α c) y_i`, the item's vector seen through the catalogue's Gram matrix, so items that
//!   co-occur with `i` rank above items that are merely popular);
//! - the sparse term is `i`'s own `NBRS` list at position 0 (§ 2.3), the items that followed `i`
//!   in training histories;
//! - `i` itself is excluded, and so are its variants: the answer is de-duplicated by title like
//!   `recommend`'s default ([`crate::rank::diversity`]), with `i`'s own title taken first, so a
//!   product page does not offer the same product under another key (`dedupe`: another grouping
//!   attribute, or off).
//!
//! Why the whole query rather than "the `NBRS` list first, vectors to fill": on the Scientific
//! validation split, predicting each shopper's next item from the previous one alone, the query
//! ranks better (docs/QUALITY.md § 10, `scripts/similar-quality.sh`).
//!
//! **Fallback.** An item without a usable vector (a zero row: no training events, and no
//! content placement at packing time) and without an `NBRS` list has nothing to be similar by;
//! its neighbours are then the most popular items of its category (the model's display
//! `category`, ranked by the popularity bias alone: a zero user vector), or of the whole
//! catalogue when the model has no categories or the category has no other item.

use super::fold::FoldState;
use super::query::{Query, RecommendOptions};
use crate::history::EventKind;
use crate::model::Model;
use crate::rank::diversity::{Dedupe, Rerank};
use crate::{Error, Result};

/// Options of a similar-items request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimilarOptions {
    /// How many items (1..=[`super::query::MAX_K`]); fewer come back when the catalogue (or, in the fallback,
    /// the category) is smaller.
    pub k: usize,
    /// Near-identical items (default: the same title): one of each group comes back, and none
    /// of the item's own group (its variants). [`Dedupe::Off`] keeps both.
    pub dedupe: Dedupe,
}

impl Default for SimilarOptions {
    fn default() -> Self {
        Self {
            k: 10,
            dedupe: Dedupe::Title,
        }
    }
}

/// How a similar-items query was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The item's vector and `NBRS` list.
    Item,
    /// Nothing to go by: the item's category, most popular first.
    Category,
    /// Nothing to go by and no category: the whole catalogue, most popular first.
    Popular,
}

impl Query {
    /// The similar-items query of the item at `row` (see the module docs), and what it is based
    /// on. Refuses `k` outside 1..=[`super::query::MAX_K`] and a row the model does not have.
    pub fn similar(model: &Model, row: u32, opts: SimilarOptions) -> Result<(Self, Basis)> {
        if row as usize >= model.len() {
            return Err(Error::InvalidArgument(format!(
                "item row {row} is outside the model's {} items",
                model.len()
            )));
        }
        let recommend = RecommendOptions {
            k: opts.k,
            exclude_seen: true,
            rerank: Rerank {
                dedupe: opts.dedupe,
                ..Rerank::default()
            },
        };
        let mut state = FoldState::rebuild(model, &[(row, EventKind::View)]);
        let mut q = Query::new(model, &mut state, recommend)?;
        q.anchor = Some(row);
        if q.user.scale > 0.0 || !q.boosts.is_empty() {
            return Ok((q, Basis::Item));
        }
        // A zero user vector scores every item by its bias alone (§ 2.2: acc = 0).
        let others = same_category_excluded(model, row);
        let basis = match others {
            Some(excluded) => {
                q.excluded = excluded;
                Basis::Category
            }
            None => Basis::Popular,
        };
        Ok((q, basis))
    }
}

/// Every row outside `row`'s category, plus `row`, ascending; `None` when the model has no
/// category, `row` has none, or no other item shares it.
fn same_category_excluded(model: &Model, row: u32) -> Option<Vec<u32>> {
    let field = model.meta.field_index("category")?;
    let category = model.meta.value(row as usize, field);
    if category.is_empty() {
        return None;
    }
    let excluded: Vec<u32> = (0..model.len() as u32)
        .filter(|&j| j == row || model.meta.value(j as usize, field) != category)
        .collect();
    (excluded.len() < model.len()).then_some(excluded)
}
