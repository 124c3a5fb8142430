//! Fixtures shared by the native and browser test suites: small deterministic synthetic models.
#![allow(dead_code)] // each test crate uses a different subset

use localrank::model::{FoldIn, ItemKeys, ItemTable, Metadata, Model};
use ndarray::{Array1, Array2};

/// The crate's deterministic generator, under the name the tests use.
pub use localrank::rng::SplitMix64 as Rng;

/// A random `n × d` model with keys `item-<i>`, categories `cat-<i % 4>` and a small bias.
pub fn synthetic_model(n: usize, d: usize, seed: u64) -> Model {
    let mut rng = Rng(seed);
    let rows = Array2::from_shape_fn((n, d), |_| rng.unit());
    let bias = Array1::from_shape_fn(n, |_| 0.01 * rng.unit());
    let table = ItemTable::quantise(&rows, bias);
    let gram = table.gram();
    let keys = ItemKeys::new((0..n).map(|i| format!("item-{i}")).collect()).expect("unique keys");
    let meta = Metadata {
        fields: vec!["title".into(), "category".into()],
        values: (0..n)
            .flat_map(|i| [format!("Item {i}"), format!("cat-{}", i % 4)])
            .collect(),
    };
    Model {
        table,
        keys,
        meta,
        fold: FoldIn {
            lambda: 0.5,
            alpha: 10.0,
            decay: 0.9,
            kind_weights: vec![1.0, 2.0, 3.0],
            gram,
        },
        extra: Default::default(),
    }
}
