//! Prints the example model of docs/FORMAT.md as hex (how the spec's example was produced);
//! `-- attr`: the same model with the `ATTR` and `PROV` sections of § 1.8–1.9.
use localrank::model::{AttrValues, Attribute, Attributes, Model, Provenance};

fn main() {
    let mut model = Model::format_example().expect("the example model builds");
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
