//! Packing trained item factors into a [`Model`]: int8 rows, the popularity bias, ASIN keys,
//! title/category/brand metadata and the fold-in parameters.
//!
//! The Gram matrix is taken from the *quantised* table, because the device folds users in
//! against dequantised rows; a Gram of the f32 factors would not match them.

use ndarray::{Array1, Array2};

use super::{Dataset, TrainParams, KIND_WEIGHTS};
use crate::model::{FoldIn, ItemKeys, ItemTable, Metadata, Model};
use crate::{Error, Result};

/// Display fields written to `META`, in order.
pub const META_FIELDS: [&str; 3] = ["title", "category", "brand"];

/// `pop_weight · ln(1 + count_j) / ln(1 + max count)`: a prior that orders items by
/// popularity when the history is empty, and breaks near-ties otherwise.
pub fn popularity_bias(counts: &[u32], pop_weight: f32) -> Array1<f32> {
    let max = counts.iter().copied().max().unwrap_or(0);
    if max == 0 {
        return Array1::zeros(counts.len());
    }
    let denom = f64::from(max).ln_1p();
    counts
        .iter()
        .map(|&c| (f64::from(pop_weight) * f64::from(c).ln_1p() / denom) as f32)
        .collect()
}

/// Builds the model for `data`'s catalogue from its item factors (rows in item order):
/// [`pack_plain`] plus the catalogue's title/category/brand metadata.
pub fn pack(
    data: &Dataset,
    item_factors: &Array2<f64>,
    counts: &[u32],
    params: &TrainParams,
    rows4: bool,
) -> Result<Model> {
    let mut model = pack_plain(&data.keys, item_factors, counts, params, rows4)?;
    model.meta = Metadata {
        fields: META_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
        values: data
            .products
            .iter()
            .flat_map(|p| [p.title.clone(), p.category.clone(), p.brand.clone()])
            .collect(),
    };
    Ok(model)
}

/// A model without metadata for any catalogue (the evaluation datasets have no texts):
/// int8 (`rows4 = false`) or 4-bit ([`crate::model::rows4`]) rows, bias and fold-in.
pub fn pack_plain(
    keys: &[String],
    item_factors: &Array2<f64>,
    counts: &[u32],
    params: &TrainParams,
    rows4: bool,
) -> Result<Model> {
    if item_factors.nrows() != keys.len() || counts.len() != keys.len() {
        return Err(Error::InvalidArgument(format!(
            "{} factor rows and {} counts for {} items",
            item_factors.nrows(),
            counts.len(),
            keys.len()
        )));
    }
    let f32s = item_factors.mapv(|v| v as f32);
    let bias = popularity_bias(counts, params.pop_weight);
    let table = if rows4 {
        crate::model::rows4::quantise4(&f32s, bias)
    } else {
        ItemTable::quantise(&f32s, bias)
    };
    let gram = table.gram();
    Ok(Model {
        table,
        keys: ItemKeys::new(keys.to_vec())?,
        meta: Metadata::default(),
        fold: FoldIn {
            lambda: params.lambda,
            alpha: params.alpha,
            decay: params.decay,
            kind_weights: KIND_WEIGHTS.to_vec(),
            gram,
        },
        extra: crate::model::Extensions {
            neighbours: None,
            rows4,
            ..Default::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_popular_item_gets_the_full_weight() {
        let b = popularity_bias(&[0, 3, 15], 0.5);
        assert_eq!(b[0], 0.0);
        assert!((b[2] - 0.5).abs() < 1e-7);
        assert!((b[1] - 0.25).abs() < 1e-7, "ln 4 / ln 16 = 1/2");
    }

    #[test]
    fn no_interactions_means_no_bias() {
        assert!(popularity_bias(&[0, 0], 1.0).iter().all(|b| *b == 0.0));
    }
}
