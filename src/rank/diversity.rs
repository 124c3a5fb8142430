//! Re-ranking a candidate pool for a storefront: de-duplication of near-identical items,
//! popularity damping and MMR diversity (`recommend({diversity, dedupe, popularityDamping})`).
//!
//! Every caller of the query path ranks through [`rank`]: it over-fetches a pool of
//! [`pool_size`] candidates from the backend's top-k (CPU or GPU: the same ids, so the same
//! pool), then re-ranks it here, on the CPU, deterministically — so both backends return
//! identical ids and the offline numbers (`localrank diversity`) are the browser's.
//!
//! Steps, in this order, over the pool (best first, ties by lower row):
//! 1. **De-duplicate**: items with the same group (same trimmed title, or the same value of a
//!    grouping attribute such as `"parent"`) keep only their best-scored member; items without a
//!    value form groups of one. If fewer than `k` remain while the catalogue has more, the pool
//!    is fetched again 4× larger (up to [`MAX_K`]).
//! 2. **Damp popularity** by `δ`: `s'_j = s_j − δ · (s_max − s_min) · b_j / b_max`, with `b_j`
//!    the model's per-item popularity prior (`BIAS`, docs/FORMAT.md § 1) and `s_max − s_min` the
//!    pool's score range, so δ = 1 can move the most popular item from the top of the pool to
//!    its bottom whatever the model's score scale.
//! 3. **MMR** (Carbonell & Goldstein 1998) with weight `λ` = `diversity`: repeatedly take the
//!    candidate maximising `(1 − λ) · r_j − λ · max_{s ∈ S} cos(y_j, y_s)`, `r_j` the damped score
//!    min-max scaled to 0..1 over the pool and `y` the dequantised item rows; ties go to the
//!    earlier candidate. λ = 0 is the damped order itself.
//!
//! With all three off the answer is the backend's top-k exactly. Returned scores are the
//! model's scores (the scoring contract), so a re-ranked list is not sorted by score.

use std::borrow::Cow;
use std::collections::HashSet;
use std::future::Future;

use crate::model::attributes::AttrValue;
use crate::model::Model;
use crate::rank::Ranked;
use crate::score::query::{Query, MAX_K};
use crate::{Error, Result};

/// Which items count as near-identical.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Dedupe {
    /// Keep every item.
    Off,
    /// Items with the same (trimmed, non-empty) title: variants listed under two keys.
    #[default]
    Title,
    /// Items with the same value of this catalogue attribute or metadata field (e.g. a parent
    /// product id).
    Attribute(String),
}

impl Dedupe {
    /// From a name: `"title"`, `"off"`, or else the attribute to group by.
    pub fn named(name: &str) -> Self {
        match name {
            "title" => Self::Title,
            "off" => Self::Off,
            attribute => Self::Attribute(attribute.to_owned()),
        }
    }

    /// The name [`Self::named`] reads.
    pub fn name(&self) -> &str {
        match self {
            Self::Title => "title",
            Self::Off => "off",
            Self::Attribute(a) => a,
        }
    }
}

/// The re-ranking options of a request. The default de-duplicates by title and changes nothing
/// else (docs/QUALITY.md § 9: it costs no NDCG@10 on the shipped model).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rerank {
    /// MMR weight of dissimilarity, 0..=1; 0 = pure relevance.
    pub diversity: f32,
    /// De-duplication of near-identical items.
    pub dedupe: Dedupe,
    /// Popularity damping δ, 0..=1; 0 = none.
    pub popularity_damping: f32,
}

/// The candidate pool fetched first for `k` results. Damping and diversity choose within the
/// pool: `max(4k, 50)`. De-duplication alone keeps the ranking's order, so every pool holding
/// `k` groups gives the same answer (the first `k` groups of the ranking): `k + k/4 + 4`, and a
/// pool that turns out short is fetched again, larger ([`rank`]). At most [`MAX_K`].
pub fn pool_size(k: usize, in_order: bool) -> usize {
    let size = if in_order {
        k.saturating_add(k / 4 + 4)
    } else {
        k.saturating_mul(4).max(50)
    };
    size.min(MAX_K)
}

impl Rerank {
    /// No re-ranking at all: the backend's top-k is the answer.
    pub fn is_plain(&self) -> bool {
        self.keeps_order() && self.dedupe == Dedupe::Off
    }

    /// Neither damping nor diversity: the answer keeps the ranking's order (de-duplication at
    /// most drops items from it).
    pub fn keeps_order(&self) -> bool {
        self.diversity == 0.0 && self.popularity_damping == 0.0
    }

