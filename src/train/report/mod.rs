//! The model report written next to a trained model (JSON + Markdown, issue 13 item 5): what
//! the data held, which rows were dropped and why, the chosen settings, validation HR/NDCG@10
//! against popularity and item-KNN on a user sample, the test figure, bytes per item and per
//! section, training time and peak memory, and — with a baseline `.lrm` (the model now in
//! production) — the same figures for it side by side. A store decides from it whether to ship.
//!
//! `localrank pack` writes the same report for factors trained elsewhere
//! ([`crate::train::import::model_report`]): the Spark job's data, rows and phases, its held-out
//! cases scored on the packed model, plus the join with the catalogue ([`Imported`]).

mod baseline;
mod markdown;

use serde::Serialize;

use super::baselines::{ItemKnn, Popularity};
use super::experiment::{scoring_bytes_per_item, Device};
use super::protocol::{self, Quality, Split};
use super::splits::Splits;
use super::store::FileReport;
use super::tune::{self, Candidate};
use crate::model::{container, Model};
use crate::Result;

pub use baseline::Foreign;

/// Users a report scores by default (a large store gets its report in minutes).
pub const DEFAULT_SAMPLE_USERS: usize = 10_000;

/// Rows of one input file that were not used, by reason. A minimal stand-in for the readers'
/// own per-file report (issue 13 items 1–2): the reason is its printed name, so any reader's
/// counts map onto it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct InputRows {
    pub path: String,
    /// Data rows read.
    pub rows: u64,
    /// `(reason, count, first examples as (line, message))`, in the reader's order.
    pub dropped: Vec<DroppedRows>,
}

impl From<&FileReport> for InputRows {
    fn from(r: &FileReport) -> Self {
        Self {
            path: r.path.clone(),
            rows: r.rows,
            dropped: r
                .dropped
                .iter()
                .map(|(reason, d)| DroppedRows {
                    reason: reason.describe().to_owned(),
                    count: d.count,
                    examples: d.examples.clone(),
                })
                .collect(),
        }
    }
}

/// Rows dropped for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DroppedRows {
    pub reason: String,
    pub count: u64,
    pub examples: Vec<(u64, String)>,
}

/// Size of the training data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataStats {
    pub users: usize,
    pub items: usize,
    /// Items with at least one event.
    pub items_with_events: usize,
    pub events: usize,
    pub events_per_user_mean: f64,
    pub events_per_user_median: usize,
    pub events_per_user_max: usize,
    /// events / (users · items).
    pub density: f64,
}

impl DataStats {
    pub fn of(sequences: &[Vec<u32>], items: usize) -> Self {
        let mut lens: Vec<usize> = sequences.iter().map(Vec::len).collect();
        lens.sort_unstable();
        let events: usize = lens.iter().sum();
        let mut seen = vec![false; items];
        for &i in sequences.iter().flatten() {
            if let Some(s) = seen.get_mut(i as usize) {
                *s = true;
            }
        }
        let users = sequences.len();
        Self {
            users,
            items,
            items_with_events: seen.iter().filter(|s| **s).count(),
            events,
            events_per_user_mean: events as f64 / users.max(1) as f64,
            events_per_user_median: lens.get(lens.len() / 2).copied().unwrap_or(0),
            events_per_user_max: lens.last().copied().unwrap_or(0),
            density: events as f64 / (users.max(1) * items.max(1)) as f64,
        }
    }
}

/// HR@10 and NDCG@10 over the asked users.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    pub users: usize,
    pub hr10: f64,
    pub ndcg10: f64,
}

impl From<Quality> for Figures {
    fn from(q: Quality) -> Self {
        Self {
            users: q.cases,
            hr10: q.hr10,
            ndcg10: q.ndcg10,
        }
    }
}

/// A model file's size: in all, per item, for scoring, and per section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Size {
    pub bytes: usize,
    pub items: usize,
    pub bytes_per_item: f64,
    /// Rows + scales + bias + `NBRS` per item (docs/QUALITY.md § 2).
    pub scoring_bytes_per_item: f64,
    /// `(section id, bytes)` in file order.
    pub sections: Vec<(String, usize)>,
}

