//! The report of an imported model (`STEM.report.json` / `.md`): the same [`ModelReport`] as
//! `localrank train` writes, filled with what the import knows. From a Spark job: its data
//! statistics, unused event rows, settings and phase times, and — when the job held cases out
//! (`spark/train.py --holdout-users`) — the packed model scored on them exactly as the device
//! scores it (fold-in, quantised rows, `NBRS`), beside popularity and item-KNN. From a factors
//! file: the settings, the size and the join; no data and no quality figures (no event log).

use super::pack::settings_line;
use super::spark::SparkModel;
use super::{Catalogue, ImportOptions, Packed};
use crate::train::baselines::{ItemKnn, Popularity};
use crate::train::protocol::{self, Phase, Split};
use crate::train::report::{
    peak_memory_bytes, settings, Figures, Foreign, Imported, InputRows, ModelReport, Setting, Size,
};
use crate::train::transitions::NeighbourParams;
use crate::train::tune::Candidate;
use crate::train::TrainParams;
use crate::Result;

/// What [`model_report`] reads besides the model.
pub struct ReportParts<'a> {
    /// The model file as written (`packed.model.to_bytes()`).
    pub bytes: &'a [u8],
    pub packed: &'a Packed,
    pub catalogue: &'a Catalogue,
    pub opts: &'a ImportOptions,
    /// The Spark job's output, when packed `--from-spark`, with the device's `NBRS` recency
    /// and mix it was packed with.
    pub spark: Option<(&'a SparkModel, f32, f32)>,
    /// Who trained the factors when not Spark (e.g. the factors file).
    pub trainer: String,
    /// Seconds `pack` took.
    pub packing_seconds: f64,
}

/// The report of an imported model.
pub fn model_report(p: ReportParts) -> Result<ModelReport> {
    let model = &p.packed.model;
    let summary = &p.packed.summary;
    let mut inputs = Vec::new();
    let mut phase_seconds = Vec::new();
    let (trainer, settings, data, split, validation) = match p.spark {
        Some((sm, recency, mix)) => {
            inputs.push(sm.settings.events.clone());
            phase_seconds.extend(sm.settings.phases.iter().cloned());
            let (split, validation) = holdout_figures(sm, model);
            (
                format!("Spark {}, spark/train.py", sm.settings.spark),
                spark_settings(sm, p.opts, recency, mix),
                sm.settings.data.clone(),
                split,
                validation,
            )
        }
        None => (
            p.trainer.clone(),
            vec![Setting {
                name: "import",
                value: settings_line(p.opts, model.dim()),
            }],
            None,
            "none: the factors were trained elsewhere and no event log was read".to_owned(),
            Vec::new(),
        ),
    };
    inputs.insert(0, InputRows::from(&p.catalogue.report));
    phase_seconds.push(("pack".to_owned(), p.packing_seconds));
    Ok(ModelReport {
        data,
        inputs,
        split,
        settings,
        tuning: None,
        validation,
        test: None,
        size: Size::of(p.bytes, model)?,
        training_seconds: phase_seconds.iter().map(|(_, s)| s).sum(),
        phase_seconds,
        peak_memory_bytes: peak_memory_bytes(),
        baseline: None,
        import: Some(Imported {
            trainer,
            join: summary.to_string(),
            unknown_keys_examples: summary.unknown_kept.iter().take(10).cloned().collect(),
            provenance: model
                .extra
                .provenance
                .as_ref()
                .map(|p| p.entries.clone())
                .unwrap_or_default(),
        }),
    })
}

/// The Spark job's settings, as `train`'s report lists its own ([`settings`]), with MLlib's
/// per-row regulariser named and the held-out users added.
fn spark_settings(sm: &SparkModel, opts: &ImportOptions, recency: f32, mix: f32) -> Vec<Setting> {
    let s = &sm.settings;
    let candidate = Candidate {
        train: TrainParams {
            pop_weight: opts.params.pop_weight,
            ..s.params
        },
        neighbours: NeighbourParams {
            recency,
            mix,
            ..s.neighbours
        },
    };
    let mut all = settings(&candidate, opts.rows4);
    for x in all.iter_mut().filter(|x| x.name == "als.lambda") {
        x.value = format!("{} ({})", x.value, s.regulariser.describe());
    }
    all.push(Setting {
        name: "holdout.users",
        value: sm.holdout.len().to_string(),
    });
    all
}

/// The held-out cases as a protocol split over the job's item rows (the history is each input).
fn holdout_split(sm: &SparkModel) -> Split {
    Split {
        phase: Phase::Test,
        train: sm.holdout.iter().map(|c| c.history.clone()).collect(),
        cases: sm
            .holdout
            .iter()
            .enumerate()
            .map(|(u, c)| (u, c.target))
            .collect(),
    }
}

/// The split's description and, with held-out cases, the packed model, popularity (the job's
/// counts over all training events) and item-KNN on them.
fn holdout_figures(
    sm: &SparkModel,
    model: &crate::model::Model,
) -> (String, Vec<(String, Figures)>) {
    if sm.holdout.is_empty() {
        return (
            "none: the Spark job held no events out (run spark/train.py with --holdout-users N)"
                .to_owned(),
            Vec::new(),
        );
    }
    let split = holdout_split(sm);
    let n = sm.keys.len();
    let ours = protocol::evaluate(&split, n, &Foreign::new(model, &sm.keys));
    let pop = Popularity(sm.counts.iter().map(|&c| c as f32).collect());
    let pop = protocol::evaluate(&split, n, &pop);
    let knn = protocol::evaluate(&split, n, &ItemKnn::fit(&split.train, n));
    let cases = split.cases.len();
    let all = sm.settings.data.as_ref().is_some_and(|d| d.users == cases);
    let knn_name = if all {
        "item-KNN (cosine)".to_owned()
    } else {
        format!("item-KNN (cosine, fitted on these {cases} users' histories only)")
    };
    (
        format!(
            "the newest event of {cases} users sampled by spark/train.py --holdout-users, withheld \
             from the job's training: the shipped model itself, scored as the device scores it"
        ),
        vec![
            ("localrank".to_owned(), ours.into()),
            ("popularity".to_owned(), pop.into()),
            (knn_name, knn.into()),
        ],
    )
}
