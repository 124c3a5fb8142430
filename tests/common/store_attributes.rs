//! The typed catalogue attributes of a synthetic store, defined once for the benchmarks that read
//! or filter on them: `examples/filter_bench.rs` (native CPU path) and the bench crate's
//! `synthetic_lrm` (`bench/wasm`, the model `bench/e2e.mjs` loads into the real package).
//! Deterministic in the item index, so both benchmarks filter the same rows.
//!
//! | attribute | type | value of item i | present |
//! |---|---|---|---|
//! | `image` | text | `https://img.example.com/item-<i>.jpg` | 6 of 7 items |
//! | `category` | text | `D<i%10> > S<i%100> > L<i%1000>` (a subtree `D<x>` is 10 %) | all |
//! | `in_stock` | boolean | `i % 3 != 0` | 4 of 5 items |
//! | `price` | number | `(i % 9973) × 0.25` (0 … 2493) | 9 of 10 items |
//! | `tags` | text | `t<i%20>\|u<i%50>` | all |

use localrank::model::{AttrValues, Attribute, Attributes};

/// The attributes of items `0..n` (see the module table).
pub fn store_attributes(n: usize) -> Attributes {
    let present = |every: usize| (0..n).map(|i| i % every != every - 1).collect();
    let text = |name: &str, present: Vec<bool>, value: &dyn Fn(usize) -> String| Attribute {
        name: name.into(),
        present,
        values: AttrValues::Text((0..n).map(value).collect()),
    };
    Attributes {
        fields: vec![
            text("image", present(7), &|i| {
                format!("https://img.example.com/item-{i}.jpg")
            }),
            text("category", vec![true; n], &|i| {
                format!("D{} > S{} > L{}", i % 10, i % 100, i % 1000)
            }),
            Attribute {
                name: "in_stock".into(),
                present: present(5),
                values: AttrValues::Bool((0..n).map(|i| i % 3 != 0).collect()),
            },
            Attribute {
                name: "price".into(),
                present: present(10),
                values: AttrValues::Number((0..n).map(|i| (i % 9973) as f64 * 0.25).collect()),
            },
            text("tags", vec![true; n], &|i| {
                format!("t{}|u{}", i % 20, i % 50)
            }),
        ],
    }
}
