//! Loading the Amazon "Scientific" dataset as stored in `data/scientific/` (UniSRec/RecBole
//! processing, see its README): item keys in row order, each item's title/category/brand, and
//! every user's chronological sequence of item rows. Not a general RecBole reader.

use std::collections::HashMap;
use std::path::Path;

use super::catalog::Product;
use crate::{Error, Result};

/// Item texts: header, then `ASIN\ttitle. categories. brand. `.
pub const TEXT_FILE: &str = "Scientific.text";
/// Row of each item: `ASIN\tindex` (0-based, dense), no header.
pub const INDEX_FILE: &str = "Scientific.item2index";
/// One row per user: header, then `user\titem_id_list (space separated)\titem_id (target)`.
pub const SEQUENCE_FILE: &str = "Scientific.test.inter";

/// The dataset in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Item keys (ASINs) in row order.
    pub keys: Vec<String>,
    /// Parsed text of each item, in row order.
    pub products: Vec<Product>,
    /// Each user's item rows, oldest first (the history list followed by the target).
    pub sequences: Vec<Vec<u32>>,
}

impl Dataset {
    /// Reads the three files from `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let index_path = dir.join(INDEX_FILE);
        let keys = parse_item_index(&read(&index_path)?, &display(&index_path))?;
        let text_path = dir.join(TEXT_FILE);
        let products = parse_texts(&read(&text_path)?, &keys, &display(&text_path))?;
        let seq_path = dir.join(SEQUENCE_FILE);
        let sequences = parse_sequences(&read(&seq_path)?, keys.len(), &display(&seq_path))?;
        Ok(Self {
            keys,
            products,
            sequences,
        })
    }

    /// Number of items.
    pub fn items(&self) -> usize {
        self.keys.len()
    }

    /// The same catalogue with only the first `n` users (for quick runs and tests).
    pub fn first_users(&self, n: usize) -> Self {
        Self {
            sequences: self.sequences.iter().take(n).cloned().collect(),
            ..self.clone()
        }
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: display(path),
        reason: e.to_string(),
    })
}

fn bad(path: &str, line: usize, reason: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.to_owned(),
        reason: format!("line {line}: {reason}"),
    }
}

fn parse_row(s: &str, items: usize, path: &str, line: usize) -> Result<u32> {
    let row: u32 = s
        .trim()
        .parse()
        .map_err(|_| bad(path, line, format!("{s:?} is not an item index")))?;
    if row as usize >= items {
        return Err(bad(
            path,
            line,
            format!("item index {row} is out of range (there are {items} items)"),
        ));
    }
    Ok(row)
}

/// `ASIN\tindex` lines → keys in row order; indices must be a permutation of `0..N`.
pub fn parse_item_index(text: &str, path: &str) -> Result<Vec<String>> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut keys: Vec<Option<String>> = vec![None; lines.len()];
    for (n, line) in lines.iter().enumerate() {
        let (key, idx) = line
            .split_once('\t')
            .ok_or_else(|| bad(path, n + 1, "expected `ASIN<TAB>index`"))?;
        let row = parse_row(idx, keys.len(), path, n + 1)? as usize;
        if keys[row].replace(key.trim().to_owned()).is_some() {
            return Err(bad(path, n + 1, format!("item index {row} appears twice")));
        }
    }
    let keys: Vec<String> = keys.into_iter().flatten().collect();
    if keys.is_empty() {
        return Err(Error::Io {
            path: path.to_owned(),
            reason: "no items".into(),
        });
    }
    Ok(keys)
}

/// The text file → one [`Product`] per row; every key must have exactly one text.
pub fn parse_texts(text: &str, keys: &[String], path: &str) -> Result<Vec<Product>> {
    let rows: HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut products: Vec<Option<Product>> = vec![None; keys.len()];
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let (key, body) = line
            .split_once('\t')
            .ok_or_else(|| bad(path, n + 1, "expected `ASIN<TAB>text`"))?;
        let &row = rows
            .get(key.trim())
            .ok_or_else(|| bad(path, n + 1, format!("item {key:?} is not in {INDEX_FILE}")))?;
        if products[row].replace(Product::parse(body)).is_some() {
            return Err(bad(path, n + 1, format!("item {key:?} has two texts")));
        }
    }
    products
        .into_iter()
        .enumerate()
        .map(|(row, p)| {
            p.ok_or_else(|| Error::Malformed {
                section: "dataset",
                reason: format!("item {:?} has no text in {path}", keys[row]),
            })
        })
        .collect()
}

/// RecBole `user\thistory\ttarget` lines (after a header) → each user's full sequence.
pub fn parse_sequences(text: &str, items: usize, path: &str) -> Result<Vec<Vec<u32>>> {
    let mut sequences = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(_user), Some(list), Some(target), None) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            return Err(bad(path, n + 1, "expected 3 tab-separated columns"));
        };
        let mut seq = list
            .split_whitespace()
            .map(|s| parse_row(s, items, path, n + 1))
            .collect::<Result<Vec<u32>>>()?;
        seq.push(parse_row(target, items, path, n + 1)?);
        sequences.push(seq);
    }
    Ok(sequences)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sequence_is_the_history_followed_by_the_target() {
        let text = "user_id:token\titem_id_list:token_seq\titem_id:token\n0\t2 0\t1\n1\t\t0\n";
        assert_eq!(
            parse_sequences(text, 3, "t").unwrap(),
            vec![vec![2, 0, 1], vec![0]]
        );
    }

    #[test]
    fn an_out_of_range_item_is_a_typed_error() {
        let text = "header\n0\t1 7\t2\n";
        let err = parse_sequences(text, 3, "t").unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn keys_come_out_in_index_order() {
        let keys = parse_item_index("B\t1\nA\t0\n", "t").unwrap();
        assert_eq!(keys, ["A", "B"]);
    }

    #[test]
    fn a_duplicate_index_is_rejected() {
        assert!(parse_item_index("A\t0\nB\t0\n", "t").is_err());
    }

    #[test]
    fn an_item_without_text_is_rejected() {
        let keys = vec!["A".to_owned(), "B".to_owned()];
        let err = parse_texts("h\nA\tT. . X. \n", &keys, "t").unwrap_err();
        assert!(err.to_string().contains("\"B\""), "{err}");
    }
}
