//! The engine's backend choice natively, with a real wgpu device (lavapipe in CI): forced WebGPU
//! answers like the CPU, a lost device falls back to the CPU with the same answers, and "auto"
//! decides by the timings it measured. See tests/gpu.rs for the skip/require rule and tolerance.
#![cfg(all(feature = "gpu", not(target_arch = "wasm32")))]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use futures::executor::block_on;
use localrank::history::store::MemoryStore;
use localrank::history::EventKind;
use localrank::score::backend::{Backend, Requested, AUTO_SAMPLES};
use localrank::score::gpu::GpuScorer;
use localrank::{Engine, Model, RecommendOptions, Recommendation};

fn gpu_backend(model: &Model, requested: Requested) -> Option<Backend> {
    match block_on(GpuScorer::new(&model.table, Default::default())) {
        Ok(g) => Some(Backend::with_gpu(requested, g)),
        Err(e) if std::env::var_os("LOCALRANK_REQUIRE_GPU").is_none() => {
            eprintln!("SKIPPED (no GPU): {e}");
            None
        }
        Err(e) => panic!("LOCALRANK_REQUIRE_GPU is set but no GPU: {e}"),
    }
}

fn engine(model: &Model, backend: Backend) -> Engine<MemoryStore> {
    let e = block_on(Engine::open(
        model.clone(),
        backend,
        MemoryStore::default(),
        500,
    ))
    .unwrap();
    for (t, i) in [3, 17, 250, 17, 999].into_iter().enumerate() {
        block_on(e.record(&format!("item-{i}"), EventKind::View, t as f64)).unwrap();
    }
    e
}

fn top(e: &Engine<MemoryStore>, k: usize) -> Vec<Recommendation> {
    block_on(e.recommend(RecommendOptions {
        k,
        exclude_seen: true,
        ..Default::default()
    }))
    .unwrap()
}

fn keys(r: &[Recommendation]) -> Vec<&str> {
    r.iter().map(|x| x.key.as_str()).collect()
}

#[test]
fn forced_webgpu_answers_like_the_cpu() {
    let model = common::synthetic_model(6_000, 64, 31);
    let Some(backend) = gpu_backend(&model, Requested::Gpu) else {
        return;
    };
    let gpu = engine(&model, backend);
    let cpu = engine(&model, Backend::cpu(Requested::Cpu, "reference"));
    assert_eq!(gpu.backend().name(), "webgpu");
    assert_eq!(keys(&top(&gpu, 50)), keys(&top(&cpu, 50)));
    assert!(gpu.backend().report().adapter.is_some());
}

#[test]
fn a_lost_device_falls_back_to_the_cpu_with_the_same_answers() {
    let model = common::synthetic_model(3_000, 32, 32);
    let Some(backend) = gpu_backend(&model, Requested::Gpu) else {
        return;
    };
    let e = engine(&model, backend);
    let before = top(&e, 20);
    e.backend().simulate_gpu_loss();
    let after = top(&e, 20);
    assert_eq!(keys(&after), keys(&before));
    assert_eq!(e.backend().name(), "cpu");
    let report = e.backend().report();
    assert!(report.reason.contains("lost"), "{}", report.reason);
}

#[test]
fn a_k_beyond_the_gpu_kernel_is_served_by_the_cpu_without_giving_up_the_gpu() {
    let model = common::synthetic_model(3_000, 16, 33);
    let Some(backend) = gpu_backend(&model, Requested::Gpu) else {
        return;
    };
    let e = engine(&model, backend);
    assert_eq!(top(&e, 2_000).len(), 2_000);
    assert_eq!(e.backend().name(), "webgpu");
}

/// A clock that makes each CPU query take `cpu_ms` and each GPU query `gpu_ms`: `measure` reads
/// it three times per query (before the CPU, between, after the GPU).
fn scripted_clock(cpu_ms: f64, gpu_ms: f64) -> impl Fn() -> f64 {
    let calls = Rc::new(Cell::new(0u64));
    move || {
        let n = calls.get();
        calls.set(n + 1);
        let query = (n / 3) as f64 * 1_000.0;
        match n % 3 {
            0 => query,
            1 => query + cpu_ms,
            _ => query + cpu_ms + gpu_ms,
        }
    }
}

fn auto_decision(cpu_ms: f64, gpu_ms: f64) -> Option<(Engine<MemoryStore>, Vec<Recommendation>)> {
    let model = common::synthetic_model(2_000, 32, 34);
    let backend = gpu_backend(&model, Requested::Auto)?.with_clock(scripted_clock(cpu_ms, gpu_ms));
    let e = engine(&model, backend);
    let reference = engine(&model, Backend::cpu(Requested::Cpu, "reference"));
    let want = top(&reference, 10);
    // One warm-up pair, then AUTO_SAMPLES measured pairs; every answer is the CPU's meanwhile.
    for i in 0..=AUTO_SAMPLES {
        assert!(!e.backend().report().decided, "decided after {i} queries");
        assert_eq!(e.backend().name(), "cpu");
        assert_eq!(keys(&top(&e, 10)), keys(&want));
    }
    Some((e, want))
}

#[test]
fn auto_keeps_the_gpu_when_it_measured_faster() {
    let Some((e, want)) = auto_decision(4.0, 1.0) else {
        return;
    };
    let report = e.backend().report();
    assert!(report.decided);
    assert_eq!(report.active, "webgpu");
    assert_eq!(report.cpu_ms, vec![4.0; AUTO_SAMPLES]);
    assert_eq!(report.gpu_ms, vec![1.0; AUTO_SAMPLES]);
    assert_eq!(keys(&top(&e, 10)), keys(&want));
}

