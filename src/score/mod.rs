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

/// Sums per row: `keys` hold `row << 32 | low` (any low half), `value(low)` is the key's
/// contribution. Returns `(row, sum)` ascending by row, each sum taken from `T::default()` in the
/// order of `low`. Fold-in weights (low = event rank) and the `NBRS` accumulators (low = the
/// contribution itself) both use it: one `u64` sort — the one top-k selection uses — instead of
/// a map, so the wasm module carries neither map code nor a second sort.
pub(crate) fn sum_by_row<T>(mut keys: Vec<u64>, value: impl Fn(u32) -> T) -> Vec<(u32, T)>
where
    T: Copy + Default + std::ops::Add<Output = T>,
{
    keys.sort_unstable();
    let mut sums: Vec<(u32, T)> = Vec::new();
    for key in keys {
        let (row, v) = ((key >> 32) as u32, value(key as u32));
        match sums.last_mut() {
            Some((last, sum)) if *last == row => *sum = *sum + v,
            _ => sums.push((row, T::default() + v)),
        }
    }
    sums
}

/// The scoring backends. Closed on purpose: adding one means handling it everywhere.
/// [`backend::Backend`] decides which one answers a query.
#[derive(Debug, Clone)]
pub enum Scorer {
    /// The CPU: ndarray reference plus the SIMD kernels (wasm or native).
    Cpu(CpuScorer),
    /// A wgpu device (WebGPU in the browser); serves top-k queries.
    #[cfg(feature = "gpu")]
    Gpu(std::rc::Rc<gpu::GpuScorer>),
}

impl Default for Scorer {
    fn default() -> Self {
        Scorer::Cpu(CpuScorer)
    }
}

impl Scorer {
    /// The backend's name as reported to JS (`"cpu"` or `"webgpu"`).
    pub fn name(&self) -> &'static str {
        match self {
            Scorer::Cpu(_) => "cpu",
            #[cfg(feature = "gpu")]
            Scorer::Gpu(_) => "webgpu",
        }
    }

    /// Scores of all items for `user`, in row order. Full score arrays (offline evaluation)
    /// always come from the CPU reference: the GPU scorer reduces to top-k on the device and
    /// never reads N scores back.
    pub fn scores(&self, table: &ItemTable, user: &QuantisedUser) -> Array1<f32> {
        match self {
            Scorer::Cpu(cpu) => cpu.scores(table, user),
            #[cfg(feature = "gpu")]
            Scorer::Gpu(_) => CpuScorer.scores(table, user),
        }
    }
}
