//! Merchandising rules (`setRules`): pin, boost and bury items or categories without retraining.
//! [`Rules`] is what the page sets (checked against the model once); [`Rules::plan`] resolves it
//! per query, against the live values and the query's exclusions, to a [`RulePlan`] that the
//! [`super::query::Query`] carries to every backend.
//!
//! Semantics (README "Store rules"):
//! - **pin** `{key, position}`: the item is shown at `position` (0 = first), or last when fewer
//!   results come back, if it passes the filter (and `excludeSeen`). Pins win over boost/bury.
//! - **boost** `{key | category, weight}`: `weight` is added to the item's score (a negative
//!   weight demotes); several boosts of one item add up. Scores are of the order of the model's
//!   (`recommend` returns them), so a weight is "how much better than its score says".
//! - **bury** `{key | category}`: the item comes after every item that is not buried (it fills
//!   the list only when too few others qualify). Bury wins over boost.
//!
//! How both backends return the same ids: every row a rule touches is left out of the backend's
//! top-k (added to the exclusions), and [`RulePlan::apply`] scores those few rows exactly on the
//! CPU ([`crate::score::CpuScorer::score_row`]) and merges them into the k the backend returned.
//! That is exact: a row no rule touches that belongs in the final list is among the best k of
//! the rows no rule touches. The cost is one CPU dot product per boosted or pinned row (and per
//! buried row when the others do not fill k).

use super::filter::{category_mask, category_prefix, Column, CATEGORY};
use super::query::{Query, MAX_K};
use crate::live::LiveAttributes;
use crate::model::{AttrType, ItemTable, Model};
use crate::rank::Ranked;
use crate::{Error, Result};

/// What a boost or bury applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// One item, by key.
    Key(String),
    /// A category path prefix ("A > B" covers "A > B > C"), as `filter.category`.
    Category(String),
}

/// An item shown at a fixed position.
#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    pub key: String,
    /// 0-based position in the results.
    pub position: usize,
}

/// A score term for an item or a category.
#[derive(Debug, Clone, PartialEq)]
pub struct Boost {
    pub target: Target,
    /// Added to the score (finite; negative demotes).
    pub weight: f32,
}

/// The store's merchandising rules; the default has none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    pub pins: Vec<Pin>,
    pub boosts: Vec<Boost>,
    pub bury: Vec<Target>,
}

/// [`Rules`] resolved for one query: rows ascending, only rows the query may return.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RulePlan {
    /// `(row, position)` in the order the rules list them.
    pub pins: Vec<(u32, usize)>,
    /// `(row, summed weight)`, ascending by row.
    pub boosts: Vec<(u32, f32)>,
    /// Buried rows, ascending.
    pub buried: Vec<u32>,
}

impl Target {
    fn check(&self, model: &Model, what: &str) -> Result<()> {
        match self {
            Target::Key(k) => row_of(model, k, what).map(drop),
            Target::Category(c) => {
                category_prefix(c, what)?;
                Column::category(model).map(drop).ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "{what}: the model has no {} attribute \"{CATEGORY}\"",
                        AttrType::Text.as_str()
                    ))
                })
            }
        }
    }

    /// The rows this target covers, ascending.
    fn rows(&self, model: &Model, live: &LiveAttributes) -> Result<Vec<u32>> {
        match self {
            Target::Key(k) => Ok(vec![row_of(model, k, "rule")?]),
            Target::Category(c) => {
                let prefix = category_prefix(c, "rule category")?;
                let mask = category_mask(model, live, &prefix).unwrap_or_default();
                Ok((0..mask.len() as u32)
                    .filter(|&i| mask[i as usize])
                    .collect())
            }
        }
    }
}

fn row_of(model: &Model, key: &str, what: &str) -> Result<u32> {
    model
        .keys
        .index_of(key)
        .ok_or_else(|| Error::InvalidArgument(format!("{what}: unknown item key \"{key}\"")))
}

impl Rules {
    /// True without any rule.
    pub fn is_empty(&self) -> bool {
        self.pins.is_empty() && self.boosts.is_empty() && self.bury.is_empty()
    }

    /// Refuses unknown keys, a category rule on a model without categories, a position at or
    /// beyond [`MAX_K`], an item pinned twice and a weight that is not finite.
    pub fn validate(&self, model: &Model) -> Result<()> {
        for (i, p) in self.pins.iter().enumerate() {
            row_of(model, &p.key, "pin")?;
            if p.position >= MAX_K {
                return Err(Error::InvalidArgument(format!(
                    "pin \"{}\": position must be 0..{MAX_K}, got {}",
                    p.key, p.position
                )));
            }
            if self.pins[..i].iter().any(|q| q.key == p.key) {
                return Err(Error::InvalidArgument(format!(
                    "pin: item \"{}\" is pinned twice",
                    p.key
                )));
            }
        }
        for b in &self.boosts {
            b.target.check(model, "boost")?;
            if !b.weight.is_finite() {
                return Err(Error::InvalidArgument(format!(
                    "boost: weight must be a finite number, got {}",
                    crate::error::show_number(f64::from(b.weight))
                )));
            }
        }
        self.bury.iter().try_for_each(|t| t.check(model, "bury"))
    }

