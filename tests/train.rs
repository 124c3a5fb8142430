//! The native trainer on the real Scientific data: deterministic, packs a valid model, and
//! learns something (held-out items rank far above chance and above popularity).
#![cfg(feature = "train")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use localrank::train::catalog::{DEPARTMENTS, OTHER};
use localrank::train::{evaluate, train_model, Dataset, TrainParams};
use localrank::{Error, Model};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/scientific")
}

fn scientific() -> Dataset {
    Dataset::load(&data_dir()).expect("data/scientific is in the repository")
}

/// Small enough for a debug build.
fn quick() -> TrainParams {
    TrainParams {
        dim: 8,
        iterations: 3,
        ..TrainParams::default()
    }
}

fn train(data: &Dataset, params: &TrainParams) -> Model {
    train_model(data, params, &mut |_| {}).expect("training succeeds")
}

#[test]
fn the_dataset_has_every_item_and_user() {
    let data = scientific();
    assert_eq!(data.items(), 4385);
    assert_eq!(data.products.len(), 4385);
    assert_eq!(data.sequences.len(), 8442);
    assert_eq!(
        data.keys[0], "B00TNNWMXI",
        "row 0 per Scientific.item2index"
    );
    assert_eq!(data.sequences[0], (0..=13).collect::<Vec<u32>>());
}

#[test]
fn every_item_gets_a_known_department_and_few_are_other() {
    let data = scientific();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &data.products {
        assert!(
            p.category == OTHER || DEPARTMENTS.contains(&p.category.as_str()),
            "{p:?}"
        );
        assert!(!p.title.is_empty(), "{p:?}");
        *counts.entry(p.category.as_str()).or_insert(0) += 1;
    }
    // Only items whose text has no category path at all fall back to "Other".
    assert_eq!(counts.get(OTHER), Some(&134), "{counts:#?}");
}

#[test]
fn training_twice_gives_identical_bytes() {
    let data = scientific().first_users(300);
    let a = train(&data, &quick()).to_bytes();
    let b = train(&data, &quick()).to_bytes();
    assert!(a == b, "two runs with the same inputs differ");
}

#[test]
fn the_seed_changes_the_model() {
    let data = scientific().first_users(300);
    let other = TrainParams { seed: 7, ..quick() };
    assert_ne!(
        train(&data, &quick()).to_bytes(),
        train(&data, &other).to_bytes()
    );
}

#[test]
fn the_packed_model_round_trips_with_metadata_and_a_quantised_gram() {
    let data = scientific().first_users(300);
    let model = train(&data, &quick());
    let back = Model::from_bytes(&model.to_bytes()).expect("valid model");
    assert_eq!(back, model);
    assert_eq!(back.len(), 4385);
    assert_eq!(back.dim(), 8);
    assert_eq!(back.keys.key(0), "B00TNNWMXI");
    assert_eq!(back.meta.fields, ["title", "category", "brand"]);
    assert_eq!(
        back.fold.gram,
        back.table.gram(),
        "Gram of the dequantised rows"
    );
}

#[test]
fn held_out_items_rank_well_above_chance_and_popularity() {
    // Release numbers for this run: HR@10 0.049 vs popularity 0.019 (chance 0.0023).
    let data = scientific().first_users(800);
    let params = TrainParams {
        iterations: 4,
        ..quick()
    };
    let r = evaluate::leave_last_out(&data, &params, 10, &mut |_| {}).expect("evaluates");
    let chance = 10.0 / data.items() as f64;
    assert!(r.model.hit_rate > 10.0 * chance, "{r:?}");
    assert!(r.model.hit_rate > r.popularity.hit_rate, "{r:?}");
    assert!(r.model.ndcg > r.popularity.ndcg, "{r:?}");
}

#[test]
fn a_missing_data_directory_is_an_io_error_naming_the_file() {
    let err = Dataset::load(Path::new("/nonexistent/scientific")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("Scientific.item2index"), "{err}");
}

#[test]
fn invalid_parameters_are_rejected_before_training() {
    let data = scientific().first_users(10);
    let bad = TrainParams {
        lambda: 0.0,
        ..quick()
    };
    let err = train_model(&data, &bad, &mut |_| {}).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
}
