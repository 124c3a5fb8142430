//! `train --events … [--tune]`: the search over settings (`train::tune`, docs/QUALITY.md § 7) and
//! the model report written next to the model (`train::report`: `STEM.report.json` and
//! `STEM.report.md`), for a store's own data.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use localrank::train::report::{InputRows, ModelReport, ReportInput};
use localrank::train::splits::Splits;
use localrank::train::store::StoreData;
use localrank::train::transitions::NeighbourParams;
use localrank::train::tune::{self, Candidate, TuneOptions, Tuned};
use localrank::train::TrainParams;
use localrank::{Error, Result};

use crate::{progress, write_file};

/// Tuning and report flags (with --events only).
#[derive(Args, Debug, Clone)]
pub struct TuneFlags {
    /// Search the NBRS and ALS settings that matter on a validation split, keep the best
    /// validation NDCG@10 and retrain on everything (docs/QUALITY.md § 7)
    #[arg(long, requires = "events")]
    pub tune: bool,
    /// Tuning budget in trials: the choice does not depend on the machine's speed
    #[arg(long, default_value_t = TuneOptions::default().trials)]
    pub trials: usize,
    /// Optional wall-clock cap on tuning, in minutes (the choice then depends on the machine)
    #[arg(long, value_name = "MINUTES")]
    pub tune_minutes: Option<f64>,
    /// Validation split: `loo` (each user's second-to-last event, the last kept for the test
    /// figure) or `time` (the newest 10 % of events across all users)
    #[arg(long, default_value = "loo", value_parser = ["loo", "time"])]
    pub split: String,
    /// Users sampled for the report's figures (and tuning's validation)
    #[arg(long, default_value_t = localrank::train::report::DEFAULT_SAMPLE_USERS)]
    pub report_users: usize,
    /// The model now in production: the report shows its figures side by side
    #[arg(long, value_name = "FILE.lrm")]
    pub baseline: Option<PathBuf>,
    /// Do not write the report
    #[arg(long)]
    pub no_report: bool,
}

/// The splits of the report (and of tuning), sampled to `report_users`.
pub fn splits(flags: &TuneFlags, data: &StoreData, sequences: &[Vec<u32>]) -> Result<Splits> {
    let splits = match flags.split.as_str() {
        "time" => {
            let times: Vec<Vec<i64>> = data
                .sequences
                .iter()
                .map(|s| s.iter().map(|e| e.time_ms).collect())
                .collect();
            Splits::by_time(sequences, &times, 0.1)?
        }
        _ => Splits::leave_one_out(sequences),
    };
    Ok(splits.sampled(flags.report_users, 42))
}

fn split_name(flags: &TuneFlags) -> String {
    let split = match flags.split.as_str() {
        "time" => "time split (the newest 10 % of events)",
        _ => "leave-one-out (validation: second-to-last event; test: last)",
    };
    format!("{split}; a sample of at most {} users", flags.report_users)
}

/// Runs the search from `start`; prints each trial.
pub fn search(
    flags: &TuneFlags,
    keys: &[String],
    sequences: &[Vec<u32>],
    splits: &Splits,
    start: Candidate,
    rows4: bool,
) -> Result<Tuned> {
    if flags.trials == 0 {
        return Err(Error::InvalidArgument("--trials must be at least 1".into()));
    }
    let wall_clock = match flags.tune_minutes {
        Some(m) if m.is_finite() && m > 0.0 => Some(Duration::from_secs_f64(m * 60.0)),
        Some(m) => {
            return Err(Error::InvalidArgument(format!(
                "--tune-minutes must be > 0, got {m}"
            )))
        }
        None => None,
    };
    let opts = TuneOptions {
        trials: flags.trials,
        wall_clock,
        start,
        rows4,
        ..TuneOptions::default()
    };
    let bar = progress::trials(flags.trials);
    let tuned = tune::tune(keys, sequences, splits, &opts, &mut |t| {
        bar.set_position(t.number as u64);
        bar.println(format!(
            "trial {:>3}  valid NDCG@10 {:.4}  HR@10 {:.4}  {:.1} B/item  {:.1} s",
            t.number, t.valid.ndcg10, t.valid.hr10, t.bytes_per_item, t.seconds
        ));
    });
    bar.finish_and_clear();
    let tuned = tuned?;
    let c = &tuned.chosen;
    eprintln!(
        "tuning chose trial {} of {} ({:?}): valid NDCG@10 {:.4}; {:?}; {:?}",
        c.number,
        tuned.trials.len(),
        tuned.stop,
        c.valid.ndcg10,
        c.candidate.train,
        c.candidate.neighbours
    );
    Ok(tuned)
}

/// What the search starts from: the flags given, with the Scientific neighbour settings when no
/// `--nbr-*` flag was.
pub fn start(params: &TrainParams, neighbours: Option<NeighbourParams>) -> Candidate {
    Candidate {
        train: *params,
        neighbours: neighbours.unwrap_or(Candidate::scientific().neighbours),
    }
}

/// The report's inputs beyond the model.
pub struct Written<'a> {
    pub out: &'a Path,
    pub model: &'a [u8],
    pub candidate: &'a Candidate,
    pub rows4: bool,
    pub tuned: Option<&'a Tuned>,
    pub seconds: f64,
    /// Wall-clock seconds per phase so far.
    pub phases: Vec<(String, f64)>,
}

/// Builds the report and writes `STEM.report.json` and `STEM.report.md` beside the model.
pub fn write_report(
    flags: &TuneFlags,
    data: &StoreData,
    sequences: &[Vec<u32>],
    keys: &[String],
    splits: &Splits,
    w: Written,
) -> Result<()> {
    let baseline = match &flags.baseline {
        Some(p) => Some((
            p.display().to_string(),
            std::fs::read(p).map_err(|e| Error::Io {
                path: p.display().to_string(),
                reason: e.to_string(),
            })?,
        )),
        None => None,
    };
    let mut inputs: Vec<InputRows> = data.catalog_report.iter().map(InputRows::from).collect();
    inputs.push(InputRows::from(&data.events_report));
    let spinner = progress::spinner("scoring the report (model, popularity, item-KNN)");
    let report = ModelReport::build(
        keys,
        sequences,
        splits,
        ReportInput {
            model: w.model,
            candidate: w.candidate,
            rows4: w.rows4,
            validation: w.tuned.map(|t| t.chosen.valid),
            test: w.tuned.map(|t| t.test),
            tuning: w.tuned.map(|t| {
                format!(
                    "coordinate descent, {} trials of {}, stopped: {:?}",
                    t.trials.len(),
                    flags.trials,
                    t.stop
                )
            }),
            inputs,
            split: split_name(flags),
            training_seconds: w.seconds,
            phase_seconds: w.phases,
            baseline: baseline.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
        },
    );
    spinner.finish_and_clear();
    let report = report?;
    let stem = w.out.with_extension("");
    let json = PathBuf::from(format!("{}.report.json", stem.display()));
    let md = PathBuf::from(format!("{}.report.md", stem.display()));
    write_file(&json, report.to_json().as_bytes())?;
    write_file(&md, report.to_markdown().as_bytes())?;
    eprintln!("wrote {} and {}", json.display(), md.display());
    Ok(())
}
