//! `docs/FORMAT.md` matches the code: the example file printed in the spec parses, and holds
//! exactly the values the spec says it holds.

use localrank::model::container;
use localrank::Model;

fn spec_example_bytes() -> Vec<u8> {
    example_bytes("spec-example")
}

/// The hex dump between `<!-- {marker}:begin -->` and `<!-- {marker}:end -->`.
fn example_bytes(marker: &str) -> Vec<u8> {
    let doc = include_str!("../docs/FORMAT.md");
    let start = doc
        .find(&format!("<!-- {marker}:begin -->"))
        .expect("begin marker");
    let end = doc
        .find(&format!("<!-- {marker}:end -->"))
        .expect("end marker");
    doc[start..end]
        .lines()
        .filter_map(|l| l.split_once(": "))
        .flat_map(|(_, hex)| hex.split_whitespace())
        .map(|b| u8::from_str_radix(b, 16).expect("hex byte"))
        .collect()
}

#[test]
fn the_spec_example_parses_with_the_documented_values() {
    let bytes = spec_example_bytes();
    let m = Model::from_bytes(&bytes).expect("spec example is a valid model");
    assert_eq!((m.len(), m.dim()), (2, 2));
    assert_eq!(m.keys.iter().collect::<Vec<_>>(), ["A1", "B2"]);
    assert_eq!(m.table.rows.row_i8(0).to_vec(), vec![127, -64]);
    assert_eq!(m.table.rows.row_i8(1).to_vec(), vec![0, 127]);
    assert_eq!(m.table.scales.to_vec(), vec![0.5, 0.25]);
    assert_eq!(m.table.bias.to_vec(), vec![0.125, 0.0]);
    assert_eq!(
        (m.fold.lambda, m.fold.alpha, m.fold.decay),
        (1.0, 10.0, 0.5)
    );
    assert_eq!(m.fold.kind_weights, vec![1.0, 2.0, 4.0]);
    assert_eq!(
        m.fold.gram.iter().copied().collect::<Vec<f32>>(),
        vec![4032.25, -2032.0, -2032.0, 2032.0625]
    );
    assert_eq!(m.meta.get(0, "title"), "Glue");
    assert_eq!(m.meta.get(1, "title"), "Tape");
    assert_eq!(m.meta.get(1, "category"), "Tapes");
}

#[test]
fn the_spec_example_has_the_documented_header_and_section_offsets() {
    let bytes = spec_example_bytes();
    assert_eq!(&bytes[..8], b"LRANKMDL");
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 1);
    let sections = container::parse(&bytes).unwrap();
    let at = |id: &[u8; 4]| {
        let s = sections.iter().find(|s| &s.id == id).unwrap();
        (
            s.bytes.as_ptr() as usize - bytes.as_ptr() as usize,
            s.required,
        )
    };
    assert_eq!(at(b"DIMS"), (0xb0, true));
    assert_eq!(at(b"QI8R"), (0xb8, true));
    assert!(!at(b"META").1, "META is optional");
}

#[test]
fn the_writer_reproduces_the_spec_example_byte_for_byte() {
    let bytes = spec_example_bytes();
    let m = Model::from_bytes(&bytes).unwrap();
    assert_eq!(m.to_bytes(), bytes);
}

#[test]
fn the_attribute_example_parses_with_the_documented_values_and_round_trips() {
    use localrank::model::{AttrType, AttrValue};
    let bytes = example_bytes("spec-example-attr");
    let m = Model::from_bytes(&bytes).expect("the ATTR example is a valid model");
    assert_eq!(m.meta.get(0, "title"), "Glue");
    let schema: Vec<_> = m.attributes().schema().collect();
    assert_eq!(
        schema,
        [("price", AttrType::Number), ("in_stock", AttrType::Bool)]
    );
    assert_eq!(m.attribute(0, "price"), Some(AttrValue::Number(3.5)));
    assert_eq!(m.attribute(1, "price"), None);
    assert_eq!(m.attribute(0, "in_stock"), Some(AttrValue::Bool(true)));
    assert_eq!(m.attribute(1, "in_stock"), Some(AttrValue::Bool(false)));
    let prov = m.provenance().expect("PROV");
    assert_eq!(prov.get("created"), Some("2025-12-01T00:00:00Z"));
    let sections = container::parse(&bytes).unwrap();
    let attr = sections.iter().find(|s| &s.id == b"ATTR").unwrap();
    assert!(!attr.required, "ATTR is optional");
    assert_eq!(m.to_bytes(), bytes);
}
