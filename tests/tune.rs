//! `--tune` and the model report as library calls (src/train/tune.rs, src/train/report/): the
//! search is deterministic and keeps to its budget, picks its best validation trial and returns
//! a shippable model; the report carries every figure, in JSON and Markdown, and scores a
//! baseline `.lrm` exactly as the browser would.
#![cfg(feature = "train")]

use std::path::Path;

use localrank::train::experiment::Device;
use localrank::train::protocol::{self, Ranker};
use localrank::train::report::{
    DroppedRows, Foreign, InputRows, ModelReport, ReportInput, DEFAULT_SAMPLE_USERS,
};
use localrank::train::splits::Splits;
use localrank::train::tune::{self, Candidate, Stop, TuneOptions};
use localrank::train::{Dataset, TrainParams};
use localrank::Model;

/// The first 300 Scientific users and a small, fast ALS (debug builds).
fn small() -> (Vec<String>, Vec<Vec<u32>>) {
    let d = Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/scientific"))
        .expect("data/scientific is in the repository")
        .first_users(300);
    (d.keys, d.sequences)
}

fn options(trials: usize) -> TuneOptions {
    let mut start = Candidate::scientific();
    start.train = TrainParams {
        dim: 8,
        iterations: 2,
        ..TrainParams::default()
    };
    TuneOptions {
        trials,
        start,
        search_als: false,
        ..TuneOptions::default()
    }
}

#[test]
fn tuning_is_deterministic_keeps_its_budget_and_picks_its_best_trial() {
    let (keys, seqs) = small();
    let splits = Splits::leave_one_out(&seqs);
    let mut heard = 0;
    let a = tune::tune(&keys, &seqs, &splits, &options(5), &mut |_| heard += 1).unwrap();
    assert!(a.trials.len() <= 5 && heard == a.trials.len());
    assert!(a.stop == Stop::Budget || a.stop == Stop::Converged);
    let best = a
        .trials
        .iter()
        .map(|t| t.valid.ndcg10)
        .fold(f64::MIN, f64::max);
    assert_eq!(a.chosen.valid.ndcg10, best);
    assert!(a.trials.iter().all(|t| t.bytes_per_item <= 100.0));
    let b = tune::tune(&keys, &seqs, &splits, &options(5), &mut |_| {}).unwrap();
    // Everything but the measured seconds is the same.
    let strip = |v: &[tune::Trial]| -> Vec<_> {
        v.iter()
            .map(|t| (t.number, t.candidate, t.valid, t.bytes_per_item))
            .collect()
    };
    assert_eq!(strip(&a.trials), strip(&b.trials));
    assert_eq!(
        a.model.to_bytes(),
        b.model.to_bytes(),
        "same data and budget, same model"
    );
    assert!(a.model.extra.neighbours.is_some() && a.model.extra.rows4);
    assert_eq!(a.model.len(), keys.len());
}

#[test]
fn a_zero_wall_clock_cap_stops_after_no_trial_and_says_so() {
    let (keys, seqs) = small();
    let splits = Splits::leave_one_out(&seqs);
    let opts = TuneOptions {
        wall_clock: Some(std::time::Duration::ZERO),
        ..options(5)
    };
    // The start cannot be scored, so there is nothing to choose: a typed error, not a panic.
    assert!(tune::tune(&keys, &seqs, &splits, &opts, &mut |_| {}).is_err());
}

#[test]
fn a_baseline_with_the_same_keys_scores_as_the_device() {
    let (keys, seqs) = small();
    let splits = Splits::leave_one_out(&seqs);
    let m = tune::fit(&keys, &splits.valid, &options(1).start, true).unwrap();
    let n = keys.len();
    let device = protocol::evaluate(&splits.valid, n, &Device(&m));
    let foreign = protocol::evaluate(&splits.valid, n, &Foreign::new(&m, &keys));
    assert_eq!(device, foreign);
}

#[test]
fn items_a_baseline_does_not_know_rank_last() {
    let (keys, seqs) = small();
    let splits = Splits::leave_one_out(&seqs);
    let m = tune::fit(&keys, &splits.valid, &options(1).start, true).unwrap();
    let mut more = keys.clone();
    more.push("NOT-IN-THE-MODEL".to_owned());
    let f = Foreign::new(&m, &more);
    assert_eq!(f.unknown_items(), 1);
    let mut out = vec![0f32; more.len()];
    f.score(0, &seqs[0][..3], &mut out);
    assert_eq!(out[keys.len()], f32::MIN);
    assert!(out[..keys.len()].iter().all(|&v| v > f32::MIN));
}

