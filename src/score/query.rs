//! One request, for every caller: history → known rows ([`super::fold::known_rows`], one key
//! lookup per event) → fold-in state ([`FoldState`]) → one [`Query`] value → a backend
//! ([`super::backend::Backend`]: CPU or GPU top-k) → ranked rows. The engine (`recommend()`),
//! `localrank recommend` and the evaluation harness all build their query here; full score
//! arrays for offline evaluation come from [`Query::scores`], the CPU reference, so the offline
//! numbers are the browser's.
//!
//! A query carries everything that decides a ranking: the int8 user vector (§ 2.1–2.2), the
//! sorted exclusions and the `NBRS` accumulators (§ 2.3); filters ([`super::filter`]) join the
//! exclusions and merchandising rules ([`super::rules`]) travel as a [`RulePlan`]
//! ([`Query::restrict`]); the re-ranking of the backend's pool ([`Rerank`]: de-duplication,
//! popularity damping, diversity) is applied by [`crate::rank::diversity::rank`] after the
//! backend's top-k. The struct is `#[non_exhaustive]` so that each such feature is written once
//! for every caller and backend.

use super::filter::Filter;
use super::fold::{known_rows, FoldState};
use super::rules::{RulePlan, Rules};
use super::{neighbours, CpuScorer, QuantisedUser};
use crate::history::History;
use crate::live::LiveAttributes;
use crate::model::{ItemTable, Model};
use crate::rank::diversity::Rerank;
use crate::{Error, Result};

/// Largest `k` a caller may ask for.
pub const MAX_K: usize = 10_000;

/// Options of a recommendation request.
#[derive(Debug, Clone, PartialEq)]
pub struct RecommendOptions {
    /// How many items (1..=[`MAX_K`]); fewer come back when the catalogue is smaller.
    pub k: usize,
    /// Leave out items already in the history.
    pub exclude_seen: bool,
    /// De-duplication, popularity damping and diversity (default: de-duplicate by title only).
    pub rerank: Rerank,
}

impl Default for RecommendOptions {
    fn default() -> Self {
        Self {
            k: 10,
            exclude_seen: true,
            rerank: Rerank::default(),
        }
    }
}

/// One ranking request as every backend takes it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Query {
    /// The user vector, quantised (§ 2.2 step 1).
    pub user: QuantisedUser,
    /// How many items to return.
    pub k: usize,
    /// Rows never returned, ascending.
    pub excluded: Vec<u32>,
    /// The sparse neighbour term: `(row, accumulator)` ascending, accumulators ≠ 0 (§ 2.3).
    pub boosts: Vec<(u32, u32)>,
    /// The `NBRS` scale (0 without the section).
    pub boost_scale: f32,
    /// How the backend's pool is re-ranked (checked against the model).
    pub rerank: Rerank,
    /// Merchandising rules for this query; their rows are in `excluded` too (see
    /// [`RulePlan::apply`], which every backend's answer goes through).
    pub rules: RulePlan,
    /// The item a similar-items query is about: its de-duplication group (its title, by
    /// default) is taken before the pool is re-ranked, so its own variants are not "similar".
    pub anchor: Option<u32>,
}

impl Query {
    /// The query of a fold-in state. Refuses `k` outside 1..=[`MAX_K`] and re-ranking options
    /// out of range ([`Rerank::check`]).
    pub fn new(model: &Model, state: &mut FoldState, opts: RecommendOptions) -> Result<Self> {
        if !(1..=MAX_K).contains(&opts.k) {
            return Err(Error::InvalidArgument(format!(
                "k must be 1..={MAX_K}, got {}",
                opts.k
            )));
        }
        opts.rerank.check(model)?;
        let (boosts, boost_scale) = match &model.extra.neighbours {
            Some(nb) => (neighbours::accumulate(nb, state.recent()), nb.scale),
            None => (Vec::new(), 0.0),
        };
        Ok(Self {
            user: state.quantised_user().clone(),
            k: opts.k,
            excluded: if opts.exclude_seen {
                state.seen().to_vec()
            } else {
                Vec::new()
            },
            boosts,
            boost_scale,
            rerank: opts.rerank,
            rules: RulePlan::default(),
            anchor: None,
        })
    }

    /// Restricts the query to the rows `filter` lets through (under the live values) and adds
    /// the store's `rules`: rows that fail join the exclusions, so a backend's top-k skips them
    /// and k rows come back whenever k qualify. Refuses what [`Filter::qualifying`] refuses.
    pub fn restrict(
        &mut self,
        model: &Model,
        live: &LiveAttributes,
        filter: &Filter,
        rules: &Rules,
    ) -> Result<()> {
        let rejected = filter.rejected(model, live)?;
        self.excluded = union(&self.excluded, &rejected);
        let plan = if rules.is_empty() {
            RulePlan::default()
        } else {
            let excluded = self.exclusions();
            rules.plan(model, live, |row| !excluded.contains(row))?
        };
        self.excluded = union(&self.excluded, &plan.rows());
        self.rules = plan;
        Ok(())
    }

