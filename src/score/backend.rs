//! Which scorer answers a query, decided at load and revised at run time:
//! - `"cpu"`: always the CPU.
//! - `"webgpu"`: the GPU when one was set up, else the CPU (with the reason reported).
//! - `"auto"` (default): decided by measurement, not by presence. The first queries are answered
//!   by the CPU while the GPU computes the same query beside them and both are timed; after
//!   [`AUTO_SAMPLES`] pairs (one warm-up pair discarded) the faster median wins. A GPU answer
//!   that disagrees with the CPU's beyond the stated tolerance decides for the CPU.
//!
//! Whatever the mode, a GPU failure (device lost, validation error) switches to the CPU for good,
//! and the failing query is answered by the CPU — same ranking, no error to the caller.

use std::cell::RefCell;
#[cfg(feature = "gpu")]
use std::rc::Rc;

use serde::Serialize;

#[cfg(feature = "gpu")]
use super::gpu::{Boosts, GpuScorer};
use super::query::Query;
use super::{CpuScorer, Scorer};
use crate::model::ItemTable;
use crate::rank::Ranked;
use crate::{Error, Result};

/// Timed CPU/GPU pairs `"auto"` collects before deciding (after one discarded warm-up pair).
pub const AUTO_SAMPLES: usize = 5;

/// The backend asked for at load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Requested {
    Auto,
    Cpu,
    #[serde(rename = "webgpu")]
    Gpu,
}

impl Requested {
    /// Parses `"auto"`, `"cpu"` or `"webgpu"`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "webgpu" => Ok(Self::Gpu),
            other => Err(Error::InvalidArgument(format!(
                "backend must be \"auto\", \"cpu\" or \"webgpu\", got \"{other}\""
            ))),
        }
    }
}

/// What the backend did and why: `backendReport` in JS.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendReport {
    /// The load option.
    pub requested: Requested,
    /// `"cpu"` or `"webgpu"`: who answers now.
    pub active: &'static str,
    /// False while `"auto"` is still measuring.
    pub decided: bool,
    /// Why the active backend is what it is (e.g. "navigator.gpu is missing").
    pub reason: String,
    /// The GPU adapter, when one was set up.
    pub adapter: Option<String>,
    /// CPU times of the measured queries, ms (auto mode).
    pub cpu_ms: Vec<f64>,
    /// GPU times of the same queries, ms (auto mode).
    pub gpu_ms: Vec<f64>,
}

struct State {
    /// Who answers once decided.
    active: Scorer,
    /// Auto mode, still measuring (the CPU answers meanwhile).
    #[cfg(feature = "gpu")]
    measuring: bool,
    reason: String,
    /// Auto mode: the first (warm-up) pair has run and was discarded.
    #[cfg(feature = "gpu")]
    warmed: bool,
    cpu_ms: Vec<f64>,
    gpu_ms: Vec<f64>,
}

/// The scorer selection of one engine.
pub struct Backend {
    requested: Requested,
    #[cfg(feature = "gpu")]
    gpu: Option<Rc<GpuScorer>>,
    state: RefCell<State>,
    clock: Box<dyn Fn() -> f64>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("report", &self.report())
            .finish()
    }
}

/// Milliseconds from a monotonic clock (native default).
pub fn monotonic_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3
}

#[cfg(feature = "gpu")]
fn median(xs: &[f64]) -> f64 {
    // A handful of timings: insertion sort, no general sort's code in the wasm module for them.
    let mut v = xs.to_vec();
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1].total_cmp(&v[j]).is_gt() {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
    v[v.len() / 2]
}

/// Milliseconds with three decimals, by integer arithmetic: float formatting would add 20 KB of
/// `core::fmt` to the wasm module for this one message.
#[cfg(any(feature = "gpu", test))]
fn ms(x: f64) -> String {
    let micros = (x.max(0.0) * 1000.0).round() as u64;
    format!("{}.{:03}", micros / 1000, micros % 1000)
}

