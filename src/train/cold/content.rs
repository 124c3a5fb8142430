//! Content similarity between catalogue items, computed sparsely: each item is a TF-IDF vector
//! over its title words, its category path prefixes and its brand; the similarity of two items
//! is the cosine of their vectors. [`ContentIndex::nearest`] answers "the M trained items most
//! like this one" through an inverted index, so the cost is the length of the posting lists the
//! item's own features touch, not the catalogue size.
//!
//! Features (each counted once per item): `t:<word>` for every title word (lower case, split at
//! anything not alphanumeric, words of one character dropped), `c:<prefix>` for every prefix of
//! the category path (`a`, `a > b`, `a > b > c`, lower case), `b:<brand>` (lower case). Weight
//! `idf = ln((1 + N) / (1 + df)) + 1` over all N catalogue items, then each vector is scaled to
//! unit length. Features on more than [`MAX_POSTINGS`] trained items are not looked up (words
//! that common say nothing, and skipping them bounds the work on large catalogues).
//! Deterministic: feature ids follow first appearance in item order, sums run in that order, and
//! equal similarities go to the lower row.

use std::collections::HashMap;

/// What the packer knows of an item besides its events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemContent {
    /// Display title.
    pub title: String,
    /// Category path, root first (`["Industrial & Scientific", "Lab", "Pipettes"]`); may be empty.
    pub category_path: Vec<String>,
    /// Brand; may be empty.
    pub brand: String,
}

impl From<&crate::train::catalog::Product> for ItemContent {
    /// A Scientific product: its title, its department as a one-level path, its brand.
    fn from(p: &crate::train::catalog::Product) -> Self {
        Self {
            title: p.title.clone(),
            category_path: vec![p.category.clone()],
            brand: p.brand.clone(),
        }
    }
}

impl ItemContent {
    /// The distinct feature strings of this item, in a fixed order.
    fn features(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let lower = self.title.to_lowercase();
        for w in lower.split(|c: char| !c.is_alphanumeric()) {
            if w.chars().count() > 1 {
                out.push(format!("t:{w}"));
            }
        }
        let mut prefix = String::new();
        for part in &self.category_path {
            let part = part.trim().to_lowercase();
            if part.is_empty() {
                continue;
            }
            if !prefix.is_empty() {
                prefix.push_str(" > ");
            }
            prefix.push_str(&part);
            out.push(format!("c:{prefix}"));
        }
        let brand = self.brand.trim().to_lowercase();
        if !brand.is_empty() {
            out.push(format!("b:{brand}"));
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|f| seen.insert(f.clone()));
        out
    }
}

/// Features on more trained items than this are skipped by [`ContentIndex::nearest`].
pub const MAX_POSTINGS: usize = 20_000;

/// Unit-length TF-IDF vectors of every item and an inverted index over the trained ones.
pub struct ContentIndex {
    /// Per item: `(feature, weight)`, features ascending.
    vectors: Vec<Vec<(u32, f64)>>,
    /// Per feature: `(trained item, weight)`, items ascending.
    postings: Vec<Vec<(u32, f64)>>,
}

