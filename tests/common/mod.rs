//! Fixtures shared by the native and browser test suites: small deterministic synthetic models.
#![allow(dead_code)] // each test crate uses a different subset

use localrank::model::{FoldIn, ItemKeys, ItemTable, Metadata, Model};
use ndarray::{Array1, Array2};

/// A tiny deterministic PRNG (splitmix64) so fixtures need no extra crates.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

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
