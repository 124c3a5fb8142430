//! The models `localrank eval` compares, each fitted on a [`Split`]'s training prefixes and
//! scored by the harness ([`super::protocol`]).
//!
//! localrank's own models are scored exactly as the browser scores them: the packed `.lrm`
//! model is serialised and read back, each input becomes a [`History`] of views (cap
//! [`DEFAULT_CAP`]), and the engine's [`Query`] of it gives fold-in, the int8 scores and the
//! `NBRS` term ([`Query::scores`]). The `f32` variant (quantisation study only) folds in and scores against
//! the unquantised factors.

use ndarray::{Array1, Array2};

use super::als::{self, Factors};
use super::pack::{pack_plain, popularity_bias};
use super::protocol::{Ranker, Split};
use super::transitions::{self, NeighbourParams};
use super::{TrainParams, KIND_WEIGHTS};
use crate::history::{Event, EventKind, History, DEFAULT_CAP};
use crate::linalg::cholesky_solve;
use crate::model::Model;
use crate::score::query::{Query, RecommendOptions};
use crate::score::user::weights_newest_first;
use crate::Result;

/// How the dense item rows are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    /// Unquantised f32 (not a shipping format: the quantisation study's reference).
    F32,
    /// `QI8R`: int8 + f32 scale per row.
    Int8,
    /// `QI4R`: 4-bit + f32 scale per row.
    Int4,
}

impl RowFormat {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "f32" => Ok(Self::F32),
            "8" | "int8" => Ok(Self::Int8),
            "4" | "int4" => Ok(Self::Int4),
            _ => Err(crate::Error::InvalidArgument(format!(
                "--rows must be f32, 8 or 4, got {s:?}"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::Int8 => "int8",
            Self::Int4 => "int4",
        }
    }

    /// Bytes per item of the dense scoring sections (rows, scale, bias).
    pub fn bytes_per_item(self, dim: usize) -> usize {
        match self {
            Self::F32 => 4 * dim + 4,
            Self::Int8 => dim + 8,
            Self::Int4 => dim.div_ceil(2) + 8,
        }
    }
}

/// ALS factors trained on a split (shared by every format and neighbour setting).
pub struct Dense {
    pub factors: Factors,
    pub counts: Vec<u32>,
}

/// Trains implicit ALS on the split's prefixes with device-identical confidences.
pub fn train_dense(
    split: &Split,
    items: usize,
    params: &TrainParams,
    progress: &mut dyn FnMut(&als::Progress),
) -> Result<Dense> {
    params.validate()?;
    let inter = als::Interactions::from_sequences(&split.train, items, params);
    let factors = als::train(&inter, params, progress)?;
    Ok(Dense {
        counts: inter.counts().to_vec(),
        factors,
    })
}

/// The `.lrm` model for a split: dense rows in `format` (int8 or 4-bit), plus `NBRS` when
/// `neighbours` is given. Serialised and read back, so what is scored is what ships.
pub fn ship(
    keys: &[String],
    split: &Split,
    dense: &Dense,
    params: &TrainParams,
    format: RowFormat,
    neighbours: Option<&NeighbourParams>,
) -> Result<(Model, usize)> {
    let mut m = pack_plain(
        keys,
        &dense.factors.items,
        &dense.counts,
        params,
        format == RowFormat::Int4,
    )?;
    if let Some(p) = neighbours {
        m.extra.neighbours = Some(transitions::build(&split.train, keys.len(), p)?);
    }
    let bytes = m.to_bytes();
    Ok((Model::from_bytes(&bytes)?, bytes.len()))
}

/// Scoring sections' bytes per item of a shipped model: rows + scales + bias (+ `NBRS`).
pub fn scoring_bytes_per_item(m: &Model) -> f64 {
    let n = m.len();
    let d = m.dim();
    let rows = if m.extra.rows4 { d.div_ceil(2) } else { d } + 8;
    let nb = m
        .extra
        .neighbours
        .as_ref()
        .map_or(0, |nb| nb.encoded_len(n));
    rows as f64 + nb as f64 / n as f64
}

/// The device's history for an input: one view per item, oldest first, capped as the browser.
pub fn history_of(model: &Model, input: &[u32]) -> Result<History> {
    let events = input
        .iter()
        .enumerate()
        .map(|(t, &i)| Event::new(model.keys.key(i as usize), EventKind::View, t as f64))
        .collect::<Result<Vec<_>>>()?;
    History::from_events(DEFAULT_CAP, events)
}

/// A shipped model scored as the browser scores it.
pub struct Device<'a>(pub &'a Model);

impl Ranker for Device<'_> {
    fn score(&self, _user: usize, input: &[u32], out: &mut [f32]) {
        // Keys come from the model itself, so building the history cannot fail; an empty
        // history (all zeros) would be the safe answer if it did.
        let opts = RecommendOptions::default();
        if let Ok(q) = history_of(self.0, input).and_then(|h| Query::from_history(self.0, &h, opts))
        {
            for (o, v) in out.iter_mut().zip(q.scores(&self.0.table)) {
                *o = v;
            }
        }
    }
}

/// Fold-in and scoring against unquantised f32 factors (the quantisation study's reference).
pub struct F32Als {
    items: Array2<f32>,
    bias: Array1<f32>,
    gram: Array2<f64>,
    params: TrainParams,
}

impl F32Als {
    pub fn new(dense: &Dense, params: &TrainParams) -> Self {
        let items = dense.factors.items.mapv(|v| v as f32);
        let y = items.mapv(f64::from);
        Self {
            gram: y.t().dot(&y),
            bias: popularity_bias(&dense.counts, params.pop_weight),
            items,
            params: *params,
        }
    }
}

impl Ranker for F32Als {
    fn score(&self, _user: usize, input: &[u32], out: &mut [f32]) {
        let d = self.items.ncols();
        let start = input.len().saturating_sub(DEFAULT_CAP);
        let rows = input[start..].iter().rev().map(|&i| (i, EventKind::View));
        let w = weights_newest_first(rows, &KIND_WEIGHTS, self.params.decay);
        let (lambda, alpha) = (f64::from(self.params.lambda), f64::from(self.params.alpha));
        let mut a = self.gram.clone();
        for k in 0..d {
            a[[k, k]] += lambda;
        }
        let mut b = Array1::<f64>::zeros(d);
        for &(i, wi) in &w {
            let y = self.items.row(i as usize);
            let aw = alpha * wi;
            for p in 0..d {
                b[p] += (1.0 + aw) * f64::from(y[p]);
                for q in 0..d {
                    a[[p, q]] += aw * f64::from(y[p]) * f64::from(y[q]);
                }
            }
        }
        let u = cholesky_solve(&a, &b).map_or_else(|| Array1::zeros(d), |x| x.mapv(|v| v as f32));
        for (j, o) in out.iter_mut().enumerate() {
            *o = self.items.row(j).dot(&u) + self.bias[j];
        }
    }
}