#[test]
fn auto_keeps_the_cpu_when_it_measured_faster() {
    let Some((e, _)) = auto_decision(0.5, 3.0) else {
        return;
    };
    let report = e.backend().report();
    assert!(report.decided);
    assert_eq!(report.active, "cpu");
    assert!(report.reason.contains("CPU median"), "{}", report.reason);
}

#[test]
fn forced_webgpu_covers_the_neighbour_section() {
    use localrank::model::Neighbours;
    let mut model = common::synthetic_model(4_000, 32, 35);
    let mut rng = common::Rng(36);
    let lists: Vec<Vec<(u32, u8)>> = (0..4_000)
        .map(|_| {
            let mut l: Vec<(u32, u8)> = (0..8)
                .map(|_| (rng.below(4_000) as u32, 1 + rng.below(255) as u8))
                .collect();
            l.sort_unstable();
            l.dedup_by_key(|e| e.0);
            l
        })
        .collect();
    // Neighbour scores comparable to the dense ones, so they change the ranking.
    let nb = Neighbours::new(vec![255, 200, 150, 100, 50], 1.0 / 20_000.0, &lists).unwrap();
    model.extra.neighbours = Some(nb);
    let Some(backend) = gpu_backend(&model, Requested::Gpu) else {
        return;
    };
    let gpu = engine(&model, backend);
    let cpu = engine(&model, Backend::cpu(Requested::Cpu, "reference"));
    let mut plain = model.clone();
    plain.extra.neighbours = None;
    let without = engine(&plain, Backend::cpu(Requested::Cpu, "reference"));
    let (g, c) = (top(&gpu, 40), top(&cpu, 40));
    assert_eq!(gpu.backend().name(), "webgpu");
    assert_ne!(
        keys(&c),
        keys(&top(&without, 40)),
        "the section must matter"
    );
    assert_eq!(keys(&g), keys(&c));
    for (a, b) in g.iter().zip(&c) {
        assert!((a.score - b.score).abs() <= 1e-6 * b.score.abs().max(1.0));
    }
}

#[test]
fn reranked_answers_are_the_same_on_both_backends() {
    use localrank::model::Metadata;
    use localrank::rank::diversity::{Dedupe, Rerank};
    let mut model = common::synthetic_model(6_000, 64, 33);
    // Three variants per title, and a grouping field of 50 parents.
    model.meta = Metadata {
        fields: vec!["title".into(), "parent".into()],
        values: (0..6_000)
            .flat_map(|i| [format!("Product {}", i / 3), format!("p{}", i % 50)])
            .collect(),
    };
    let Some(backend) = gpu_backend(&model, Requested::Gpu) else {
        return;
    };
    let gpu = engine(&model, backend);
    let cpu = engine(&model, Backend::cpu(Requested::Cpu, "reference"));
    for (k, diversity, dedupe, popularity_damping) in [
        (10, 0.0, Dedupe::Title, 0.0),
        (10, 0.3, Dedupe::Title, 0.0),
        (25, 0.5, Dedupe::Off, 0.3),
        (10, 0.1, Dedupe::Attribute("parent".into()), 0.1),
        // 50 parents for k = 60: the pool grows past the GPU kernel's k (the CPU answers those).
        (60, 0.0, Dedupe::Attribute("parent".into()), 0.0),
        (300, 0.3, Dedupe::Title, 1.0),
    ] {
        let opts = RecommendOptions {
            k,
            exclude_seen: true,
            rerank: Rerank {
                diversity,
                dedupe,
                popularity_damping,
            },
        };
        let on_gpu = block_on(gpu.recommend(opts.clone())).unwrap();
        let on_cpu = block_on(cpu.recommend(opts.clone())).unwrap();
        assert!(!on_cpu.is_empty());
        assert_eq!(keys(&on_gpu), keys(&on_cpu), "{opts:?}");
    }
    assert_eq!(gpu.backend().name(), "webgpu");
}

#[test]
fn forced_webgpu_answers_an_empty_history_by_the_prior_like_the_cpu() {
    // Cold start: u = 0, so every score is the bias; few distinct biases make many ties, which
    // both backends must break towards the lower row.
    let mut model = common::synthetic_model(5_000, 32, 37);
    model.table.bias = model.table.bias.mapv(|b| (b * 20_000.0).round() / 20_000.0);
    let Some(backend) = gpu_backend(&model, Requested::Gpu) else {
        return;
    };
    let open = |b| block_on(Engine::open(model.clone(), b, MemoryStore::default(), 500)).unwrap();
    let gpu = open(backend);
    let cpu = open(Backend::cpu(Requested::Cpu, "reference"));
    assert_eq!(gpu.backend().name(), "webgpu");
    assert_eq!(keys(&top(&gpu, 100)), keys(&top(&cpu, 100)));
    let b = &model.table.bias;
    let mut prior: Vec<usize> = (0..b.len()).collect();
    prior.sort_by(|&x, &y| b[y].total_cmp(&b[x]).then(x.cmp(&y)));
    let expected: Vec<String> = prior[..100].iter().map(|i| format!("item-{i}")).collect();
    assert_eq!(keys(&top(&cpu, 100)), expected);
}
