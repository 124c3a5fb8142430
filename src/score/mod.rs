//! Scoring: history → user vector ([`user`]) → int8 user ([`QuantisedUser`]) → a score per item
//! by a backend chosen once at load ([`Scorer`]). Every backend follows the scoring contract in
//! `docs/FORMAT.md`, so they return identical rankings; [`cpu`] is the reference.

pub mod backend;
pub mod cpu;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod kernel;
pub mod neighbours;
pub mod pipeline;
mod quant;
pub mod user;

use ndarray::Array1;

pub use cpu::CpuScorer;
pub use quant::QuantisedUser;

use crate::model::ItemTable;

/// The scoring backends. Closed on purpose: adding one means handling it everywhere.
#[derive(Debug, Clone)]
pub enum Scorer {
    /// ndarray on the CPU (wasm or native).
    Cpu(CpuScorer),
}

impl Default for Scorer {
    fn default() -> Self {
        Scorer::Cpu(CpuScorer)
    }
}

impl Scorer {
    /// The backend's name as reported to JS (`"cpu"`).
    pub fn name(&self) -> &'static str {
        match self {
            Scorer::Cpu(_) => "cpu",
        }
    }

    /// Scores of all items for `user`, in row order.
    pub fn scores(&self, table: &ItemTable, user: &QuantisedUser) -> Array1<f32> {
        match self {
            Scorer::Cpu(cpu) => cpu.scores(table, user),
        }
    }
}
