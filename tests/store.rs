//! A store's own files (issue 13): the fixture in tests/fixtures/store/ (derived from
//! data/scientific by scripts/make_store_fixture.py) read as CSV, JSON Lines and Parquet gives
//! the same data and byte-identical models apart from provenance; catalogue items without events
//! stay; training confidences are exactly fold-in's, event kinds included.
#![cfg(feature = "train")]

use std::path::{Path, PathBuf};

use localrank::history::{Event, History};
use localrank::model::{AttrType, AttrValue};
use localrank::score::user::item_weights;
use localrank::train::als::Interactions;
use localrank::train::from_store::{self, ShipOptions};
use localrank::train::store::{self, DropReason, StoreData, StoreOptions};
use localrank::train::transitions::NeighbourParams;
use localrank::train::TrainParams;
use localrank::Model;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/store")
        .join(name)
}

fn options(ext: &str) -> StoreOptions {
    let mut o = StoreOptions::new(
        fixture(&format!("events.{ext}")),
        Some(fixture(&format!("products.{ext}"))),
    );
    o.event_map = "view=view,addtocart=cart,transaction=purchase"
        .parse()
        .unwrap();
    o
}

fn load(ext: &str) -> StoreData {
    store::load(&options(ext), &mut |_, _, _| {}).expect("the fixture reads")
}

fn quick() -> TrainParams {
    TrainParams {
        dim: 8,
        iterations: 3,
        ..TrainParams::default()
    }
}

fn ship() -> ShipOptions {
    ShipOptions {
        rows4: true,
        neighbours: Some(NeighbourParams::default()),
        ..ShipOptions::default()
    }
}

fn train(data: &StoreData) -> Model {
    from_store::train_store(data, &quick(), &ship(), &mut |_| {}).expect("training succeeds")
}

#[test]
fn the_three_formats_give_the_same_store_data() {
    let csv = load("csv");
    for ext in ["jsonl", "parquet"] {
        let other = load(ext);
        assert_eq!(other.keys, csv.keys, "{ext}");
        assert_eq!(other.meta, csv.meta, "{ext}");
        assert_eq!(other.attributes, csv.attributes, "{ext}");
        assert_eq!(other.sequences, csv.sequences, "{ext}");
        assert_eq!(other.events_report.rows, csv.events_report.rows, "{ext}");
    }
}

/// The fuzz targets' entry point: bytes in memory read as the named files would be.
#[test]
fn bytes_in_memory_read_exactly_as_the_files() {
    for ext in ["csv", "jsonl", "parquet"] {
        let opts = options(ext);
        let events = std::fs::read(fixture(&format!("events.{ext}"))).unwrap();
        let products = std::fs::read(fixture(&format!("products.{ext}"))).unwrap();
        let (e, c) = (
            store::Source::Bytes(&events),
            store::Source::Bytes(&products),
        );
        let from_bytes = store::load_from(&opts, e, c, &mut |_, _, _| {}).expect(ext);
        assert_eq!(from_bytes, load(ext), "{ext}");
    }
}

/// A damaged Parquet file is a typed error, whatever the parquet crate does with it (it may
/// panic: its calls run under `catch_unwind`).
#[test]
fn truncated_and_damaged_parquet_bytes_are_typed_errors() {
    let opts = options("parquet");
    let events = std::fs::read(fixture("events.parquet")).unwrap();
    let products = std::fs::read(fixture("products.parquet")).unwrap();
    let step = (events.len() / 97).max(1);
    for cut in (0..events.len()).step_by(step) {
        let mut damaged = events.clone();
        damaged[cut] ^= 0xa5;
        for bytes in [&events[..cut], &damaged[..]] {
            let (e, c) = (store::Source::Bytes(bytes), store::Source::Bytes(&products));
            // Ok is possible (a flipped byte in a value); what must not happen is a panic.
            if let Err(err) = store::load_from(&opts, e, c, &mut |_, _, _| {}) {
                assert!(
                    matches!(
                        err,
                        localrank::Error::Io { .. } | localrank::Error::TooManyBadRows { .. }
                    ),
                    "{err}"
                );
            }
        }
    }
}

