//! Cold start at packing time: catalogue items with fewer than `min_events` events ("cold")
//! get an item vector the trainer could not learn from their events, so they can be
//! recommended and found by `similar`.
//!
//! * [`Placement::Content`] (the default): the similarity-weighted mean of the vectors of the
//!   [`ColdOptions::neighbours`] trained items most like it by content ([`content`]: TF-IDF over
//!   title words, category path prefixes and brand). An item that shares no feature with any
//!   trained item falls back to the popularity placement, and is counted as such.
//! * [`Placement::Popularity`]: the count-weighted mean of the trained vectors, i.e. where a
//!   typical popular item sits.
//! * [`Placement::None`]: the vector ALS gave (zero for an item without events).
//!
//! The popularity prior (`BIAS`) is not changed: a cold item keeps the prior of its own event
//! count, below every item with more events, so placement can lift it only through the shopper's
//! taste, never above popular items by prior alone. "Trained" items are those with at least
//! `min_events` events (and at least one).

pub mod content;

use std::str::FromStr;

use ndarray::{Array1, Array2};

use crate::{Error, Result};
pub use content::{ContentIndex, ItemContent};

/// How cold items get their vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    None,
    Content,
    Popularity,
}

impl Placement {
    /// The flag's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Placement::None => "none",
            Placement::Content => "content",
            Placement::Popularity => "popularity",
        }
    }
}

impl FromStr for Placement {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "none" => Ok(Placement::None),
            "content" => Ok(Placement::Content),
            "popularity" => Ok(Placement::Popularity),
            _ => Err(Error::InvalidArgument(format!(
                "cold placement must be none, content or popularity, got {s:?}"
            ))),
        }
    }
}

/// The packer's cold-start settings (`--cold-placement`, `--cold-min-events`,
/// `--cold-neighbours`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColdOptions {
    pub placement: Placement,
    /// Items with fewer events than this are placed (≥ 1; 1 = only items without events).
    pub min_events: u32,
    /// How many content neighbours are averaged (≥ 1).
    pub neighbours: usize,
}

impl Default for ColdOptions {
    fn default() -> Self {
        Self {
            placement: Placement::Content,
            min_events: DEFAULT_MIN_EVENTS,
            neighbours: DEFAULT_NEIGHBOURS,
        }
    }
}

/// Default of `--cold-min-events`: only items without any event are placed, so an item's own
/// events, however few, are kept (docs/QUALITY.md § 11: on Scientific, 1–3 changed test NDCG@10
/// by less than 0.1 %, 5 raised it 0.6 %, not chosen on validation).
pub const DEFAULT_MIN_EVENTS: u32 = 1;
/// Default of `--cold-neighbours`.
pub const DEFAULT_NEIGHBOURS: usize = 10;

impl ColdOptions {
    /// Refuses `min_events = 0` and `neighbours = 0`.
    pub fn validate(&self) -> Result<()> {
        if self.min_events == 0 {
            return Err(Error::InvalidArgument(
                "--cold-min-events must be ≥ 1 (1 places only items without events)".into(),
            ));
        }
        if self.neighbours == 0 {
            return Err(Error::InvalidArgument(
                "--cold-neighbours must be ≥ 1".into(),
            ));
        }
        Ok(())
    }
}

/// What placement did, for the provenance record and the command's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColdReport {
    pub options: ColdOptions,
    /// Items with fewer than `min_events` events.
    pub cold: usize,
    /// Of those, placed from content neighbours.
    pub by_content: usize,
    /// Of those, placed at the popularity centroid (by choice, or as the content fallback).
    pub by_popularity: usize,
}

impl ColdReport {
    /// One line, e.g. `content: 30 items with < 1 events (28 by content from 10 neighbours, 2 by
    /// popularity, 0 left as trained)`.
    pub fn describe(&self) -> String {
        let o = &self.options;
        format!(
            "{}: {} items with < {} events ({} by content from {} neighbours, {} by popularity, {} left as trained)",
            o.placement.name(),
            self.cold,
            o.min_events,
            self.by_content,
            o.neighbours,
            self.by_popularity,
            self.cold - self.by_content - self.by_popularity
        )
    }
}

/// Replaces the rows of cold items in `factors` (items × d, as ALS returned them) following
/// `opts`. `counts[j]` is item j's number of events; `content[j]` its catalogue text (an empty
/// slice: none known, so content placement falls back to popularity for every item).
pub fn place(
    factors: &mut Array2<f64>,
    counts: &[u32],
    content: &[ItemContent],
    opts: &ColdOptions,
) -> Result<ColdReport> {
    opts.validate()?;
    let n = factors.nrows();
    if counts.len() != n || !(content.is_empty() || content.len() == n) {
        return Err(Error::InvalidArgument(format!(
            "cold placement: {n} rows, {} counts, {} content records",
            counts.len(),
            content.len()
        )));
    }
    let min = opts.min_events.max(1);
    let trained: Vec<bool> = counts.iter().map(|&c| c >= min).collect();
    let cold: Vec<usize> = (0..n).filter(|&j| !trained[j]).collect();
    let mut report = ColdReport {
        options: *opts,
        cold: cold.len(),
        by_content: 0,
        by_popularity: 0,
    };
    if opts.placement == Placement::None || cold.is_empty() || !trained.contains(&true) {
        return Ok(report);
    }
    let centroid = popularity_centroid(factors, counts, &trained);
    let index = (opts.placement == Placement::Content && !content.is_empty())
        .then(|| ContentIndex::new(content, &trained));
    let mut scratch = content::Scratch::default();
    for j in cold {
        let near = index
            .as_ref()
            .map(|ix| ix.nearest(j, opts.neighbours, &mut scratch))
            .unwrap_or_default();
        let row = if near.is_empty() {
            report.by_popularity += 1;
            centroid.clone()
        } else {
            report.by_content += 1;
            weighted_mean(factors, &near)
        };
        factors.row_mut(j).assign(&row);
    }
    Ok(report)
}