    /// Refuses values outside their ranges and grouping names `model` does not have.
    pub fn check(&self, model: &Model) -> Result<()> {
        let unit = |name: &str, v: f32| {
            if v.is_finite() && (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::InvalidArgument(format!(
                    "{name} must be a number in 0..=1, got {}",
                    crate::error::show_number(f64::from(v))
                )))
            }
        };
        unit("diversity", self.diversity)?;
        unit("popularityDamping", self.popularity_damping)?;
        if let Dedupe::Attribute(name) = &self.dedupe {
            let known = model.extra.attributes.field(name).is_some()
                || model.meta.field_index(name).is_some();
            if !known {
                return Err(Error::InvalidArgument(format!(
                    "dedupe: the model has no attribute {name:?} to group by"
                )));
            }
        }
        Ok(())
    }

    /// The group of item `row`; `None`: a group of its own. Text is borrowed from the model (no
    /// allocation per pool item).
    fn group<'m>(&self, model: &'m Model, row: usize) -> Option<Cow<'m, str>> {
        let text = |s: &'m str| Some(s.trim()).filter(|s| !s.is_empty()).map(Cow::Borrowed);
        match &self.dedupe {
            Dedupe::Off => None,
            Dedupe::Title => text(model.meta.get(row, "title")),
            Dedupe::Attribute(name) => match model.extra.attributes.get(row, name) {
                Some(AttrValue::Text(s)) => text(s),
                Some(AttrValue::Number(x)) => Some(Cow::Owned(format!("n{}", x.to_bits()))),
                Some(AttrValue::Bool(b)) => Some(Cow::Owned(format!("b{b}"))),
                None => text(model.meta.get(row, name)),
            },
        }
    }

    /// The best `k` of `pool` (best first, as a backend returns it) after the three steps;
    /// the group of `anchor` (a similar-items query's item) is taken before the pool's.
    pub fn apply(
        &self,
        model: &Model,
        pool: &[Ranked],
        k: usize,
        anchor: Option<u32>,
    ) -> Vec<Ranked> {
        // Without damping or diversity the pool's order is the answer's: only its first k
        // distinct groups can be returned, so the rest of the pool is not grouped at all.
        let in_order = self.keeps_order();
        let wanted = if in_order { k } else { pool.len() };
        let mut groups: HashSet<Cow<'_, str>> = anchor
            .and_then(|a| self.group(model, a as usize))
            .into_iter()
            .collect();
        let mut kept: Vec<Ranked> = Vec::with_capacity(wanted.min(pool.len()));
        for r in pool {
            if kept.len() >= wanted {
                break;
            }
            let first = match self.group(model, r.index as usize) {
                Some(g) => groups.insert(g),
                None => true,
            };
            if first {
                kept.push(*r);
            }
        }
        if in_order {
            return kept;
        }
        let adjusted = damped(model, &kept, self.popularity_damping);
        let mut order: Vec<usize> = (0..kept.len()).collect();
        // Stable: equal damped scores keep the pool's order (score, then lower row).
        order.sort_by(|&a, &b| adjusted[b].total_cmp(&adjusted[a]));
        let picked = if self.diversity == 0.0 {
            order.truncate(k);
            order
        } else {
            mmr(model, &kept, &adjusted, &order, k, self.diversity)
        };
        picked.into_iter().map(|i| kept[i]).collect()
    }
}

/// The pool's scores with popularity damped by `delta` (step 2).
fn damped(model: &Model, pool: &[Ranked], delta: f32) -> Vec<f32> {
    if delta == 0.0 {
        // Each score less 0 × a finite bias: the scores themselves, without the pass over
        // every item's bias that `b_max` takes (diversity alone asks for no damping).
        return pool.iter().map(|r| r.score).collect();
    }
    let bias = &model.table.bias;
    let b_max = match bias.as_slice() {
        Some(all) => largest_magnitude(all),
        None => largest_magnitude(&bias.to_vec()),
    };
    let (lo, hi) = min_max(pool.iter().map(|r| r.score));
    let unit = if b_max > 0.0 {
        delta * (hi - lo) / b_max
    } else {
        0.0
    };
    pool.iter()
        .map(|r| r.score - unit * bias.get(r.index as usize).copied().unwrap_or(0.0))
        .collect()
}

/// The largest `|x|` of `xs` (0 for none), NaN skipped as `f32::max` skips it: compared as
/// bit patterns, whose order is the order of the magnitudes for every non-NaN float. An integer
/// maximum vectorises (SIMD128 in the browser) where the NaN-aware `f32::max` does not, and this
/// runs over every item's bias on each request with popularity damping.
fn largest_magnitude(xs: &[f32]) -> f32 {
    const INFINITY: u32 = 0x7f80_0000;
    let bits = xs
        .iter()
        .map(|x| x.to_bits() & 0x7fff_ffff)
        .map(|m| if m > INFINITY { 0 } else { m })
        .fold(0, u32::max);
    f32::from_bits(bits)
}

fn min_max(xs: impl Iterator<Item = f32>) -> (f32, f32) {
    xs.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    })
}

/// Unit-length dequantised row of item `row` (zeros stay zeros).
pub fn unit_row(model: &Model, row: usize) -> Vec<f32> {
    let y = model.table.dequantised_row(row);
    let norm = y.dot(&y).sqrt();
    let inv = if norm > 0.0 { 1.0 / norm } else { 0.0 };
    y.iter().map(|v| v * inv).collect()
}

