//! `--tune` and the model report on an evaluation dataset, through the library API the CLI
//! wires up (src/train/tune.rs, src/train/report/):
//!
//! `cargo run --release --features train --example tune -- PATH [TRIALS] [OUT_PREFIX] [BASELINE.lrm]`
//!
//! PATH is a RecBole directory (Scientific) or an S3-Rec file (docs/QUALITY.md § 6); TRIALS is
//! the budget (default 30). Prints every trial, the chosen settings and the test figure, and
//! writes `OUT_PREFIX.lrm`, `OUT_PREFIX.report.json` and `OUT_PREFIX.report.md` (leave-one-out
//! as docs/QUALITY.md; validation on a sample of 10,000 users, test on all).

use std::path::Path;
use std::time::Instant;

use localrank::train::report::{ModelReport, ReportInput, DEFAULT_SAMPLE_USERS};
use localrank::train::seqdata::SeqData;
use localrank::train::splits::{sample, Splits};
use localrank::train::tune::{self, TuneOptions};
use localrank::{Error, Result};

fn write(path: &str, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

fn run(args: &[String]) -> Result<()> {
    let [path, rest @ ..] = args else {
        return Err(Error::InvalidArgument(
            "usage: tune PATH [TRIALS] [OUT_PREFIX] [BASELINE.lrm]".into(),
        ));
    };
    let trials: usize = match rest.first() {
        Some(t) => t
            .parse()
            .map_err(|_| Error::InvalidArgument(format!("TRIALS: {t:?} is not a number")))?,
        None => TuneOptions::default().trials,
    };
    let start = Instant::now();
    let data = SeqData::load(Path::new(path))?;
    // Validation on a user sample (as a store's report would); test on every user, so the
    // figure compares with docs/QUALITY.md's tables.
    let mut splits = Splits::leave_one_out(&data.sequences);
    splits.valid = sample(splits.valid, DEFAULT_SAMPLE_USERS, 42);
    let opts = TuneOptions {
        trials,
        ..TuneOptions::default()
    };
    let tuned = tune::tune(&data.keys, &data.sequences, &splits, &opts, &mut |t| {
        println!(
            "trial {:>3}  valid NDCG@10 {:.4}  HR@10 {:.4}  {:.1} B/item  {:.1} s  {:?} {:?}",
            t.number,
            t.valid.ndcg10,
            t.valid.hr10,
            t.bytes_per_item,
            t.seconds,
            t.candidate.train,
            t.candidate.neighbours
        );
    })?;
    let c = &tuned.chosen;
    println!(
        "chosen trial {} of {} ({:?}): valid NDCG@10 {:.4}; test HR@10 {:.4} NDCG@10 {:.4} \
         ({} users); {:.1} s",
        c.number,
        tuned.trials.len(),
        tuned.stop,
        c.valid.ndcg10,
        tuned.test.hr10,
        tuned.test.ndcg10,
        tuned.test.cases,
        tuned.seconds
    );
    let Some(prefix) = rest.get(1) else {
        return Ok(());
    };
    let bytes = tuned.model.to_bytes();
    write(&format!("{prefix}.lrm"), &bytes)?;
    let baseline = match rest.get(2) {
        Some(b) => Some((
            b.as_str(),
            std::fs::read(b).map_err(|e| Error::Io {
                path: b.clone(),
                reason: e.to_string(),
            })?,
        )),
        None => None,
    };
    let report = ModelReport::build(
        &data.keys,
        &data.sequences,
        &splits,
        ReportInput {
            model: &bytes,
            candidate: &c.candidate,
            rows4: opts.rows4,
            validation: Some(c.valid),
            test: Some(tuned.test),
            tuning: Some(format!(
                "coordinate descent, {} trials of {trials}, stopped: {:?}",
                tuned.trials.len(),
                tuned.stop
            )),
            inputs: Vec::new(),
            split: format!(
                "leave-one-out; validation on a sample of {DEFAULT_SAMPLE_USERS} users (seed 42), \
                 test on all"
            ),
            training_seconds: start.elapsed().as_secs_f64(),
            phase_seconds: Vec::new(),
            baseline: baseline.as_ref().map(|(n, b)| (*n, b.as_slice())),
        },
    )?;
    write(
        &format!("{prefix}.report.json"),
        report.to_json().as_bytes(),
    )?;
    write(
        &format!("{prefix}.report.md"),
        report.to_markdown().as_bytes(),
    )?;
    println!("wrote {prefix}.lrm, {prefix}.report.json and {prefix}.report.md");
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
