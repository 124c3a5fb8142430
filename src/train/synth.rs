//! A synthetic store for scale tests of the trainer (docs/TRAINING.md): users, items and a
//! chronological event log with a realistic shape — Zipf-like item popularity, items in
//! categories, users with a few favourite categories, sessions of views with occasional carts
//! and purchases, heavy-tailed activity per user.
//!
//! Deterministic and streamable: user `u`'s events come from a generator seeded by `(seed, u)`
//! alone, so [`SynthStore::for_each_user`] yields the same log in memory ([`SynthStore::sequences`])
//! and in a CSV export ([`SynthStore::write_csv`]) without holding both. Not a model of any real
//! store: a workload with the skew and the sequential structure that real logs have.

use std::io::Write;

use crate::history::EventKind;
use crate::rng::SplitMix64;
use crate::{Error, Result};

/// The size and shape of the generated store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoreShape {
    pub users: usize,
    pub items: usize,
    /// Target event count; the generated total is within a few per cent of it.
    pub events: usize,
    /// Popularity exponent: the item of popularity rank r is drawn ∝ 1/(r + 10)^zipf.
    pub zipf: f64,
    pub categories: usize,
    pub seed: u64,
}

impl StoreShape {
    /// The proportions of the target store (1M users, 200K items, 20M events) scaled
    /// to `events`: 20 events per user, 100 per item.
    pub fn scaled(events: usize) -> Self {
        Self {
            users: (events / 20).max(1),
            items: (events / 100).max(2),
            events,
            zipf: 1.0,
            categories: (events / 40_000).clamp(1, 1000),
            seed: 7,
        }
    }
}

/// One generated event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthEvent {
    pub item: u32,
    /// Unix seconds.
    pub time: u64,
    pub kind: EventKind,
    /// Session number within the user.
    pub session: u32,
}

/// Each kind after the previous one: (kind, 1 in how many, seconds after it: min, spread).
const FUNNEL: [(EventKind, usize, u64, usize); 3] = [
    (EventKind::View, 1, 20, 120),
    (EventKind::Cart, 10, 5, 30),
    (EventKind::Purchase, 3, 30, 300),
];

/// Uniform in [0, 1), 53-bit resolution (tail items weigh ~1e-7 of the whole).
fn uniform(rng: &mut SplitMix64) -> f64 {
    rng.symmetric() * 0.5 + 0.5
}

/// Items drawn by popularity within a category: rows and their cumulative weights.
struct Category {
    items: Vec<u32>,
    cumulative: Vec<f64>,
}

impl Category {
    fn draw(&self, rng: &mut SplitMix64) -> u32 {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = uniform(rng) * total;
        let k = self.cumulative.partition_point(|&c| c <= x);
        self.items[k.min(self.items.len() - 1)]
    }
}

/// The generator: the catalogue's categories and popularity, ready to draw users from.
pub struct SynthStore {
    pub shape: StoreShape,
    categories: Vec<Category>,
    /// Categories by total popularity, cumulative.
    category_cumulative: Vec<f64>,
}

impl SynthStore {
    pub fn new(shape: StoreShape) -> Result<Self> {
        if shape.users == 0 || shape.items < 2 || shape.categories == 0 || shape.zipf < 0.0 {
            return Err(Error::InvalidArgument(format!("bad store shape {shape:?}")));
        }
        let mut rng = SplitMix64(shape.seed);
        let mut categories: Vec<Category> = (0..shape.categories)
            .map(|_| Category {
                items: Vec::new(),
                cumulative: Vec::new(),
            })
            .collect();
        // Popularity ranks are a shuffle of the rows, so row order says nothing.
        let mut by_rank: Vec<u32> = (0..shape.items as u32).collect();
        for k in (1..by_rank.len()).rev() {
            by_rank.swap(k, rng.below(k + 1));
        }
        for (rank, &item) in by_rank.iter().enumerate() {
            let weight = (rank as f64 + 10.0).powf(-shape.zipf);
            let c = &mut categories[rng.below(shape.categories)];
            let before = c.cumulative.last().copied().unwrap_or(0.0);
            c.items.push(item);
            c.cumulative.push(before + weight);
        }
        let mut total = 0.0;
        let category_cumulative = categories
            .iter()
            .map(|c| {
                total += c.cumulative.last().copied().unwrap_or(0.0);
                total
            })
            .collect();
        Ok(Self {
            shape,
            categories,
            category_cumulative,
        })
    }

