//! Evaluation datasets read by path: the RecBole/UniSRec directory of the Amazon "Scientific"
//! data (via [`super::Dataset`]) and the S3-Rec sequence files of Sports and Toys
//! (`user item item …` per line, items numbered from 1, chronological).
//!
//! Both become [`SeqData`]: item keys in row order and one chronological sequence of rows per
//! user. S3-Rec items have no key of their own, so item `k` gets the key `"k"` (row `k − 1`).

use std::path::Path;

use super::Dataset;
use crate::{Error, Result};

/// Item keys and every user's sequence of item rows, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct SeqData {
    /// Item keys in row order.
    pub keys: Vec<String>,
    /// One chronological sequence of item rows per user.
    pub sequences: Vec<Vec<u32>>,
}

impl SeqData {
    /// Reads a RecBole directory (with `Scientific.test.inter`) or an S3-Rec `.txt` file.
    pub fn load(path: &Path) -> Result<Self> {
        if path.is_dir() {
            let d = Dataset::load(path)?;
            return Ok(Self {
                keys: d.keys,
                sequences: d.sequences,
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        parse_s3rec(&text, &path.display().to_string())
    }

    /// Number of items.
    pub fn items(&self) -> usize {
        self.keys.len()
    }

    /// Total events over all sequences.
    pub fn events(&self) -> usize {
        self.sequences.iter().map(Vec::len).sum()
    }

    /// The same items with only the first `n` users.
    pub fn first_users(&self, n: usize) -> Self {
        Self {
            keys: self.keys.clone(),
            sequences: self.sequences.iter().take(n).cloned().collect(),
        }
    }
}

/// `user item item …` lines (items ≥ 1) → keys `"1" … "N"` (N = largest item) and sequences.
pub fn parse_s3rec(text: &str, path: &str) -> Result<SeqData> {
    let bad = |line: usize, reason: String| Error::Io {
        path: path.to_owned(),
        reason: format!("line {line}: {reason}"),
    };
    let mut sequences = Vec::new();
    let mut max = 0u32;
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace();
        if fields.next().is_none() {
            continue;
        }
        let seq = fields
            .map(|f| match f.parse::<u32>() {
                Ok(k) if (1..=crate::model::MAX_ITEMS).contains(&k) => Ok(k - 1),
                _ => Err(bad(n + 1, format!("{f:?} is not an item number ≥ 1"))),
            })
            .collect::<Result<Vec<u32>>>()?;
        max = max.max(seq.iter().copied().max().map_or(0, |m| m + 1));
        sequences.push(seq);
    }
    if max == 0 {
        return Err(Error::Io {
            path: path.to_owned(),
            reason: "no items".into(),
        });
    }
    Ok(SeqData {
        keys: (1..=max).map(|k| k.to_string()).collect(),
        sequences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3rec_items_become_rows_from_zero() {
        let d = parse_s3rec("1 1 2 3\n2 3 1\n\n", "t").unwrap();
        assert_eq!(d.keys, ["1", "2", "3"]);
        assert_eq!(d.sequences, vec![vec![0, 1, 2], vec![2, 0]]);
        assert_eq!(d.events(), 5);
    }

    #[test]
    fn item_zero_is_rejected_with_its_line() {
        let err = parse_s3rec("1 1 2\n2 0 1\n", "t").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
