//! Turning scores into a ranked list: top-k with exclusions and a deterministic tie-break, and
//! the storefront re-ranking of a candidate pool ([`diversity`]: de-duplication, popularity
//! damping, MMR diversity).

pub mod diversity;

mod topk;

pub use topk::{top_k, Ranked};
