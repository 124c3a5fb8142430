//! Turning scores into a ranked list: top-k with exclusions and a deterministic tie-break.

mod topk;

pub use topk::{top_k, Ranked};