    /// Item `row`'s score as [`Self::scores`] computes it (dense term plus neighbour term),
    /// for one row; `f32::NEG_INFINITY` for a row the table does not have.
    pub fn score_of(&self, table: &ItemTable, row: u32) -> f32 {
        let Some(dense) = CpuScorer.score_row(table, &self.user, row as usize) else {
            return f32::NEG_INFINITY;
        };
        match self.boosts.binary_search_by_key(&row, |&(j, _)| j) {
            Ok(at) => neighbours::epilogue(dense, self.boosts[at].1, self.boost_scale),
            Err(_) => dense,
        }
    }

    /// The query of a whole history (the literal formula: the state is rebuilt from it).
    pub fn from_history(model: &Model, history: &History, opts: RecommendOptions) -> Result<Self> {
        let mut state = FoldState::rebuild(model, &known_rows(model, history));
        Self::new(model, &mut state, opts)
    }

    /// True when `row` must not be returned.
    pub fn is_excluded(&self, row: u32) -> bool {
        self.excluded.binary_search(&row).is_ok()
    }

    /// [`Self::is_excluded`] for a pass over every row (a backend's top-k, a rule's category):
    /// built once per pass, a bit set when the list is long.
    pub fn exclusions(&self) -> Exclusions<'_> {
        Exclusions::of(&self.excluded)
    }

    /// The neighbour term as the CPU adds it: `(row, f32(acc) × scale)`, ascending.
    pub fn boost_terms(&self) -> Vec<(u32, f32)> {
        self.boosts
            .iter()
            .map(|&(j, a)| (j, a as f32 * self.boost_scale))
            .collect()
    }

    /// Every item's score in row order, by the CPU reference: the dense scores of § 2.2 plus the
    /// neighbour term of § 2.3 (exclusions and `k` are the caller's business). What offline
    /// evaluation ranks; [`super::backend::Backend::top_k`] returns the best k of these.
    pub fn scores(&self, table: &ItemTable) -> Vec<f32> {
        let mut s = CpuScorer.scores(table, &self.user).to_vec();
        for &(j, a) in &self.boosts {
            if let Some(v) = s.get_mut(j as usize) {
                *v = neighbours::epilogue(*v, a, self.boost_scale);
            }
        }
        s
    }
}

/// Membership in an ascending list of rows, for many look-ups in a row. A filter that lets 10 %
/// of the rows through excludes the other 90 %: a top-k over 100K rows then binary-searched a
/// 90K-row list (~17 probes) for every candidate above its threshold; a bit set answers with
/// one load and costs N/8 bytes, built from the list in one pass.
pub struct Exclusions<'q> {
    sorted: &'q [u32],
    /// Bit `r` set: row `r` is excluded; empty for a short list (searched instead).
    bits: Vec<u64>,
}

impl<'q> Exclusions<'q> {
    /// Below this many rows a binary search is as fast as building the bit set.
    const BITS_FROM: usize = 1024;

    fn of(sorted: &'q [u32]) -> Self {
        let mut bits = Vec::new();
        if let (true, Some(&last)) = (sorted.len() >= Self::BITS_FROM, sorted.last()) {
            bits = vec![0u64; (last as usize >> 6) + 1];
            for &r in sorted {
                if let Some(word) = bits.get_mut(r as usize >> 6) {
                    *word |= 1 << (r & 63);
                }
            }
        }
        Self { sorted, bits }
    }

    /// True when `row` is in the list.
    pub fn contains(&self, row: u32) -> bool {
        if self.bits.is_empty() {
            return self.sorted.binary_search(&row).is_ok();
        }
        self.bits
            .get(row as usize >> 6)
            .is_some_and(|word| word >> (row & 63) & 1 == 1)
    }
}

/// The union of two ascending lists, ascending and without repeats.
fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    if b.is_empty() {
        return a.to_vec();
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x <= y => {
                i += 1;
                j += usize::from(x == y);
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => break,
        };
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Exclusions;

    /// Every row up to past the end, for lists searched (short) and held as bits (long).
    #[test]
    fn exclusions_answer_as_the_sorted_list_does() {
        let short: Vec<u32> = (0..1023).map(|i| i * 3 + 1).collect();
        let long: Vec<u32> = (0..5000).map(|i| i * 7 + i % 3).collect();
        let dense: Vec<u32> = (0..70_000).collect();
        let edges: Vec<u32> = (0..1024).chain([4095, 4096, 100_003]).collect();
        for list in [vec![], vec![0], short, long, dense, edges] {
            let set = Exclusions::of(&list);
            let past = list.last().map_or(0, |&r| r + 130);
            for row in 0..past {
                assert_eq!(
                    set.contains(row),
                    list.binary_search(&row).is_ok(),
                    "row {row}, list of {}",
                    list.len()
                );
            }
            assert!(!set.contains(u32::MAX));
        }
    }
}