#[test]
fn the_report_carries_every_figure_in_json_and_markdown() {
    let (keys, seqs) = small();
    let splits = Splits::leave_one_out(&seqs).sampled(DEFAULT_SAMPLE_USERS.min(200), 7);
    let tuned = tune::tune(&keys, &seqs, &splits, &options(2), &mut |_| {}).unwrap();
    let bytes = tuned.model.to_bytes();
    let production = tune::fit(&keys, &splits.test, &options(1).start, false)
        .unwrap()
        .to_bytes();
    let inputs = vec![InputRows {
        path: "events.csv".into(),
        rows: 1000,
        dropped: vec![DroppedRows {
            reason: "bad timestamp".into(),
            count: 3,
            examples: vec![(17, "\"yesterday\" is not a time".into())],
        }],
    }];
    let r = ModelReport::build(
        &keys,
        &seqs,
        &splits,
        ReportInput {
            model: &bytes,
            candidate: &tuned.chosen.candidate,
            rows4: true,
            validation: Some(tuned.chosen.valid),
            test: Some(tuned.test),
            tuning: Some(format!("{} trials", tuned.trials.len())),
            inputs,
            split: "leave-one-out".into(),
            training_seconds: tuned.seconds,
            phase_seconds: vec![("read".into(), 0.5), ("ALS".into(), 1.5)],
            baseline: Some(("current.lrm", &production)),
        },
    )
    .unwrap();
    assert_eq!(r.data.as_ref().unwrap().users, 300);
    assert_eq!(r.validation.len(), 3);
    assert!(r.validation.iter().all(|v| v.1.users == 200));
    assert_eq!(r.validation[0].1.ndcg10, tuned.chosen.valid.ndcg10);
    assert!(
        r.validation[0].1.ndcg10 > r.validation[1].1.ndcg10,
        "beats popularity"
    );
    assert_eq!(r.size.bytes, bytes.len());
    let model = Model::from_bytes(&bytes).unwrap();
    assert_eq!(r.size.items, model.len());
    let section_sum: usize = r.size.sections.iter().map(|s| s.1).sum();
    assert!(section_sum < bytes.len() && r.size.sections.iter().any(|s| s.0 == "NBRS"));
    let b = r.baseline.as_ref().unwrap();
    assert_eq!((b.unknown_items, b.size.bytes), (0, production.len()));
    assert!(r.peak_memory_bytes.is_some_and(|m| m > 0));

    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["data"]["users"], 300);
    assert_eq!(json["inputs"][0]["dropped"][0]["count"], 3);
    assert_eq!(json["baseline"]["name"], "current.lrm");
    assert_eq!(json["phase_seconds"][1][0], "ALS");
    let md = r.to_markdown();
    for needle in [
        "| users | 300 |",
        "| bad timestamp | 3 | line 17: \"yesterday\" is not a time |",
        "| nbrs.top |",
        "| popularity |",
        "| item-KNN (cosine) |",
        "| NBRS |",
        "Against the model in production (`current.lrm`)",
        "Peak memory:",
        "(read 0.5 s, ALS 1.5 s).",
    ] {
        assert!(md.contains(needle), "{needle:?} missing from:\n{md}");
    }
}

#[test]
fn tuning_runs_on_a_time_split() {
    let (keys, seqs) = small();
    // Event k of every user happens at day k: the newest 10 % of events are the latest days.
    let times: Vec<Vec<i64>> = seqs
        .iter()
        .map(|s| (0..s.len() as i64).map(|k| k * 86_400).collect())
        .collect();
    let splits = Splits::by_time(&seqs, &times, 0.1).unwrap();
    assert!(!splits.valid.cases.is_empty() && !splits.test.cases.is_empty());
    let t = tune::tune(&keys, &seqs, &splits, &options(1), &mut |_| {}).unwrap();
    assert_eq!(t.trials.len(), 1);
    assert_eq!(t.chosen.valid.cases, splits.valid.cases.len());
    assert_eq!(t.test.cases, splits.test.cases.len());
}