#[test]
fn the_three_formats_give_byte_identical_models_apart_from_provenance() {
    let bytes: Vec<Vec<u8>> = ["csv", "jsonl", "parquet"]
        .iter()
        .map(|ext| {
            let (opts, data) = (options(ext), load(ext));
            let mut model = train(&data);
            let created = 1_764_547_200; // fixed: 2025-12-01T00:00:00Z
            let prov = from_store::provenance(&opts, &data, &quick(), &ship(), created).unwrap();
            assert_eq!(prov.get("created"), Some("2025-12-01T00:00:00Z"));
            assert_eq!(prov.get("events_file"), Some(&*format!("events.{ext}")));
            assert_eq!(prov.get("events_sha256").map(str::len), Some(64));
            model.extra.provenance = Some(prov);
            let with = model.to_bytes();
            assert_eq!(Model::from_bytes(&with).unwrap(), model);
            model.extra.provenance = None;
            let without = model.to_bytes();
            assert!(with.len() > without.len());
            without
        })
        .collect();
    assert!(bytes[0] == bytes[1], "CSV and JSON Lines models differ");
    assert!(bytes[0] == bytes[2], "CSV and Parquet models differ");
}

#[test]
fn catalogue_items_without_events_stay_in_the_model() {
    let data = load("csv");
    assert_eq!(data.items(), 180);
    let mut seen = vec![false; data.items()];
    data.sequences
        .iter()
        .flatten()
        .for_each(|e| seen[e.item as usize] = true);
    assert_eq!(seen.iter().filter(|s| !**s).count(), 30);
    let model = train(&data);
    assert_eq!(model.len(), 180);
    assert_eq!(model.keys.iter().collect::<Vec<_>>(), data.keys);
}

#[test]
fn exact_duplicates_are_dropped_and_counted_but_not_held_against_the_limit() {
    // The oracle: identical lines of the CSV (user, item, Unix seconds, type) — 3 planted by
    // the generator plus any the sampled data made itself.
    let text = std::fs::read_to_string(fixture("events.csv")).unwrap();
    let lines: Vec<&str> = text.lines().skip(1).collect();
    let distinct: std::collections::HashSet<&str> = lines.iter().copied().collect();
    let duplicates = (lines.len() - distinct.len()) as u64;
    assert!(duplicates >= 3);
    for ext in ["csv", "jsonl", "parquet"] {
        let r = load(ext).events_report;
        assert_eq!(r.rows, lines.len() as u64, "{ext}");
        assert_eq!(r.count(DropReason::ExactDuplicate), duplicates, "{ext}");
        assert_eq!((r.dropped_total(), r.bad()), (duplicates, 0), "{ext}");
    }
}

#[test]
fn typed_attributes_reach_the_model() {
    let model = Model::from_bytes(&train(&load("jsonl")).to_bytes()).unwrap();
    let schema: Vec<(&str, AttrType)> = model.attributes().schema().collect();
    assert_eq!(
        schema,
        [
            ("brand", AttrType::Text),
            ("category", AttrType::Text),
            ("image_url", AttrType::Text),
            ("in_stock", AttrType::Bool),
            ("price", AttrType::Number),
            ("tags", AttrType::Text),
        ]
    );
    let first = model.keys.key(0).to_owned();
    assert_eq!(
        model.attribute(0, "image_url"),
        Some(AttrValue::Text(&format!(
            "https://img.example.com/{first}.jpg"
        )))
    );
    let priced = (0..model.len())
        .filter(|&i| model.attribute(i, "price").is_some())
        .count();
    assert!(
        priced > 150 && priced < 180,
        "{priced} of 180 items have a price"
    );
    let path = model.attribute(0, "category");
    let Some(AttrValue::Text(path)) = path else {
        panic!("{path:?}")
    };
    assert!(path.starts_with("Industrial & Scientific > "), "{path}");
    assert_eq!(
        model.meta.get(0, "category"),
        path.rsplit(" > ").next().unwrap()
    );
}