    fn draw_category(&self, rng: &mut SplitMix64) -> usize {
        let total = self.category_cumulative.last().copied().unwrap_or(0.0);
        let x = uniform(rng) * total;
        let k = self.category_cumulative.partition_point(|&c| c <= x);
        k.min(self.categories.len() - 1)
    }

    /// User `u`'s chronological events (at least 2).
    pub fn user_events(&self, u: usize, out: &mut Vec<SynthEvent>) {
        out.clear();
        let mut rng = SplitMix64(self.shape.seed ^ (u as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mean = self.shape.events as f64 / self.shape.users as f64;
        // Heavy-tailed activity: a Pareto-like draw with mean `mean` (shape 2), at least 2.
        let tail = uniform(&mut rng).max(1e-6);
        let count = ((mean / 2.0) / tail.sqrt()).round().max(2.0) as usize;
        let favourites: Vec<usize> = (0..1 + rng.below(3))
            .map(|_| self.draw_category(&mut rng))
            .collect();
        let mut time = 1_700_000_000 + rng.below(90 * 86_400) as u64;
        let mut session = 0u32;
        while out.len() < count {
            let category = if rng.below(10) < 8 {
                favourites[rng.below(favourites.len())]
            } else {
                self.draw_category(&mut rng)
            };
            let length = 1 + rng.below(8);
            let start = out.len();
            for _ in 0..length {
                if out.len() >= count {
                    break;
                }
                let item = if out.len() > start && rng.below(7) == 0 {
                    out[start + rng.below(out.len() - start)].item
                } else {
                    self.categories[category].draw(&mut rng)
                };
                // The funnel: a view, then a cart 1 in 10 times, then a purchase 1 in 3.
                for &(kind, one_in, gap, spread) in &FUNNEL {
                    if out.len() >= count || (one_in > 1 && rng.below(one_in) != 0) {
                        break;
                    }
                    time += gap + rng.below(spread) as u64;
                    out.push(SynthEvent {
                        item,
                        time,
                        kind,
                        session,
                    });
                }
            }
            session += 1;
            time += 3_600 + rng.below(5 * 86_400) as u64;
        }
    }

    /// Calls `f(user, events)` for every user in order.
    pub fn for_each_user(
        &self,
        mut f: impl FnMut(usize, &[SynthEvent]) -> Result<()>,
    ) -> Result<()> {
        let mut events = Vec::new();
        for u in 0..self.shape.users {
            self.user_events(u, &mut events);
            f(u, &events)?;
        }
        Ok(())
    }

    /// Every user's chronological sequence of item rows (all kinds), as the trainer reads them.
    pub fn sequences(&self) -> Vec<Vec<u32>> {
        let mut out = Vec::with_capacity(self.shape.users);
        let collect = |_, events: &[SynthEvent]| {
            out.push(events.iter().map(|e| e.item).collect());
            Ok(())
        };
        // `collect` never fails.
        let _ = self.for_each_user(collect);
        out
    }

    /// Item keys in row order (`P0000000`, …).
    pub fn keys(&self) -> Vec<String> {
        (0..self.shape.items).map(|i| format!("P{i:07}")).collect()
    }

    /// Writes the catalogue as JSON Lines, one product per item row in row order:
    /// `{"item_id":"P0000000","title":"Product 0","category":"Category 12","price":19.99,"in_stock":true}`
    /// (the category the generator drew the item from; a price of 1–500 and nine in ten
    /// items in stock, both drawn from the item's own seed). Returns the number of items.
    pub fn write_catalog_jsonl(&self, out: &mut impl Write) -> Result<usize> {
        let io = |e: std::io::Error| Error::Io {
            path: "catalogue JSONL".into(),
            reason: e.to_string(),
        };
        let mut category = vec![0usize; self.shape.items];
        for (c, cat) in self.categories.iter().enumerate() {
            cat.items.iter().for_each(|&i| category[i as usize] = c);
        }
        for (i, c) in category.iter().enumerate() {
            let mut rng = SplitMix64(self.shape.seed ^ 0x5eed_ca7a_u64.wrapping_mul(i as u64 + 1));
            let cents = 100 + rng.below(49_900);
            let in_stock = rng.below(10) != 0;
            writeln!(
                out,
                "{{\"item_id\":\"P{i:07}\",\"title\":\"Product {i}\",\"category\":\"Category {c}\",\
                 \"price\":{}.{:02},\"in_stock\":{in_stock}}}",
                cents / 100,
                cents % 100
            )
            .map_err(io)?;
        }
        Ok(category.len())
    }

    /// Writes the log as CSV (`user_id,item_id,timestamp,event_type,session_id`, one header
    /// line; event types `view`, `addtocart`, `transaction`). Returns the number of events.
    pub fn write_csv(&self, out: &mut impl Write) -> Result<usize> {
        let io = |e: std::io::Error| Error::Io {
            path: "events CSV".into(),
            reason: e.to_string(),
        };
        writeln!(out, "user_id,item_id,timestamp,event_type,session_id").map_err(io)?;
        let mut n = 0;
        self.for_each_user(|u, events| {
            for e in events {
                let kind = match e.kind {
                    EventKind::View => "view",
                    EventKind::Cart => "addtocart",
                    EventKind::Purchase => "transaction",
                };
                writeln!(
                    out,
                    "U{u:07},P{:07},{},{kind},{u}-{}",
                    e.item, e.time, e.session
                )
                .map_err(io)?;
            }
            n += events.len();
            Ok(())
        })?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> SynthStore {
        SynthStore::new(StoreShape::scaled(200_000)).unwrap()
    }

    #[test]
    fn the_total_is_near_the_target_and_every_user_has_two_events() {
        let s = small().sequences();
        let total: usize = s.iter().map(Vec::len).sum();
        assert!((180_000..220_000).contains(&total), "{total}");
        assert!(s.iter().all(|q| q.len() >= 2));
    }

    #[test]
    fn popularity_is_skewed_like_zipf() {
        let store = small();
        let mut counts = vec![0usize; store.shape.items];
        for q in store.sequences() {
            for i in q {
                counts[i as usize] += 1;
            }
        }
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let total: usize = counts.iter().sum();
        let top1pc: usize = counts[..counts.len() / 100].iter().sum();
        // Zipf(1) over 2,000 items puts about a quarter of the mass on the top 1 %.
        assert!(
            top1pc * 10 > total && top1pc * 2 < total,
            "{top1pc} of {total}"
        );
        assert!(counts.iter().filter(|&&c| c > 0).count() > counts.len() / 2);
    }

    #[test]
    fn times_grow_and_carts_follow_a_view_of_the_same_item() {
        let store = small();
        let mut events = Vec::new();
        let (mut carts, mut purchases) = (0, 0);
        for u in 0..500 {
            store.user_events(u, &mut events);
            assert!(events.windows(2).all(|w| w[0].time < w[1].time));
            for w in events.windows(2) {
                if w[1].kind == EventKind::Cart {
                    carts += 1;
                    assert!(w[0].kind == EventKind::View && w[0].item == w[1].item);
                }
                purchases += usize::from(w[1].kind == EventKind::Purchase);
            }
        }
        assert!(
            carts > 100 && purchases > 20 && purchases < carts,
            "{carts} {purchases}"
        );
    }

    #[test]
    fn the_catalogue_has_one_product_per_item_with_its_category() {
        let store = SynthStore::new(StoreShape::scaled(20_000)).unwrap();
        let mut out = Vec::new();
        assert_eq!(store.write_catalog_jsonl(&mut out).unwrap(), 200);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 200);
        assert!(lines[7].starts_with("{\"item_id\":\"P0000007\",\"title\":\"Product 7\","));
        let c = store
            .categories
            .iter()
            .position(|c| c.items.contains(&7))
            .unwrap();
        assert!(
            lines[7].contains(&format!("\"category\":\"Category {c}\"")),
            "{}",
            lines[7]
        );
        let out_of_stock = lines
            .iter()
            .filter(|l| l.ends_with("\"in_stock\":false}"))
            .count();
        assert!((5..60).contains(&out_of_stock), "{out_of_stock}");
    }

    #[test]
    fn the_csv_holds_the_same_events_as_the_sequences() {
        let store = SynthStore::new(StoreShape::scaled(20_000)).unwrap();
        let mut csv = Vec::new();
        let n = store.write_csv(&mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let seqs = store.sequences();
        assert_eq!(n, seqs.iter().map(Vec::len).sum::<usize>());
        assert_eq!(text.lines().count(), n + 1);
        let first = text.lines().nth(1).unwrap();
        assert!(
            first.starts_with(&format!("U0000000,P{:07},", seqs[0][0])),
            "{first}"
        );
        assert!(first.ends_with(",view,0-0"), "{first}");
    }
}
