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
    let weights: Vec<f64> = counts.iter().map(|&c| f64::from(c)).collect();
    popularity_bias_weights(&weights, pop_weight)
}

/// [`popularity_bias`] of non-negative, finite event weights (an imported model's popularity,
/// which need not be a whole count).
pub fn popularity_bias_weights(weights: &[f64], pop_weight: f32) -> Array1<f32> {
    let max = weights.iter().copied().fold(0.0, f64::max);
    if max <= 0.0 {
        return Array1::zeros(weights.len());
    }
    let denom = max.ln_1p();
    weights
        .iter()
        .map(|&c| (f64::from(pop_weight) * c.ln_1p() / denom) as f32)
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
    pack_rows(keys.to_vec(), &f32s, bias, params, rows4)
}

/// The packer every path shares (trained or imported factors): quantises f32 rows (int8, or
/// 4-bit with `rows4`), takes the Gram matrix of the quantised rows for the `FOLD` section, and
/// writes `params`' fold-in settings with the kind weights. No metadata.
pub fn pack_rows(
    keys: Vec<String>,
    rows: &Array2<f32>,
    bias: Array1<f32>,
    params: &TrainParams,
    rows4: bool,
) -> Result<Model> {
    if rows.nrows() != keys.len() || bias.len() != keys.len() {
        return Err(Error::InvalidArgument(format!(
            "{} rows and {} biases for {} items",
            rows.nrows(),
            bias.len(),
            keys.len()
        )));
    }
    let table = if rows4 {
        crate::model::rows4::quantise4(rows, bias)
    } else {
        ItemTable::quantise(rows, bias)
    };
    let gram = table.gram();
    Ok(Model {
        table,
        keys: ItemKeys::new(keys)?,
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
