//! Item factors trained elsewhere (PyTorch, `implicit`, TensorFlow, Spark) packed into a `.lrm`
//! model: [`ImportedFactors`] (keys, an items × d matrix, optional popularity) with its
//! validation, the readers of the files such tools write ([`npy`], [`safetensors`], a keys file
//! in [`keys`]), the catalogue read on its own ([`Catalogue`]) and [`pack_imported`], which joins
//! the two and hands the rows to the native packer ([`crate::train::pack::pack_rows`]).
//!
//! Not a trainer: nothing here fits factors. The library half of `localrank pack`.

mod catalogue;
pub mod keys;
pub mod npy;
mod pack;
mod report;
pub mod safetensors;
pub mod spark;

use std::collections::HashMap;

use ndarray::Array2;

use crate::model::MAX_DIM;
use crate::{Error, Result};

pub use catalogue::Catalogue;
pub use pack::{pack_imported, provenance, settings_line, ImportOptions, ImportSummary, Packed};
pub use report::{model_report, ReportParts};

/// How many offending keys or cells an error message names.
const EXAMPLES: usize = 3;

/// Item factors from another trainer: row `i` of `factors` is the item `keys[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedFactors {
    /// Item keys, one per row, as the catalogue spells them.
    pub keys: Vec<String>,
    /// `items × d` factors.
    pub factors: Array2<f32>,
    /// Per-item popularity (event counts or weights, ≥ 0), for the popularity bias; `None`:
    /// no bias (an empty history then ranks every item 0).
    pub popularity: Option<Vec<f64>>,
}

fn invalid(msg: String) -> Error {
    Error::InvalidArgument(msg)
}

impl ImportedFactors {
    /// Checks what the packer relies on, naming the first offenders: at least one item; as
    /// many rows as keys; `d` in 1..=[`MAX_DIM`]; no empty or duplicate key; finite factors;
    /// popularity (if any) one finite value ≥ 0 per item.
    pub fn validate(&self) -> Result<()> {
        let (rows, d) = self.factors.dim();
        if self.keys.is_empty() || rows == 0 {
            return Err(invalid(format!(
                "imported factors are empty ({rows} rows, {} keys)",
                self.keys.len()
            )));
        }
        if rows != self.keys.len() {
            return Err(invalid(format!(
                "the factor matrix has {rows} rows but there are {} keys (one key per row)",
                self.keys.len()
            )));
        }
        if !(1..=MAX_DIM as usize).contains(&d) {
            return Err(invalid(format!(
                "factor dimension {d} is outside 1..={MAX_DIM}"
            )));
        }
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(self.keys.len());
        let mut duplicates = Vec::new();
        for (i, k) in self.keys.iter().enumerate() {
            if k.trim().is_empty() {
                return Err(invalid(format!("key #{i} is empty")));
            }
            if let Some(first) = seen.insert(k, i) {
                duplicates.push(format!("{k:?} (rows {first} and {i})"));
            }
        }
        if !duplicates.is_empty() {
            return Err(invalid(format!(
                "{} duplicate keys, e.g. {}",
                duplicates.len(),
                duplicates[..duplicates.len().min(EXAMPLES)].join(", ")
            )));
        }
        let bad: Vec<(usize, usize, f32)> = self
            .factors
            .indexed_iter()
            .filter(|(_, v)| !v.is_finite())
            .map(|((i, j), v)| (i, j, *v))
            .take(EXAMPLES + 1)
            .collect();
        if let Some(&(i, j, v)) = bad.first() {
            let count = self.factors.iter().filter(|v| !v.is_finite()).count();
            return Err(invalid(format!(
                "{count} factor values are NaN or infinite, the first {v} at row {i} ({:?}), column {j}",
                self.keys[i]
            )));
        }
        if let Some(p) = &self.popularity {
            if p.len() != rows {
                return Err(invalid(format!(
                    "{} popularity values for {rows} items",
                    p.len()
                )));
            }
            if let Some(i) = p.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
                return Err(invalid(format!(
                    "popularity of {:?} (row {i}) is {}, not a finite number ≥ 0",
                    self.keys[i], p[i]
                )));
            }
        }
        Ok(())
    }
}