impl ContentIndex {
    /// Vectors for `items`; `trained[j]` says whether item j may be returned as a neighbour.
    pub fn new(items: &[ItemContent], trained: &[bool]) -> Self {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut df: Vec<u32> = Vec::new();
        let raw: Vec<Vec<u32>> = items
            .iter()
            .map(|it| {
                let mut v: Vec<u32> = it
                    .features()
                    .into_iter()
                    .map(|f| {
                        let next = ids.len() as u32;
                        let id = *ids.entry(f).or_insert(next);
                        if id as usize == df.len() {
                            df.push(0);
                        }
                        df[id as usize] += 1;
                        id
                    })
                    .collect();
                v.sort_unstable();
                v
            })
            .collect();
        let n = items.len() as f64;
        let idf: Vec<f64> = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + f64::from(d))).ln() + 1.0)
            .collect();
        let mut postings = vec![Vec::new(); df.len()];
        let vectors: Vec<Vec<(u32, f64)>> = raw
            .into_iter()
            .enumerate()
            .map(|(j, feats)| {
                let norm = feats
                    .iter()
                    .map(|&f| idf[f as usize].powi(2))
                    .sum::<f64>()
                    .sqrt();
                let v: Vec<(u32, f64)> =
                    feats.iter().map(|&f| (f, idf[f as usize] / norm)).collect();
                if trained.get(j).copied().unwrap_or(false) {
                    for &(f, w) in &v {
                        postings[f as usize].push((j as u32, w));
                    }
                }
                v
            })
            .collect();
        Self { vectors, postings }
    }

    /// Up to `m` trained items most similar to item `j` (cosine > 0), best first, equal
    /// similarities to the lower row; never `j` itself. `scratch` is a reusable buffer.
    pub fn nearest(&self, j: usize, m: usize, scratch: &mut Scratch) -> Vec<(u32, f64)> {
        let Some(v) = self.vectors.get(j) else {
            return Vec::new();
        };
        for &(f, w) in v {
            let list = &self.postings[f as usize];
            if list.len() > MAX_POSTINGS {
                continue;
            }
            for &(i, wi) in list {
                if i as usize == j {
                    continue;
                }
                let slot = scratch.acc.entry(i).or_insert(0.0);
                *slot += w * wi;
            }
        }
        let mut hits: Vec<(u32, f64)> = scratch.acc.drain().filter(|h| h.1 > 0.0).collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.truncate(m);
        hits
    }
}

/// Reusable accumulator of [`ContentIndex::nearest`].
#[derive(Default)]
pub struct Scratch {
    acc: HashMap<u32, f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, path: &[&str], brand: &str) -> ItemContent {
        ItemContent {
            title: title.into(),
            category_path: path.iter().map(|p| (*p).to_owned()).collect(),
            brand: brand.into(),
        }
    }

    #[test]
    fn features_are_title_words_path_prefixes_and_brand() {
        let f = item("Digital Caliper, 6-inch", &["Tools", "Measure"], "Neiko").features();
        assert_eq!(
            f,
            [
                "t:digital",
                "t:caliper",
                "t:inch",
                "c:tools",
                "c:tools > measure",
                "b:neiko"
            ]
        );
    }

    #[test]
    fn the_nearest_item_shares_the_rarest_features_and_ties_go_to_the_lower_row() {
        let items = [
            item("digital caliper", &["tools", "measure"], "neiko"),
            item("glue stick", &["office"], "elmers"),
            item("digital caliper pro", &["tools", "measure"], "neiko"),
            item("digital caliper pro", &["tools", "measure"], "neiko"),
            item("digital caliper", &["tools", "measure"], "mitutoyo"),
        ];
        let trained = [true, true, true, true, false];
        let idx = ContentIndex::new(&items, &trained);
        let mut s = Scratch::default();
        let near = idx.nearest(4, 3, &mut s);
        let rows: Vec<u32> = near.iter().map(|h| h.0).collect();
        assert_eq!(rows, [0, 2, 3], "{near:?}");
        assert!(near[0].1 > near[1].1 && near[1].1 == near[2].1);
        // The glue shares nothing: never a neighbour; an untrained item is never returned.
        assert!(idx.nearest(1, 5, &mut s).is_empty());
        assert!(idx
            .nearest(0, 5, &mut s)
            .iter()
            .all(|h| h.0 != 4 && h.0 != 0));
    }

    #[test]
    fn an_item_without_content_has_no_neighbours() {
        let items = [item("", &[], ""), item("caliper", &[], "")];
        let idx = ContentIndex::new(&items, &[false, true]);
        assert!(idx.nearest(0, 5, &mut Scratch::default()).is_empty());
        assert!(idx.nearest(9, 5, &mut Scratch::default()).is_empty());
    }
}
