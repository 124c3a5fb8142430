//! Scoring: history → fold-in state ([`fold`]) → one [`query::Query`] (int8 user vector,
//! exclusions, neighbour term) → the top-k of a backend chosen at load ([`backend`], [`Scorer`]).
//! Every backend follows the scoring contract in `docs/FORMAT.md`, so they return identical
//! rankings; [`cpu`] is the reference, and full score arrays come only from it
//! ([`query::Query::scores`]).

pub mod backend;
pub mod cpu;
pub mod explain;
pub mod filter;
pub mod fold;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod kernel;
pub mod neighbours;
mod quant;
pub mod query;
pub mod rules;
pub mod similar;
pub mod user;

pub use cpu::CpuScorer;
pub use quant::QuantisedUser;

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
}