impl Backend {
    /// CPU only: `requested` was `"cpu"`, or no GPU could be set up (`reason` says why).
    pub fn cpu(requested: Requested, reason: impl Into<String>) -> Self {
        Self {
            requested,
            #[cfg(feature = "gpu")]
            gpu: None,
            state: RefCell::new(State {
                active: Scorer::Cpu(CpuScorer),
                #[cfg(feature = "gpu")]
                measuring: false,
                reason: reason.into(),
                #[cfg(feature = "gpu")]
                warmed: false,
                cpu_ms: Vec::new(),
                gpu_ms: Vec::new(),
            }),
            clock: Box::new(monotonic_ms),
        }
    }

    /// With a GPU set up: `"webgpu"` uses it at once, `"auto"` starts measuring.
    #[cfg(feature = "gpu")]
    pub fn with_gpu(requested: Requested, gpu: GpuScorer) -> Self {
        let gpu = Rc::new(gpu);
        let (active, measuring, reason) = match requested {
            Requested::Gpu => (
                Scorer::Gpu(Rc::clone(&gpu)),
                false,
                "webgpu requested and available",
            ),
            Requested::Auto => (Scorer::Cpu(CpuScorer), true, "measuring CPU and GPU"),
            Requested::Cpu => (Scorer::Cpu(CpuScorer), false, "cpu requested"),
        };
        let mut b = Self::cpu(requested, reason);
        let state = b.state.get_mut();
        state.active = active;
        state.measuring = measuring;
        b.gpu = Some(gpu);
        b
    }

    /// Replaces the clock used to time `"auto"` (the browser passes `performance.now`).
    pub fn with_clock(mut self, clock: impl Fn() -> f64 + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// `"cpu"` or `"webgpu"`: who answers the next query (`"cpu"` while measuring).
    pub fn name(&self) -> &'static str {
        self.state.borrow().active.name()
    }

    /// The decision, its reason and the timings.
    pub fn report(&self) -> BackendReport {
        let s = self.state.borrow();
        BackendReport {
            requested: self.requested,
            active: self.name(),
            decided: self.decided(),
            reason: s.reason.clone(),
            adapter: self.adapter(),
            cpu_ms: s.cpu_ms.clone(),
            gpu_ms: s.gpu_ms.clone(),
        }
    }

    fn decided(&self) -> bool {
        #[cfg(feature = "gpu")]
        if self.state.borrow().measuring {
            return false;
        }
        true
    }

    fn adapter(&self) -> Option<String> {
        #[cfg(feature = "gpu")]
        if let Some(g) = &self.gpu {
            return Some(g.adapter().to_owned());
        }
        None
    }

    /// Destroys the GPU device, if there is one, as a GPU reset would (tests of the fallback).
    pub fn simulate_gpu_loss(&self) {
        #[cfg(feature = "gpu")]
        if let Some(g) = &self.gpu {
            g.destroy_device();
        }
    }

    /// The best `query.k` rows of `table` for `query`, best first, from whichever scorer is
    /// active (the CPU while "auto" measures; the CPU for a `k` beyond the GPU kernel's).
    pub async fn top_k(&self, table: &ItemTable, query: &Query) -> Vec<Ranked> {
        #[cfg(feature = "gpu")]
        {
            if query.k > super::gpu::MAX_GPU_K {
                // Beyond what the GPU kernel keeps per workgroup: this query only goes to the CPU.
                return cpu_top_k(table, query);
            }
            if self.state.borrow().measuring {
                return self.measure(table, query).await;
            }
        }
        let active = self.state.borrow().active.clone();
        match active {
            Scorer::Cpu(_) => cpu_top_k(table, query),
            #[cfg(feature = "gpu")]
            Scorer::Gpu(gpu) => match run_gpu(&gpu, table, query).await {
                Ok(r) => r,
                Err(e) => {
                    self.fall_back(format!("{e}; switched to the CPU"));
                    cpu_top_k(table, query)
                }
            },
        }
    }

    #[cfg(feature = "gpu")]
    fn fall_back(&self, reason: String) {
        let mut s = self.state.borrow_mut();
        s.active = Scorer::Cpu(CpuScorer);
        s.measuring = false;
        s.reason = reason;
    }