impl Size {
    pub fn of(bytes: &[u8], model: &Model) -> Result<Self> {
        let sections = container::parse(bytes)?
            .iter()
            .map(|s| (s.id_str(), s.bytes.len()))
            .collect();
        Ok(Self {
            bytes: bytes.len(),
            items: model.len(),
            bytes_per_item: bytes.len() as f64 / model.len().max(1) as f64,
            scoring_bytes_per_item: scoring_bytes_per_item(model),
            sections,
        })
    }
}

/// One setting as `name = value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    pub name: &'static str,
    pub value: String,
}

/// The settings of a candidate, in a fixed order.
pub fn settings(c: &Candidate, rows4: bool) -> Vec<Setting> {
    let (t, n, p) = (&c.train, &c.neighbours, &c.neighbours.privacy);
    let rows = if rows4 { "4-bit" } else { "int8" };
    let all: [(&'static str, String); 20] = [
        ("rows", rows.to_owned()),
        ("als.dim", t.dim.to_string()),
        ("als.iterations", t.iterations.to_string()),
        ("als.lambda", t.lambda.to_string()),
        ("als.alpha", t.alpha.to_string()),
        ("als.decay", t.decay.to_string()),
        ("als.pop_weight", t.pop_weight.to_string()),
        ("als.seed", t.seed.to_string()),
        ("nbrs.top", n.top.to_string()),
        ("nbrs.window", n.window.to_string()),
        ("nbrs.distance_decay", n.distance_decay.to_string()),
        ("nbrs.backward", n.backward.to_string()),
        ("nbrs.source_norm", n.source_norm.to_string()),
        ("nbrs.target_norm", n.target_norm.to_string()),
        ("nbrs.recency", n.recency.to_string()),
        ("nbrs.mix", n.mix.to_string()),
        ("privacy.min_users", p.min_users.to_string()),
        ("privacy.user_cap", p.user_cap.to_string()),
        ("privacy.dp_epsilon", p.dp_epsilon.to_string()),
        ("privacy.dp_seed", p.dp_seed.to_string()),
    ];
    all.into_iter()
        .map(|(name, value)| Setting { name, value })
        .collect()
}

/// The production model's figures on the same users.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineModel {
    /// How the caller named it (a path).
    pub name: String,
    pub validation: Figures,
    pub test: Figures,
    pub size: Size,
    /// Items of this data set the baseline does not know (they rank last for it).
    pub unknown_items: usize,
}

/// What the report of imported factors adds: where they came from and how they joined the
/// catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imported {
    /// Who trained the factors (e.g. `Spark 4.3.0, spark/train.py`, or the factors file).
    pub trainer: String,
    /// The join of the imported keys and the catalogue.
    pub join: String,
    /// Imported keys not in the catalogue (kept), the first few.
    pub unknown_keys_examples: Vec<String>,
    /// `PROV` as `(key, value)` pairs.
    pub provenance: Vec<(String, String)>,
}

/// Everything the report says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelReport {
    /// The training data (`None`: factors imported without their event statistics).
    pub data: Option<DataStats>,
    pub inputs: Vec<InputRows>,
    /// How validation and test were cut (e.g. `leave-one-out`, `time, newest 10 %`).
    pub split: String,
    pub settings: Vec<Setting>,
    /// `--tune`'s trials and why it stopped, when tuned.
    pub tuning: Option<String>,
    /// localrank, popularity and item-KNN on the validation users (empty: nothing was held
    /// out; `split` says why).
    pub validation: Vec<(String, Figures)>,
    /// localrank's settings on the test users (the validation refit scores them unless
    /// `--tune` refitted on the test split); `None` for imported factors.
    pub test: Option<Figures>,
    pub size: Size,
    pub training_seconds: f64,
    /// Wall-clock seconds of each phase before the report (`read`, `ALS`, …), in order.
    pub phase_seconds: Vec<(String, f64)>,
    /// Peak resident memory of this process (Linux `VmHWM`), if known.
    pub peak_memory_bytes: Option<u64>,
    pub baseline: Option<BaselineModel>,
    /// Imported factors only (`localrank pack`).
    pub import: Option<Imported>,
}

