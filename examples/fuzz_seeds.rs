//! Writes the seed inputs of the fuzz targets (`fuzz/`, docs/RELIABILITY.md): small `.lrm` models
//! made by the crate's own writer — int8 and 4-bit rows, with and without `META` and `NBRS`, an
//! unknown optional section — and history documents, valid ones and edge cases. Small on purpose:
//! a 1 MB model (the demo's) costs the fuzzer milliseconds per run, these microseconds.
//!
//! `cargo run --example fuzz_seeds -- DIR` writes `DIR/model_reader/`, `DIR/model_fixup/` (the
//! same models) and `DIR/history_document/`; the fuzzer grows the corpus from them and what is
//! committed under `fuzz/corpus/` is that corpus minimised (`cargo fuzz cmin`), seeds included.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;

use localrank::model::container::{assemble, parse, RawSection};
use localrank::model::{Metadata, Model, Neighbours};
use ndarray::Array2;

/// `n × d` rows with every value in −7..=7 (so the writer may store them as `QI4R`).
fn four_bit_model(n: usize, d: usize, seed: u64) -> Model {
    let mut m = common::synthetic_model(n, d, seed);
    let mut rng = common::Rng(seed ^ 0x5eed);
    let rows = Array2::from_shape_fn((n, d), |_| (rng.unit() * 7.0).round() as i8);
    m.table.rows = rows.into();
    m.fold.gram = m.table.gram();
    m.extra.rows4 = true;
    m
}

/// Item i → (i + 1) and (i + 2) mod n, two history positions weighted.
fn ring_neighbours(n: usize) -> Neighbours {
    let lists: Vec<Vec<(u32, u8)>> = (0..n)
        .map(|i| vec![(((i + 1) % n) as u32, 200), (((i + 2) % n) as u32, 7)])
        .collect();
    Neighbours::new(vec![255, 128], 0.01, &lists).expect("valid lists")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(dir.join(name), bytes)
}

fn models(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let spec = Model::format_example().expect("the example model builds");
    write(dir, "spec-example.lrm", &spec.to_bytes())?;

    let mut bare = spec.clone();
    bare.meta = Metadata::default();
    write(dir, "spec-no-meta.lrm", &bare.to_bytes())?;

    let mut with_nbrs = common::synthetic_model(5, 4, 1);
    with_nbrs.extra.neighbours = Some(ring_neighbours(5));
    write(dir, "int8-5x4-meta-nbrs.lrm", &with_nbrs.to_bytes())?;

    let mut four = four_bit_model(6, 3, 2); // odd d: a half-filled last byte per row
    four.meta = Metadata::default();
    four.extra.neighbours = Some(ring_neighbours(6));
    write(dir, "qi4r-6x3-nbrs.lrm", &four.to_bytes())?;

    write(
        dir,
        "qi4r-3x8-meta.lrm",
        &four_bit_model(3, 8, 3).to_bytes(),
    )?;
    write(
        dir,
        "int8-1x1.lrm",
        &common::synthetic_model(1, 1, 4).to_bytes(),
    )?;

    // An unknown optional section, which readers skip (docs/FORMAT.md § 1.2).
    let base = spec.to_bytes();
    let mut sections = parse(&base).expect("the writer's own output parses");
    sections.push(RawSection {
        id: *b"XTRA",
        required: false,
        bytes: b"later minor version",
    });
    write(dir, "spec-unknown-optional.lrm", &assemble(&sections))?;
    Ok(())
}

/// History documents: valid ones using the seed models' keys, and the edge cases of § 3.
const DOCUMENTS: &[(&str, &str)] = &[
    ("empty.json", r#"{"format":"localrank-history","version":1,"events":[]}"#),
    (
        "three-kinds.json",
        r#"{"format":"localrank-history","version":1,"events":[{"key":"A1","kind":"view","ts":1764072000000},{"key":"B2","kind":"cart","ts":1764072000001},{"key":"A1","kind":"purchase","ts":1764072000002}]}"#,
    ),
    (
        "unknown-key-float-ts.json",
        r#"{"format":"localrank-history","version":1,"events":[{"key":"item-3","kind":"view","ts":1.5},{"key":"Z9","kind":"view","ts":0}]}"#,
    ),
    (
        "unknown-event-field.json",
        r#"{"format":"localrank-history","version":1,"events":[{"key":"B2","kind":"view","ts":5,"note":"x"}]}"#,
    ),
    (
        "escapes-unicode.json",
        "{\"format\":\"localrank-history\",\"version\":1,\"events\":[{\"key\":\"\\u00e9\\\"\\\\\\ud83d\\ude00\",\"kind\":\"view\",\"ts\":1e3},{\"key\":\"\u{e9}t\u{e9}\",\"kind\":\"cart\",\"ts\":2.5e-3}]}",
    ),
    (
        "negative-ts.json",
        r#"{"format":"localrank-history","version":1,"events":[{"key":"A1","kind":"view","ts":-1}]}"#,
    ),
    (
        "empty-key.json",
        r#"{"format":"localrank-history","version":1,"events":[{"key":"","kind":"view","ts":1}]}"#,
    ),
    (
        "bad-kind.json",
        r#"{"format":"localrank-history","version":1,"events":[{"key":"A1","kind":"wishlist","ts":1}]}"#,
    ),
    (
        "wrong-version.json",
        r#"{"format":"localrank-history","version":2,"events":[]}"#,
    ),
    (
        "wrong-format.json",
        r#"{"format":"other","version":1,"events":[]}"#,
    ),
    (
        "extra-field.json",
        r#"{"format":"localrank-history","version":1,"events":[],"x":1}"#,
    ),
    (
        "huge-ts.json",
        r#"{"format":"localrank-history","version":1,"events":[{"key":"A1","kind":"view","ts":1e308},{"key":"B2","kind":"view","ts":9007199254740993}]}"#,
    ),
];

fn documents(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in DOCUMENTS {
        write(dir, name, text.as_bytes())?;
    }
    // The longest key accepted (512 bytes) and one byte more.
    for (name, len) in [("key-512.json", 512), ("key-513.json", 513)] {
        let doc = format!(
            r#"{{"format":"localrank-history","version":1,"events":[{{"key":"{}","kind":"view","ts":1}}]}}"#,
            "k".repeat(len)
        );
        write(dir, name, doc.as_bytes())?;
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fuzz/seeds".into());
    let out = Path::new(&out);
    models(&out.join("model_reader"))?;
    models(&out.join("model_fixup"))?;
    documents(&out.join("history_document"))?;
    println!("seeds written under {}", out.display());
    Ok(())
}
