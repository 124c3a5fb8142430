//! Prints the example model of docs/FORMAT.md as hex (how the spec's example was produced);
//! `-- attr`: the same model with the `ATTR` and `PROV` sections of § 1.8–1.9.
use localrank::model::{
    AttrValues, Attribute, Attributes, FoldIn, ItemKeys, ItemTable, Metadata, Model, Provenance,
};
use ndarray::{array, Array1};

fn main() {
    let table = ItemTable {
        rows: array![[127i8, -64], [0, 127]].into(),
        scales: Array1::from(vec![0.5f32, 0.25]),
        bias: Array1::from(vec![0.125f32, 0.0]),
    };
    let gram = table.gram();
    let mut model = Model {
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
    if std::env::args().nth(1).as_deref() == Some("attr") {
        model.extra.attributes = Attributes {
            fields: vec![
                Attribute {
                    name: "price".into(),
                    present: vec![true, false],
                    values: AttrValues::Number(vec![3.5, 0.0]),
                },
                Attribute {
                    name: "in_stock".into(),
                    present: vec![true, true],
                    values: AttrValues::Bool(vec![true, false]),
                },
            ],
        };
        model.extra.provenance = Some(Provenance {
            entries: vec![("created".into(), "2025-12-01T00:00:00Z".into())],
        });
    }
    let bytes = model.to_bytes();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        println!("{:04x}: {}", i * 16, hex.join(" "));
    }
}