    /// The rules for one query: rows `allowed` rejects (filtered out, already seen) are dropped.
    pub fn plan(
        &self,
        model: &Model,
        live: &LiveAttributes,
        allowed: impl Fn(u32) -> bool,
    ) -> Result<RulePlan> {
        if self.is_empty() {
            return Ok(RulePlan::default());
        }
        let mut pins: Vec<(u32, usize)> = Vec::with_capacity(self.pins.len());
        for p in &self.pins {
            let row = row_of(model, &p.key, "pin")?;
            if allowed(row) {
                pins.push((row, p.position));
            }
        }
        let pinned = |row: u32| pins.iter().any(|(r, _)| *r == row);
        let mut buried = Vec::new();
        for t in &self.bury {
            buried.extend(t.rows(model, live)?);
        }
        buried.sort_unstable();
        buried.dedup();
        buried.retain(|&r| allowed(r) && !pinned(r));
        let mut boosts: Vec<(u32, f32)> = Vec::new();
        for b in &self.boosts {
            boosts.extend(
                b.target
                    .rows(model, live)?
                    .into_iter()
                    .map(|r| (r, b.weight)),
            );
        }
        // Summed per row in the order the rules list them (a stable sort keeps that order).
        boosts.sort_by_key(|(r, _)| *r);
        let mut summed: Vec<(u32, f32)> = Vec::with_capacity(boosts.len());
        for (row, w) in boosts {
            match summed.last_mut() {
                Some((last, sum)) if *last == row => *sum += w,
                _ => summed.push((row, w)),
            }
        }
        summed.retain(|&(r, _)| allowed(r) && !pinned(r) && buried.binary_search(&r).is_err());
        Ok(RulePlan {
            pins,
            boosts: summed,
            buried,
        })
    }
}

/// Best first: higher score, then lower row (the order of [`crate::rank::top_k`]).
fn by_rank(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score).then(a.index.cmp(&b.index))
}

impl RulePlan {
    /// True when the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.pins.is_empty() && self.boosts.is_empty() && self.buried.is_empty()
    }

    /// Every row the plan places itself (left out of the backend's top-k), ascending.
    pub fn rows(&self) -> Vec<u32> {
        let mut rows: Vec<u32> = self.pins.iter().map(|(r, _)| *r).collect();
        rows.extend(self.boosts.iter().map(|(r, _)| *r));
        rows.extend(&self.buried);
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// The final ranking of `q`: the backend's best k of the rows no rule touches (`pool`),
    /// merged with the boosted rows, filled with buried rows when short, pins inserted.
    pub fn apply(&self, table: &ItemTable, q: &Query, pool: Vec<Ranked>) -> Vec<Ranked> {
        if self.is_empty() {
            return pool;
        }
        let exact = |row: u32| Ranked {
            index: row,
            score: q.score_of(table, row),
        };
        let slots = q.k.saturating_sub(self.pins.len());
        let mut ranked = pool;
        ranked.extend(self.boosts.iter().map(|&(row, w)| Ranked {
            index: row,
            score: q.score_of(table, row) + w,
        }));
        ranked.sort_by(by_rank);
        ranked.truncate(slots);
        if ranked.len() < slots {
            let mut buried: Vec<Ranked> = self.buried.iter().map(|&r| exact(r)).collect();
            buried.sort_by(by_rank);
            buried.truncate(slots - ranked.len());
            ranked.extend(buried);
        }
        self.place_pins(table, q, ranked)
    }

    /// `ranked` with the pinned rows inserted at their positions (a position past the end puts
    /// the row last), at most `q.k` rows. [`Self::apply`] ends with it; the re-ranking of
    /// [`crate::rank::diversity::rank`] calls it after re-ranking its pool, so that a pin keeps
    /// its position in the list the caller sees.
    pub fn place_pins(&self, table: &ItemTable, q: &Query, mut ranked: Vec<Ranked>) -> Vec<Ranked> {
        let mut pins = self.pins.clone();
        pins.sort_by_key(|(_, pos)| *pos);
        for (row, pos) in pins {
            let pinned = Ranked {
                index: row,
                score: q.score_of(table, row),
            };
            ranked.insert(pos.min(ranked.len()), pinned);
        }
        ranked.truncate(q.k);
        ranked
    }
}