/// What [`ModelReport::build`] needs besides the data.
pub struct ReportInput<'a> {
    /// The shipped model's bytes (trained on every event).
    pub model: &'a [u8],
    pub candidate: &'a Candidate,
    pub rows4: bool,
    /// Validation and test figures when already known (from [`tune::tune`]); else refitted.
    pub validation: Option<Quality>,
    pub test: Option<Quality>,
    pub tuning: Option<String>,
    pub inputs: Vec<InputRows>,
    pub split: String,
    pub training_seconds: f64,
    /// Wall-clock seconds of each phase so far, in order.
    pub phase_seconds: Vec<(String, f64)>,
    /// `(name, bytes)` of the model now in production.
    pub baseline: Option<(&'a str, &'a [u8])>,
}

impl ModelReport {
    /// Scores the baselines (and whatever `input` does not already carry) on `splits`
    /// (sample them first: [`Splits::sampled`] with [`DEFAULT_SAMPLE_USERS`]).
    pub fn build(
        keys: &[String],
        sequences: &[Vec<u32>],
        splits: &Splits,
        input: ReportInput,
    ) -> Result<Self> {
        let n = keys.len();
        let model = Model::from_bytes(input.model)?;
        let c = input.candidate;
        // Without figures from a search, one refit serves both: the model trained on the
        // validation split has seen neither held-out event, so it scores the test cases
        // (one event longer inputs) without leakage — one ALS run instead of two, which is
        // most of the report's time on a large store (docs/TRAINING.md § Scale).
        let (ours, test) = match (input.validation, input.test) {
            (Some(v), Some(t)) => (v, t),
            (v, t) => {
                let m = tune::fit(keys, &splits.valid, c, input.rows4)?;
                let eval = |s: &Split| protocol::evaluate(s, n, &Device(&m));
                (
                    v.unwrap_or_else(|| eval(&splits.valid)),
                    t.unwrap_or_else(|| eval(&splits.test)),
                )
            }
        };
        let v = &splits.valid;
        let pop = protocol::evaluate(v, n, &Popularity::fit(&v.train, n));
        let knn = protocol::evaluate(v, n, &ItemKnn::fit(&v.train, n));
        let baseline = match input.baseline {
            Some((name, bytes)) => Some(baseline::figures(name, bytes, keys, splits)?),
            None => None,
        };
        Ok(Self {
            data: Some(DataStats::of(sequences, n)),
            inputs: input.inputs,
            split: input.split,
            settings: settings(c, input.rows4),
            tuning: input.tuning,
            validation: vec![
                ("localrank".to_owned(), ours.into()),
                ("popularity".to_owned(), pop.into()),
                ("item-KNN (cosine)".to_owned(), knn.into()),
            ],
            test: Some(test.into()),
            size: Size::of(input.model, &model)?,
            training_seconds: input.training_seconds,
            phase_seconds: input.phase_seconds,
            peak_memory_bytes: peak_memory_bytes(),
            baseline,
            import: None,
        })
    }

    /// Pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Only strings, numbers and vectors: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A Markdown page for people.
    pub fn to_markdown(&self) -> String {
        markdown::write(self)
    }
}

/// Peak resident set size of this process from `/proc/self/status` (`VmHWM`, Linux only).
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line["VmHWM:".len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_is_read_in_bytes() {
        let s = "Name:\tx\nVmPeak:\t  900 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_vm_hwm(s), Some(1234 * 1024));
        assert_eq!(parse_vm_hwm("Name:\tx\n"), None);
        assert!(
            peak_memory_bytes().is_some_and(|b| b > 0),
            "Linux has VmHWM"
        );
    }

    #[test]
    fn data_stats_count_users_items_and_events() {
        let s = DataStats::of(&[vec![0, 1, 1], vec![2], vec![0, 1]], 5);
        assert_eq!(
            (s.users, s.items, s.items_with_events, s.events),
            (3, 5, 3, 6)
        );
        assert_eq!((s.events_per_user_median, s.events_per_user_max), (2, 3));
        assert!((s.density - 6.0 / 15.0).abs() < 1e-12);
    }
}