#[test]
fn training_confidences_are_exactly_fold_ins_with_event_kinds() {
    let data = load("csv");
    let model = train(&data);
    let inter = Interactions::from_events(data.kind_sequences(), data.items(), &quick());
    let mut kinds_seen = [false; 3];
    for (u, seq) in data.sequences.iter().enumerate() {
        let events = seq
            .iter()
            .map(|e| {
                kinds_seen[e.kind.index()] = true;
                Event::new(&data.keys[e.item as usize], e.kind, e.time_ms as f64).unwrap()
            })
            .collect();
        let history = History::from_events(10_000, events).unwrap();
        assert_eq!(item_weights(&model, &history), inter.by_user[u], "user {u}");
    }
    assert_eq!(
        kinds_seen, [true; 3],
        "the fixture has views, carts and purchases"
    );
}

#[test]
fn equal_timestamps_keep_file_order() {
    let dir = std::env::temp_dir().join(format!("localrank-order-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let events = dir.join("e.csv");
    std::fs::write(
        &events,
        "user_id,item_id,timestamp\nu,b,5\nu,a,5\nu,c,1\nu,a,5\n",
    )
    .unwrap();
    let data = store::load(&StoreOptions::new(&events, None), &mut |_, _, _| {}).unwrap();
    let order: Vec<&str> = data.sequences[0]
        .iter()
        .map(|e| &*data.keys[e.item as usize])
        .collect();
    assert_eq!(order, ["c", "b", "a"]);
    assert_eq!(data.events_report.count(DropReason::ExactDuplicate), 1);
}

/// The fuzz corpora (fuzz/corpus/store_*: what `cargo fuzz` kept from its runs, docs/RELIABILITY.md
/// § 1) as event files and as catalogues: each a typed error or data, and the inputs on which
/// the parquet crate panics are `Io` errors saying so. `LOCALRANK_STORE_CORPUS=DIR:FORMAT` reads
/// another directory (lists the files the parquet crate panicked on).
#[test]
fn every_store_fuzz_corpus_input_is_a_typed_error_or_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut dirs = vec![
        (root.join("store_csv"), "csv"),
        (root.join("store_jsonl"), "jsonl"),
        (root.join("store_parquet"), "parquet"),
    ];
    let extra = std::env::var("LOCALRANK_STORE_CORPUS").ok();
    if let Some((dir, ext)) = extra.as_deref().and_then(|v| v.split_once(':')) {
        dirs = vec![(PathBuf::from(dir), ext)];
    }
    let (mut read, mut caught) = (0, 0);
    for (dir, ext) in dirs {
        let mut opts = options(ext);
        opts.max_bad_rows = store::options::BadRowLimit::Rows(u64::MAX);
        let products = std::fs::read(fixture(&format!("products.{ext}"))).unwrap();
        let events = std::fs::read(fixture(&format!("events.{ext}"))).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            for (e, c) in [(&bytes, &products), (&events, &bytes)] {
                let (e, c) = (store::Source::Bytes(e), store::Source::Bytes(c));
                match store::load_from(&opts, e, c, &mut |_, _, _| {}) {
                    Ok(_)
                    | Err(localrank::Error::TooManyBadRows { .. })
                    | Err(localrank::Error::InvalidArgument(_)) => {}
                    Err(localrank::Error::Io { reason, .. }) => {
                        if reason.contains("the Parquet reader failed") {
                            caught += 1;
                            eprintln!("parquet panic caught: {}", path.display());
                        }
                    }
                    Err(other) => panic!("{}: {other}", path.display()),
                }
            }
            read += 1;
        }
    }
    assert!(read > 0);
    eprintln!("{read} inputs, {caught} reads the parquet crate panicked on");
}
