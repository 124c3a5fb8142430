//! `--tune`: choose the NBRS and ALS settings on a validation split, then refit on everything.
//!
//! The search is coordinate descent over fixed ladders of values, starting from the settings
//! docs/QUALITY.md chose for Scientific: one knob at a time, step up the ladder while
//! validation NDCG@10 strictly improves, else step down; passes repeat until a whole pass
//! improves nothing or the budget is spent. Why this search (docs/QUALITY.md § 7): the knobs
//! are few and nearly separable (the Scientific grids' optima move one knob at a time), every
//! step is one trial, so the budget is counted in trials and the choice is the same on any
//! machine; the cheap NBRS knobs come first and reuse one ALS fit, the costly ALS knobs
//! (a fresh fit per trial) after. A candidate already scored is not scored (or counted) again;
//! one over the byte budget is skipped without a trial. An optional wall-clock cap stops early,
//! and says so, since only that makes the choice depend on the machine.

mod knobs;

use std::time::{Duration, Instant};

use super::experiment::{self, Dense, Device, RowFormat};
use super::protocol::{self, Phase, Quality, Split};
use super::splits::Splits;
use super::transitions::NeighbourParams;
use super::TrainParams;
use crate::model::Model;
use crate::Result;
use knobs::{Knob, ALS_KNOBS, NBRS_KNOBS};

/// One point of the search: the dense model's and the neighbour lists' settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub train: TrainParams,
    pub neighbours: NeighbourParams,
}

impl Candidate {
    /// The Scientific settings of docs/QUALITY.md (the Makefile's `MODEL_FLAGS`).
    pub fn scientific() -> Self {
        Self {
            train: TrainParams::default(),
            neighbours: NeighbourParams {
                top: 19,
                window: 4,
                backward: 1.0,
                recency: 0.7,
                mix: 1.5,
                ..NeighbourParams::default()
            },
        }
    }
}

/// What the search may do.
#[derive(Debug, Clone, PartialEq)]
pub struct TuneOptions {
    /// Trials (scored candidates) at most, the start included.
    pub trials: usize,
    /// Stop starting trials after this long (makes the choice machine-dependent; reported).
    pub wall_clock: Option<Duration>,
    /// Where the search starts; its privacy settings are kept throughout.
    pub start: Candidate,
    /// 4-bit rows (`QI4R`) instead of int8.
    pub rows4: bool,
    /// Scoring bytes per item allowed (rows + bias + NBRS; docs/QUALITY.md § 2).
    pub max_bytes: f64,
    /// Also search λ, α and the recency decay of ALS (a fresh fit per trial).
    pub search_als: bool,
}

impl Default for TuneOptions {
    fn default() -> Self {
        Self {
            trials: 30,
            wall_clock: None,
            start: Candidate::scientific(),
            rows4: true,
            max_bytes: 100.0,
            search_als: true,
        }
    }
}

/// One scored candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    /// 1-based.
    pub number: usize,
    pub candidate: Candidate,
    pub valid: Quality,
    pub bytes_per_item: f64,
    pub seconds: f64,
}

/// Why the search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A whole pass over the knobs improved nothing.
    Converged,
    /// The trial budget was spent.
    Budget,
    /// The wall-clock cap was reached.
    Clock,
}

/// The search's outcome: the chosen trial, the test figure of its settings (refitted on the
/// test split's training data) and the model refitted on every event.
#[derive(Debug, Clone)]
pub struct Tuned {
    pub chosen: Trial,
    pub trials: Vec<Trial>,
    pub stop: Stop,
    pub test: Quality,
    /// Trained on all sequences; no `META` (the caller adds the catalogue's).
    pub model: Model,
    pub seconds: f64,
}

/// Scores candidates on the validation split, caching the last ALS fits and every result.
struct Search<'a> {
    keys: &'a [String],
    split: &'a Split,
    opts: &'a TuneOptions,
    started: Instant,
    dense: Vec<(TrainParams, Dense)>,
    /// The current point's ALS settings: their fit is never the one evicted.
    keep: TrainParams,
    scored: Vec<(Candidate, Option<f64>)>,
    trials: Vec<Trial>,
    stop: Option<Stop>,
}