/// `Σ c_j y_j / Σ c_j` over trained items.
fn popularity_centroid(factors: &Array2<f64>, counts: &[u32], trained: &[bool]) -> Array1<f64> {
    let mut sum = Array1::<f64>::zeros(factors.ncols());
    let mut total = 0f64;
    for (j, &c) in counts.iter().enumerate() {
        if trained[j] {
            sum.scaled_add(f64::from(c), &factors.row(j));
            total += f64::from(c);
        }
    }
    if total > 0.0 {
        sum /= total;
    }
    sum
}

/// `Σ s_i y_i / Σ s_i` over the neighbours `(i, s_i)`, in their order.
fn weighted_mean(factors: &Array2<f64>, near: &[(u32, f64)]) -> Array1<f64> {
    let mut sum = Array1::<f64>::zeros(factors.ncols());
    let mut total = 0f64;
    for &(i, s) in near {
        sum.scaled_add(s, &factors.row(i as usize));
        total += s;
    }
    sum / total
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn item(title: &str, path: &str) -> ItemContent {
        ItemContent {
            title: title.into(),
            category_path: vec![path.into()],
            brand: String::new(),
        }
    }

    fn setup() -> (Array2<f64>, Vec<u32>, Vec<ItemContent>) {
        let f = array![[1.0, 0.0], [0.0, 1.0], [0.0, 3.0], [0.0, 0.0], [0.0, 0.0]];
        let counts = vec![3, 1, 5, 0, 0];
        let content = vec![
            item("red pipette", "lab"),
            item("blue glue", "office"),
            item("green glue", "office"),
            item("glue refill", "office"),
            item("zzz", "nowhere"),
        ];
        (f, counts, content)
    }

    #[test]
    fn content_places_an_item_among_its_neighbours_and_falls_back_to_popularity() {
        let (mut f, counts, content) = setup();
        let opts = ColdOptions::default();
        let r = place(&mut f, &counts, &content, &opts).unwrap();
        assert_eq!((r.cold, r.by_content, r.by_popularity), (2, 1, 1));
        // The refill: between the two glues (equal similarity → plain mean of rows 1 and 2).
        assert!(
            (f[[3, 0]]).abs() < 1e-12 && (f[[3, 1]] - 2.0).abs() < 1e-12,
            "{f}"
        );
        // No shared feature: the count-weighted centroid (3·[1,0] + 1·[0,1] + 5·[0,3]) / 9.
        assert!((f[[4, 0]] - 3.0 / 9.0).abs() < 1e-12 && (f[[4, 1]] - 16.0 / 9.0).abs() < 1e-12);
        // Trained rows are untouched.
        assert_eq!(f.row(2).to_vec(), [0.0, 3.0]);
        assert!(
            r.describe().starts_with("content: 2 items with < 1 events"),
            "{}",
            r.describe()
        );
    }

    #[test]
    fn min_events_widens_the_cold_set_and_none_changes_nothing() {
        let (f0, counts, content) = setup();
        let mut f = f0.clone();
        let opts = ColdOptions {
            min_events: 2,
            ..ColdOptions::default()
        };
        let r = place(&mut f, &counts, &content, &opts).unwrap();
        assert_eq!(r.cold, 3, "item 1 has one event");
        assert_eq!(f.row(1).to_vec(), [0.0, 3.0], "blue glue ← green glue");
        let mut g = f0.clone();
        let none = ColdOptions {
            placement: Placement::None,
            ..opts
        };
        let r = place(&mut g, &counts, &content, &none).unwrap();
        assert_eq!((r.cold, r.by_content, r.by_popularity), (3, 0, 0));
        assert_eq!(g, f0);
    }

    #[test]
    fn popularity_places_every_cold_item_at_the_centroid() {
        let (mut f, counts, content) = setup();
        let opts = ColdOptions {
            placement: Placement::Popularity,
            ..ColdOptions::default()
        };
        let r = place(&mut f, &counts, &content, &opts).unwrap();
        assert_eq!((r.by_content, r.by_popularity), (0, 2));
        assert_eq!(f.row(3), f.row(4));
    }

    #[test]
    fn bad_settings_and_shapes_are_refused() {
        let (mut f, counts, content) = setup();
        for opts in [
            ColdOptions {
                min_events: 0,
                ..ColdOptions::default()
            },
            ColdOptions {
                neighbours: 0,
                ..ColdOptions::default()
            },
        ] {
            assert!(matches!(
                place(&mut f, &counts, &content, &opts),
                Err(Error::InvalidArgument(_))
            ));
        }
        let short = &content[..2];
        assert!(place(&mut f, &counts, short, &ColdOptions::default()).is_err());
        assert!("Content".parse::<Placement>().is_err());
        assert_eq!(
            "popularity".parse::<Placement>().unwrap(),
            Placement::Popularity
        );
    }
}
