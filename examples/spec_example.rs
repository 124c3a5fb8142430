//! Prints the example model of docs/FORMAT.md as hex (how the spec's example was produced).
use localrank::model::{FoldIn, ItemKeys, ItemTable, Metadata, Model};
use ndarray::{array, Array1};

fn main() {
    let table = ItemTable {
        rows: array![[127i8, -64], [0, 127]].into(),
        scales: Array1::from(vec![0.5f32, 0.25]),
        bias: Array1::from(vec![0.125f32, 0.0]),
    };
    let gram = table.gram();
    let model = Model {
        keys: ItemKeys::new(vec!["A1".into(), "B2".into()]).expect("unique"),
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
    };
    let bytes = model.to_bytes();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        println!("{:04x}: {}", i * 16, hex.join(" "));
    }
}