/// Cosine of two unit rows.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Mean `1 − cos` over the pairs of `rows` (0 for fewer than two items).
pub fn intra_list_diversity(rows: &[usize], units: &[Vec<f32>]) -> f64 {
    let mut total = 0.0;
    let mut pairs = 0usize;
    for (a, &i) in rows.iter().enumerate() {
        for &j in &rows[a + 1..] {
            total += 1.0 - f64::from(cosine(&units[i], &units[j]));
            pairs += 1;
        }
    }
    if pairs == 0 {
        0.0
    } else {
        total / pairs as f64
    }
}

/// MMR over `order` (indices into `pool`, best damped score first): `k` indices (step 3).
fn mmr(
    model: &Model,
    pool: &[Ranked],
    adjusted: &[f32],
    order: &[usize],
    k: usize,
    lambda: f32,
) -> Vec<usize> {
    let (lo, hi) = min_max(adjusted.iter().copied());
    let range = hi - lo;
    let rel = |i: usize| {
        if range > 0.0 {
            (adjusted[i] - lo) / range
        } else {
            0.0
        }
    };
    let rows: Vec<Vec<f32>> = order
        .iter()
        .map(|&i| unit_row(model, pool[i].index as usize))
        .collect();
    // Per candidate (position in `order`): largest cosine to anything picked so far.
    let mut max_sim = vec![f32::NEG_INFINITY; order.len()];
    let mut taken = vec![false; order.len()];
    let mut picked = Vec::with_capacity(k.min(order.len()));
    while picked.len() < k {
        let mut best: Option<(usize, f32)> = None;
        for (p, &i) in order.iter().enumerate() {
            if taken[p] {
                continue;
            }
            let sim = if max_sim[p].is_finite() {
                max_sim[p]
            } else {
                0.0
            };
            let v = (1.0 - lambda) * rel(i) - lambda * sim;
            if best.is_none_or(|(_, b)| v > b) {
                best = Some((p, v));
            }
        }
        let Some((p, _)) = best else { break };
        taken[p] = true;
        picked.push(order[p]);
        for (q, row) in rows.iter().enumerate() {
            if !taken[q] {
                max_sim[q] = max_sim[q].max(cosine(&rows[p], row));
            }
        }
    }
    picked
}

/// The next pool size when de-duplication left fewer than `k` items; `None` when the answer
/// stands (enough items, the catalogue exhausted, or the pool at [`MAX_K`]).
fn next_pool(size: usize, fetched: usize, kept: usize, k: usize) -> Option<usize> {
    (kept < k && fetched >= size && size < MAX_K).then(|| size.saturating_mul(4).min(MAX_K))
}

/// The ranking of `query` (its [`Query::rerank`], checked when the query was built): `fetch` answers a query's top-k (a backend, or the
/// CPU reference over full scores offline), over-fetched and re-ranked as the module says.
pub async fn rank<F, Fut>(model: &Model, query: &Query, mut fetch: F) -> Vec<Ranked>
where
    F: FnMut(Query) -> Fut,
    Fut: Future<Output = Vec<Ranked>>,
{
    let rerank = &query.rerank;
    if rerank.is_plain() {
        return fetch(query.clone()).await;
    }
    // Pins are positions in the list the caller sees: the pool is ranked without them (their
    // rows stay excluded) and they are placed after the re-ranking.
    let mut base = query.clone();
    base.rules.pins.clear();
    let k = query.k.saturating_sub(query.rules.pins.len());
    let mut size = pool_size(k, rerank.keeps_order());
    loop {
        let mut q = base.clone();
        q.k = size;
        let pool = fetch(q).await;
        let out = rerank.apply(model, &pool, k, query.anchor);
        match next_pool(size, pool.len(), out.len(), k) {
            Some(bigger) => size = bigger,
            None => return query.rules.place_pins(&model.table, query, out),
        }
    }
}

/// [`rank`] for a fetch that answers at once (native callers: the CLI and offline evaluation).
pub fn rank_now(
    model: &Model,
    query: &Query,
    mut fetch: impl FnMut(&Query) -> Vec<Ranked>,
) -> Vec<Ranked> {
    use std::task::{Context, Poll, Waker};
    let mut fut = std::pin::pin!(rank(model, query, |q| std::future::ready(fetch(&q))));
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        // Every await in `rank` is on a ready future: the first poll finishes.
        if let Poll::Ready(r) = fut.as_mut().poll(&mut cx) {
            return r;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::largest_magnitude;

    #[test]
    fn largest_magnitude_is_the_float_maximum_of_absolute_values() {
        let cases: [&[f32]; 6] = [
            &[],
            &[0.0, -0.0],
            &[0.25, -3.5, 1.0e-40, 2.0],
            &[f32::NAN, -1.5, 0.5],
            &[-f32::INFINITY, 7.0],
            &[f32::MIN_POSITIVE, -f32::MAX],
        ];
        for xs in cases {
            let want = xs.iter().fold(0f32, |m, &b| m.max(b.abs()));
            assert_eq!(largest_magnitude(xs).to_bits(), want.to_bits(), "{xs:?}");
        }
    }
}