    #[cfg(feature = "gpu")]
    async fn measure(&self, table: &ItemTable, q: &Query) -> Vec<Ranked> {
        let t0 = (self.clock)();
        let answer = cpu_top_k(table, q);
        let t1 = (self.clock)();
        let Some(gpu) = self.gpu.clone() else {
            self.fall_back("no GPU scorer; auto chose the CPU".into());
            return answer;
        };
        let gpu = run_gpu(&gpu, table, q).await;
        let t2 = (self.clock)();
        if !self.state.borrow().measuring {
            // Another query decided (or fell back) while this one awaited the GPU.
            return answer;
        }
        let gpu = match gpu {
            Ok(g) => g,
            Err(e) => {
                self.fall_back(format!("{e}; auto chose the CPU"));
                return answer;
            }
        };
        if !same_ranking(&gpu, &answer) {
            self.fall_back("the GPU's ranking differed from the CPU's; auto chose the CPU".into());
            return answer;
        }
        let mut s = self.state.borrow_mut();
        if s.warmed {
            s.cpu_ms.push(t1 - t0);
            s.gpu_ms.push(t2 - t1);
        } else {
            // First pair: pipeline compilation and buffer warm-up; not counted.
            s.warmed = true;
        }
        if s.cpu_ms.len() >= AUTO_SAMPLES {
            let (c, g) = (median(&s.cpu_ms), median(&s.gpu_ms));
            s.measuring = false;
            if g < c {
                s.active = self.gpu.clone().map_or(Scorer::Cpu(CpuScorer), Scorer::Gpu);
                s.reason = format!("auto: GPU median {} ms < CPU median {} ms", ms(g), ms(c));
            } else {
                s.active = Scorer::Cpu(CpuScorer);
                s.reason = format!("auto: CPU median {} ms ≤ GPU median {} ms", ms(c), ms(g));
            }
        }
        answer
    }
}

/// The CPU's answer to `q`: the fused kernel top-k ([`CpuScorer::top_k`]) with the neighbour
/// term added as `n = f32(acc) × scale`. The reference every GPU answer is checked against, and
/// what native callers without a GPU (`localrank recommend`) use directly.
/// Merchandising rules ([`Query::rules`]) are applied to it as to the GPU's answer.
pub fn cpu_top_k(table: &ItemTable, q: &Query) -> Vec<Ranked> {
    let excluded = q.exclusions();
    let pool = CpuScorer.top_k(
        table,
        &q.user,
        q.k,
        |i| excluded.contains(i),
        &q.boost_terms(),
    );
    q.rules.apply(table, q, pool)
}

/// One GPU query, with the merchandising rules applied as [`cpu_top_k`] applies them.
#[cfg(feature = "gpu")]
async fn run_gpu(gpu: &GpuScorer, table: &ItemTable, q: &Query) -> Result<Vec<Ranked>> {
    let boosts = Boosts {
        entries: &q.boosts,
        scale: q.boost_scale,
    };
    let pool = gpu.top_k(&q.user, q.k, &q.excluded, boosts).await?;
    Ok(q.rules.apply(table, q, pool))
}

/// Same ids, or ids that differ only where scores tie within the GPU tolerance (an FMA may round
/// the last multiply-add once instead of twice): relative 1e-6 of the largest |score|.
#[cfg(feature = "gpu")]
fn same_ranking(gpu: &[Ranked], cpu: &[Ranked]) -> bool {
    let scale = cpu.iter().fold(0f32, |m, r| m.max(r.score.abs()));
    let tol = 1e-6 * scale;
    gpu.len() == cpu.len()
        && gpu
            .iter()
            .zip(cpu)
            .all(|(g, c)| g.index == c.index || (g.score - c.score).abs() <= tol)
}

#[cfg(test)]
mod tests {
    use super::ms;

    #[test]
    fn milliseconds_print_with_three_decimals() {
        assert_eq!(ms(0.4125), "0.413");
        assert_eq!(ms(12.0), "12.000");
        assert_eq!(ms(0.0004), "0.000");
        assert_eq!(ms(-1.0), "0.000");
    }

    #[cfg(feature = "gpu")]
    #[test]
    fn median_is_the_middle_of_the_sorted_timings() {
        use super::median;
        assert_eq!(median(&[5.0, 1.0, 4.0, 2.0, 3.0]), 3.0);
        assert_eq!(median(&[0.9, 0.1, 0.5, 0.3, 0.7, 0.2]), 0.5);
        assert_eq!(median(&[2.5]), 2.5);
    }
}
