//! GPU vs CPU time per query, natively: `cargo run --release --example gpu_bench [N...]`
//! (default N = 100000 1000000, d = 64, k = 100, a 50-event history's worth of exclusions).
//!
//! Prints the adapter (on a machine without a GPU that is lavapipe, Mesa's CPU Vulkan driver —
//! the label says so) and, per N: upload time, median and p95 per query of the GPU path (dispatch
//! and readback of the per-workgroup candidates) and of the CPU's fused kernel top-k, measured
//! in the same run on the same table and user vectors, after checking both return the same ids.

use std::time::Instant;

use futures::executor::block_on;
use localrank::model::ItemTable;
use localrank::rng::SplitMix64 as Rng;
use localrank::score::gpu::{Boosts, GpuScorer};
use localrank::score::{CpuScorer, QuantisedUser};
use ndarray::{Array1, Array2};

const D: usize = 64;
const K: usize = 100;
const WARMUP: usize = 3;
const RUNS: usize = 30;

fn stats(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[(ms.len() * 95).div_ceil(100) - 1])
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![100_000, 1_000_000]
    } else {
        sizes
    };
    let mut rng = Rng(7);
    println!("| N | adapter | upload ms | GPU median ms | GPU p95 ms | CPU median ms | CPU p95 ms | CPU/GPU |");
    println!("|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let rows = Array2::from_shape_fn((n, D), |_| rng.unit());
        let bias = Array1::from_shape_fn(n, |_| 0.01 * rng.unit());
        let table = ItemTable::quantise(&rows, bias);
        let t = Instant::now();
        let gpu = match block_on(GpuScorer::new(&table, Default::default())) {
            Ok(g) => g,
            Err(e) => {
                eprintln!("no GPU: {e}");
                std::process::exit(2);
            }
        };
        let upload = t.elapsed().as_secs_f64() * 1e3;
        let users: Vec<QuantisedUser> = (0..WARMUP + RUNS)
            .map(|_| QuantisedUser::new(&Array1::from_shape_fn(D, |_| rng.unit())))
            .collect();
        let excluded: Vec<u32> = (0..50)
            .map(|i| (i * 7919 % n) as u32)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let (mut g_ms, mut c_ms) = (Vec::new(), Vec::new());
        for (i, u) in users.iter().enumerate() {
            let t = Instant::now();
            let g = block_on(gpu.top_k(u, K, &excluded, Boosts::default())).expect("GPU query");
            let tg = t.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            let c = CpuScorer.top_k(&table, u, K, |j| excluded.binary_search(&j).is_ok(), &[]);
            let tc = t.elapsed().as_secs_f64() * 1e3;
            let same = g.iter().zip(&c).filter(|(a, b)| a.index == b.index).count();
            assert!(
                same * 100 >= K * 99,
                "GPU and CPU disagree on {} of {K} ids",
                K - same
            );
            if i >= WARMUP {
                g_ms.push(tg);
                c_ms.push(tc);
            }
        }
        let (gm, gp) = stats(g_ms);
        let (cm, cp) = stats(c_ms);
        println!(
            "| {n} | {} | {upload:.1} | {gm:.3} | {gp:.3} | {cm:.3} | {cp:.3} | {:.2}× |",
            gpu.adapter(),
            cm / gm
        );
    }
}
