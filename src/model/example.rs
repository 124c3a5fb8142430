//! The example model of docs/FORMAT.md (2 items `A1`, `B2`, d = 2, `META`): the one definition
//! that `examples/spec_example.rs` prints as the spec's hex, the fuzz seeds (`examples/fuzz_seeds.rs`)
//! start from and the fuzz harness (`fuzz/src/lib.rs`) records histories against.

use ndarray::{array, Array1};

use super::{FoldIn, ItemKeys, ItemTable, Metadata, Model};
use crate::Result;

impl Model {
    /// The example model of docs/FORMAT.md: rows `[127, −64]` and `[0, 127]` with scales 0.5 and
    /// 0.25, biases 0.125 and 0, fold-in λ = 1, α = 10, decay 0.5, kind weights 1, 2, 4, and the
    /// titles/categories Glue/Tapes, Tape/Tapes.
    pub fn format_example() -> Result<Self> {
        let table = ItemTable {
            rows: array![[127i8, -64], [0, 127]].into(),
            scales: Array1::from(vec![0.5f32, 0.25]),
            bias: Array1::from(vec![0.125f32, 0.0]),
        };
        let gram = table.gram();
        Ok(Model {
            keys: ItemKeys::new(vec!["A1".into(), "B2".into()])?,
            meta: Metadata {
                fields: vec!["title".into(), "category".into()],
                values: ["Glue", "Tapes", "Tape", "Tapes"].into_iter().collect(),
            },
            fold: FoldIn {
                lambda: 1.0,
                alpha: 10.0,
                decay: 0.5,
                kind_weights: vec![1.0, 2.0, 4.0],
                gram,
            },
            table,
            extra: Default::default(),
        })
    }
}
