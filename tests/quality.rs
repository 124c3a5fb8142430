//! The evaluation harness of `localrank eval` (docs/QUALITY.md): known numbers on a fixture
//! small enough to rank by hand, and the same top-k from the browser's engine, the CLI's
//! `recommend` and the harness for one model with an `NBRS` section.
#![cfg(feature = "train")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use futures::executor::block_on;
use localrank::history::store::MemoryStore;
use localrank::history::{EventKind, DEFAULT_CAP};
use localrank::recommender::{Engine, RecommendOptions};
use localrank::score::backend::{Backend, Requested};
use localrank::train::baselines::Popularity;
use localrank::train::experiment::{self, Device, RowFormat};
use localrank::train::privacy::PairPrivacy;
use localrank::train::protocol::{self, Phase, Split};
use localrank::train::seqdata::{parse_s3rec, SeqData};
use localrank::train::transitions::NeighbourParams;
use localrank::train::{Dataset, TrainParams};
use localrank::Model;

/// Users `0 1 2`, `0 1 3`, `1 0 2` in S3-Rec numbering (items from 1).
const FIXTURE: &str = "1 1 2 3\n2 1 2 4\n3 2 1 3\n";

fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("quality");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn popularity_on_the_fixture_gives_the_hand_computed_ranks() {
    let data = parse_s3rec(FIXTURE, "fixture").unwrap();
    // Test: inputs [0,1], [0,1], [1,0]; counts 0:3, 1:3; items 2 and 3 tie at 0, so the
    // lower row ranks first: targets 2, 3, 2 rank 0, 1, 0.
    let test = Split::new(&data.sequences, Phase::Test);
    let pop = Popularity::fit(&test.train, data.items());
    assert_eq!(
        protocol::ranks(&test, data.items(), &pop),
        [Some(0), Some(1), Some(0)]
    );
    let q = protocol::evaluate(&test, data.items(), &pop);
    let expected = (2.0 + 1.0 / 3f64.log2()) / 3.0;
    assert!((q.ndcg10 - expected).abs() < 1e-12, "{q:?}");
    assert_eq!(q.hr10, 1.0);
    // Validation: inputs [0], [0], [1]; targets 1, 1, 0 are each the most popular unseen item.
    let valid = Split::new(&data.sequences, Phase::Validation);
    let pop = Popularity::fit(&valid.train, data.items());
    let q = protocol::evaluate(&valid, data.items(), &pop);
    assert_eq!((q.cases, q.hr10, q.ndcg10), (3, 1.0, 1.0));
}

