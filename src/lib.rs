//! # localrank
//!
//! Private, on-device item recommendations. A store ships one compact quantised model file
//! (`.lrm`, see `docs/FORMAT.md`); the shopper's behaviour history never leaves the device; the
//! user vector is folded in from that history and every item is scored locally.
//!
//! Modules:
//! - [`model`]: the `.lrm` format — reader (never panics on bad bytes) and writer.
//! - [`history`]: events, the bounded log, its persistence trait and JSON document.
//! - [`score`]: history → fold-in state → one query → top-k by a backend ([`score::query`]).
//! - [`rank`]: top-k with exclusions and deterministic ties.
//! - [`recommender`]: the engine that ties them together (what JS calls through `wasm_api`).
//! - [`live`]: attribute values the page sets after load (stock, price), read by filters,
//!   rules and results.
//! - [`results`]: the fields a recommendation or catalogue entry returns.
//! - `train` (feature `train`, native): dataset loading, ALS training, packing.

// No `unwrap`/`expect` in library code (issue 14): outside data gets a typed error. The few
// internal invariants that use `expect` are allowed one by one, each with its reason (the
// allow-list: `grep -rn "allow(clippy::expect_used)" src/`); tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod error;
pub mod history;
pub mod linalg;
pub mod live;
pub mod model;
pub mod rank;
pub mod recommender;
pub mod results;
pub mod rng;
pub mod score;
pub mod serial;

#[cfg(feature = "train")]
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod wasm_api;

pub use error::{Error, Result};
pub use history::{Event, EventKind, History};
pub use model::Model;
pub use recommender::{Engine, RecommendOptions, Recommendation};
