//! Native training (feature `train`): the Scientific dataset ([`dataset`], [`catalog`]),
//! implicit ALS ([`als`]), item → next-item neighbour lists ([`transitions`]), packing into a
//! `.lrm` [`crate::Model`] ([`pack`]), and offline evaluation (docs/QUALITY.md): the datasets
//! ([`seqdata`]), the leave-one-out full-ranking protocol ([`protocol`]), baselines
//! ([`baselines`]) and localrank's models scored as the browser scores them ([`experiment`]).
//! [`evaluate`] is the older single-split check kept for its tests. A store's own files:
//! [`store`] reads them, [`from_store`] trains and packs; [`attr_defaults`] declares attributes
//! the data lacks (the demo model's `in_stock`).
//!
//! Not for wasm: nothing here is compiled into the browser build.

pub mod als;
pub mod attr_defaults;
pub mod baselines;
pub mod catalog;
pub mod cold;
pub mod dataset;
pub mod diversity_eval;
pub mod evaluate;
pub mod experiment;
pub mod from_store;
pub mod import;
pub mod pack;
pub mod privacy;
pub mod protocol;
pub mod report;
pub mod seqdata;
pub mod splits;
pub mod store;
pub mod synth;
pub mod transitions;
pub mod tune;

use crate::model::MAX_DIM;
use crate::{Error, Result};

pub use dataset::Dataset;

/// Weights of view, cart and purchase written into every model and used in training (the
/// Scientific data has views only; a store's event log has all three kinds).
pub const KIND_WEIGHTS: [f32; 3] = [1.0, 2.0, 3.0];

/// Everything that shapes a trained model. Defaults were picked earlier with a single
/// leave-last-out split of data/scientific (a small grid over λ, α, decay and pop-weight); under
/// the protocol of docs/QUALITY.md they give test HR@10 0.1224 and NDCG@10 0.0792 with int8
/// rows, against 0.0315 / 0.0180 for popularity. λ (0.1–20) and decay
/// (0.7–0.9) barely matter; α = 20 beat 5, 10 and 40; seed-to-seed spread is about ±0.003 HR@10.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainParams {
    /// Embedding dimension.
    pub dim: usize,
    /// ALS sweeps (each solves all users, then all items).
    pub iterations: usize,
    /// Ridge regulariser λ, in training and in the model's fold-in.
    pub lambda: f32,
    /// Confidence scale α: `c = 1 + α·w`.
    pub alpha: f32,
    /// Recency decay per position, newest first.
    pub decay: f32,
    /// Scale of the popularity bias `pop_weight · ln(1+count)/ln(1+max count)`.
    pub pop_weight: f32,
    /// Seed of the factor initialisation.
    pub seed: u64,
    /// How each ALS row is solved (docs/TRAINING.md).
    pub solver: als::Solver,
    /// ALS worker threads, 0 = one per core. The model's bytes do not depend on it.
    pub threads: usize,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self {
            dim: 64,
            iterations: 15,
            lambda: 1.0,
            alpha: 20.0,
            decay: 0.9,
            pop_weight: 0.02,
            seed: 42,
            solver: als::Solver::DEFAULT,
            threads: 0,
        }
    }
}

impl TrainParams {
    /// Checks every parameter is in the domain the model format and the solver accept.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::InvalidArgument(what.to_owned()));
        if !(1..=MAX_DIM as usize).contains(&self.dim) {
            return bad(&format!("dim must be 1..={MAX_DIM}, got {}", self.dim));
        }
        if !(self.lambda.is_finite() && self.lambda > 0.0) {
            return bad(&format!("lambda must be > 0, got {}", self.lambda));
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return bad(&format!("alpha must be ≥ 0, got {}", self.alpha));
        }
        if !(self.decay > 0.0 && self.decay <= 1.0) {
            return bad(&format!("decay must be in (0, 1], got {}", self.decay));
        }
        if !(self.pop_weight.is_finite() && self.pop_weight >= 0.0) {
            return bad(&format!("pop-weight must be ≥ 0, got {}", self.pop_weight));
        }
        if self.solver == (als::Solver::Cg { steps: 0 }) {
            return bad("solver cg needs at least one step");
        }
        Ok(())
    }
}

/// Trains on every user's full sequence and packs the model (the `localrank train` command).
pub fn train_model(
    data: &Dataset,
    params: &TrainParams,
    progress: &mut dyn FnMut(&als::Progress),
) -> Result<crate::Model> {
    params.validate()?;
    let interactions = als::Interactions::from_sequences(&data.sequences, data.items(), params);
    let factors = als::train(&interactions, params, progress)?;
    pack::pack(data, &factors.items, interactions.counts(), params, false)
}

/// [`train_model`] with the shipping options of docs/QUALITY.md: 4-bit rows (`QI4R`) instead of
/// int8, and an `NBRS` neighbour section trained on the same sequences.
pub fn train_model_with(
    data: &Dataset,
    params: &TrainParams,
    rows4: bool,
    neighbours: Option<&transitions::NeighbourParams>,
    progress: &mut dyn FnMut(&als::Progress),
) -> Result<crate::Model> {
    let ship = from_store::ShipOptions {
        rows4,
        neighbours: neighbours.copied(),
        cold: cold::ColdOptions::default(),
        within_sessions: false,
    };
    Ok(train_model_report(data, params, &ship, progress)?.0)
}

/// [`train_model_with`] with every shipping option, cold-start placement included (content from
/// the products' title, department and brand), and what placement did.
pub fn train_model_report(
    data: &Dataset,
    params: &TrainParams,
    ship: &from_store::ShipOptions,
    progress: &mut dyn FnMut(&als::Progress),
) -> Result<(crate::Model, cold::ColdReport)> {
    params.validate()?;
    ship.cold.validate()?;
    let interactions = als::Interactions::from_sequences(&data.sequences, data.items(), params);
    let mut factors = als::train(&interactions, params, progress)?;
    let content: Vec<cold::ItemContent> =
        data.products.iter().map(cold::ItemContent::from).collect();
    let report = cold::place(
        &mut factors.items,
        interactions.counts(),
        &content,
        &ship.cold,
    )?;
    let mut model = pack::pack(
        data,
        &factors.items,
        interactions.counts(),
        params,
        ship.rows4,
    )?;
    if let Some(p) = &ship.neighbours {
        model.extra.neighbours = Some(transitions::build(&data.sequences, data.items(), p)?);
    }
    Ok((model, report))
}