#[test]
fn the_cli_reports_the_same_numbers_for_the_fixture() {
    let file = tmp("fixture.txt");
    std::fs::write(&file, FIXTURE).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_localrank"))
        .args(["eval", "--model", "pop", "--data"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // (2 + 1/log2 3) / 3 = 0.87698…
    let result = stdout.lines().find(|l| l.starts_with("RESULT")).unwrap();
    assert!(result.contains("HR@10 1.0000  NDCG@10 0.8770"), "{result}");
    assert!(stdout.contains("valid popularity  HR@10 1.0000  NDCG@10 1.0000"));
}

/// A small model with neighbours, trained on the first users of the Scientific data.
fn model_with_neighbours() -> (Model, SeqData) {
    let data = Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/scientific"))
        .unwrap()
        .first_users(400);
    let seq = SeqData {
        keys: data.keys.clone(),
        sequences: data.sequences.clone(),
    };
    let split = Split::new(&seq.sequences, Phase::Test);
    let params = TrainParams {
        dim: 8,
        iterations: 3,
        ..TrainParams::default()
    };
    let dense = experiment::train_dense(&split, seq.items(), &params, &mut |_| {}).unwrap();
    // 400 users are too few pairs for the default minimum support; this file checks scoring,
    // tests/privacy.rs the limits.
    let nb = NeighbourParams {
        privacy: PairPrivacy::default(),
        ..NeighbourParams::default()
    };
    let (m, _) = experiment::ship(
        &seq.keys,
        &split,
        &dense,
        &params,
        RowFormat::Int4,
        Some(&nb),
    )
    .unwrap();
    assert!(m.extra.neighbours.is_some() && m.extra.rows4);
    (m, seq)
}

#[test]
fn engine_cli_and_harness_give_identical_top_k() {
    let (model, seq) = model_with_neighbours();
    let file = tmp("nbrs.lrm");
    std::fs::write(&file, model.to_bytes()).unwrap();
    let history: Vec<u32> = seq.sequences[3].clone();
    let keys: Vec<&str> = history
        .iter()
        .map(|&i| model.keys.key(i as usize))
        .collect();

    // The browser's engine.
    let engine = block_on(Engine::open(
        model.clone(),
        Backend::cpu(Requested::Cpu, "tests"),
        MemoryStore::default(),
        DEFAULT_CAP,
    ))
    .unwrap();
    for (t, k) in keys.iter().enumerate() {
        block_on(engine.record(k, EventKind::View, t as f64)).unwrap();
    }
    let from_engine: Vec<String> = block_on(engine.recommend(RecommendOptions {
        k: 10,
        exclude_seen: true,
        ..Default::default()
    }))
    .unwrap()
    .into_iter()
    .map(|r| r.key)
    .collect();

    // The CLI.
    let out = Command::new(env!("CARGO_BIN_EXE_localrank"))
        .arg("recommend")
        .arg(&file)
        .args(&keys)
        .args(["--k", "10"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let from_cli: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_owned))
        .collect();

    // The harness.
    let mut scores = vec![0f32; model.len()];
    protocol::Ranker::score(&Device(&model), 0, &history, &mut scores);
    let seen: std::collections::HashSet<u32> = history.iter().copied().collect();
    let from_harness: Vec<String> = localrank::rank::top_k(&scores, 10, |i| seen.contains(&i))
        .iter()
        .map(|r| model.keys.key(r.index as usize).to_owned())
        .collect();

    assert_eq!(from_engine.len(), 10);
    assert_eq!(from_engine, from_cli);
    assert_eq!(from_engine, from_harness);
}

#[test]
fn the_neighbour_term_changes_the_ranking() {
    let (model, seq) = model_with_neighbours();
    let mut plain = model.clone();
    plain.extra.neighbours = None;
    let history = &seq.sequences[3];
    let top = |m: &Model| {
        let mut s = vec![0f32; m.len()];
        protocol::Ranker::score(&Device(m), 0, history, &mut s);
        localrank::rank::top_k(&s, 10, |_| false)
            .iter()
            .map(|r| r.index)
            .collect::<Vec<_>>()
    };
    assert_ne!(top(&model), top(&plain));
}

#[test]
fn splits_write_the_training_prefixes_the_peer_reads() {
    let file = tmp("fixture_splits.txt");
    std::fs::write(&file, FIXTURE).unwrap();
    let dir = tmp("splits");
    let out = Command::new(env!("CARGO_BIN_EXE_localrank"))
        .args(["splits", "--data"])
        .arg(&file)
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    assert_eq!(read("valid_train.txt"), "0\n0\n1\n");
    assert_eq!(read("test_train.txt"), "0 1\n0 1\n1 0\n");
    assert_eq!(read("items.txt"), "4\n");
}

#[test]
fn scoring_bytes_count_rows_bias_and_the_whole_neighbour_section() {
    let (model, _) = model_with_neighbours();
    let n = model.len();
    let nb = model.extra.neighbours.as_ref().unwrap();
    // 4-bit rows of d = 8: 4 bytes + scale 4 + bias 4, plus NBRS / N.
    let expected = 12.0 + nb.encoded_len(n) as f64 / n as f64;
    assert!((experiment::scoring_bytes_per_item(&model) - expected).abs() < 1e-9);
    let raw = model.to_bytes();
    let sections = localrank::model::container::parse(&raw).unwrap();
    let nbrs = sections.iter().find(|s| &s.id == b"NBRS").unwrap();
    assert_eq!(nbrs.bytes.len(), nb.encoded_len(n));
}