impl Search<'_> {
    /// Validation NDCG@10 of `c` (`None`: over the byte budget, or the search must stop).
    fn score(&mut self, c: &Candidate, progress: &mut dyn FnMut(&Trial)) -> Result<Option<f64>> {
        if let Some(s) = self.scored.iter().find(|s| s.0 == *c) {
            return Ok(s.1);
        }
        if self.trials.len() >= self.opts.trials {
            self.stop = Some(Stop::Budget);
            return Ok(None);
        }
        if self
            .opts
            .wall_clock
            .is_some_and(|cap| self.started.elapsed() >= cap)
        {
            self.stop = Some(Stop::Clock);
            return Ok(None);
        }
        let t0 = Instant::now();
        let format = if self.opts.rows4 {
            RowFormat::Int4
        } else {
            RowFormat::Int8
        };
        let (keys, split) = (self.keys, self.split);
        let dense = self.dense_for(&c.train)?;
        let (m, _) = experiment::ship(keys, split, dense, &c.train, format, Some(&c.neighbours))?;
        let bytes = experiment::scoring_bytes_per_item(&m);
        if bytes > self.opts.max_bytes {
            self.scored.push((*c, None));
            return Ok(None);
        }
        let q = protocol::evaluate(self.split, self.keys.len(), &Device(&m));
        let trial = Trial {
            number: self.trials.len() + 1,
            candidate: *c,
            valid: q,
            bytes_per_item: bytes,
            seconds: t0.elapsed().as_secs_f64(),
        };
        progress(&trial);
        self.trials.push(trial);
        self.scored.push((*c, Some(q.ndcg10)));
        Ok(Some(q.ndcg10))
    }

    /// The ALS fit for `t` on the validation split; two fits are kept, the current point's
    /// and the latest.
    fn dense_for(&mut self, t: &TrainParams) -> Result<&Dense> {
        let pos = match self.dense.iter().position(|d| d.0 == *t) {
            Some(p) => p,
            None => {
                let mut d = experiment::train_dense(self.split, self.keys.len(), t, &mut |_| {})?;
                d.factors.users = ndarray::Array2::zeros((0, 0));
                if self.dense.len() == 2 {
                    let keep = self.keep;
                    let evict = self.dense.iter().position(|d| d.0 != keep).unwrap_or(0);
                    self.dense.remove(evict);
                }
                self.dense.push((*t, d));
                self.dense.len() - 1
            }
        };
        Ok(&self.dense[pos].1)
    }
}

/// Coordinate descent from `opts.start` on `splits.valid`; the chosen settings are scored on
/// `splits.test` and refitted on `sequences` (every event) into the returned model.
/// `progress` hears of every trial.
pub fn tune(
    keys: &[String],
    sequences: &[Vec<u32>],
    splits: &Splits,
    opts: &TuneOptions,
    progress: &mut dyn FnMut(&Trial),
) -> Result<Tuned> {
    opts.start.train.validate()?;
    opts.start.neighbours.validate()?;
    let mut s = Search {
        keys,
        split: &splits.valid,
        opts,
        started: Instant::now(),
        dense: Vec::new(),
        keep: opts.start.train,
        scored: Vec::new(),
        trials: Vec::new(),
        stop: None,
    };
    let mut current = opts.start;
    let mut best = s.score(&current, progress)?.unwrap_or(f64::NEG_INFINITY);
    let knobs: Vec<Knob> = NBRS_KNOBS
        .iter()
        .chain(if opts.search_als { &ALS_KNOBS[..] } else { &[] })
        .copied()
        .collect();
    'passes: while s.stop.is_none() {
        let mut improved = false;
        for &knob in &knobs {
            for up in [true, false] {
                let mut moved = false;
                while let Some(next) = knob.step(&current, up) {
                    match s.score(&next, progress)? {
                        Some(q) if q > best => {
                            (current, best, moved, improved) = (next, q, true, true);
                            s.keep = current.train;
                        }
                        _ => break,
                    }
                }
                if s.stop.is_some() {
                    break 'passes;
                }
                if moved {
                    break;
                }
            }
        }
        if !improved {
            s.stop = Some(Stop::Converged);
        }
    }
    let chosen = s
        .trials
        .iter()
        .find(|t| t.candidate == current)
        .cloned()
        .ok_or_else(|| {
            crate::Error::InvalidArgument(format!(
                "no candidate was scored: the start exceeds {} scoring bytes per item, or the \
                 wall-clock cap left no time for a trial",
                opts.max_bytes
            ))
        })?;
    let (stop, trials) = (s.stop.unwrap_or(Stop::Converged), s.trials);
    let test = fit_and_score(keys, &splits.test, &current, opts.rows4)?;
    let everything = Split {
        phase: Phase::Test,
        train: sequences.to_vec(),
        cases: Vec::new(),
    };
    let model = fit(keys, &everything, &current, opts.rows4)?;
    Ok(Tuned {
        chosen,
        trials,
        stop,
        test,
        model,
        seconds: s.started.elapsed().as_secs_f64(),
    })
}

/// The shipped model of `c` trained on `split.train`.
pub fn fit(keys: &[String], split: &Split, c: &Candidate, rows4: bool) -> Result<Model> {
    let format = if rows4 {
        RowFormat::Int4
    } else {
        RowFormat::Int8
    };
    let dense = experiment::train_dense(split, keys.len(), &c.train, &mut |_| {})?;
    Ok(experiment::ship(keys, split, &dense, &c.train, format, Some(&c.neighbours))?.0)
}

/// [`fit`] on the split, scored on its cases as the browser scores.
pub fn fit_and_score(
    keys: &[String],
    split: &Split,
    c: &Candidate,
    rows4: bool,
) -> Result<Quality> {
    let m = fit(keys, split, c, rows4)?;
    Ok(protocol::evaluate(split, keys.len(), &Device(&m)))
}
