//! Fixtures shared by the native and browser test suites: small deterministic synthetic models.
#![allow(dead_code)] // each test crate uses a different subset

use std::rc::Rc;

use localrank::history::store::{HistoryStore, MemoryStore};
use localrank::history::{Event, History};
use localrank::model::{FoldIn, ItemKeys, ItemTable, Metadata, Model};
use ndarray::{Array1, Array2};

/// The crate's deterministic generator, under the name the tests use.
pub use localrank::rng::SplitMix64 as Rng;

pub mod store_attributes;

/// A store shared between engine instances, like one IndexedDB database open in two tabs.
#[derive(Clone, Default)]
pub struct Shared(pub Rc<MemoryStore>);

impl HistoryStore for Shared {
    async fn load(&self) -> localrank::Result<Vec<Event>> {
        self.0.load().await
    }
    async fn append(&self, e: &Event, drop: &[usize]) -> localrank::Result<()> {
        self.0.append(e, drop).await
    }
    async fn replace(&self, events: &[Event]) -> localrank::Result<()> {
        self.0.replace(events).await
    }
}

/// A random `n × d` model with keys `item-<i>`, categories `cat-<i % 4>` and a small bias.
pub fn synthetic_model(n: usize, d: usize, seed: u64) -> Model {
    let mut rng = Rng(seed);
    let rows = Array2::from_shape_fn((n, d), |_| rng.unit());
    let bias = Array1::from_shape_fn(n, |_| 0.01 * rng.unit());
    let table = ItemTable::quantise(&rows, bias);
    let gram = table.gram();
    let keys = ItemKeys::new((0..n).map(|i| format!("item-{i}")).collect()).expect("unique keys");
    let meta = Metadata {
        fields: vec!["title".into(), "category".into()],
        values: (0..n)
            .flat_map(|i| [format!("Item {i}"), format!("cat-{}", i % 4)])
            .collect(),
    };
    Model {
        table,
        keys,
        meta,
        fold: FoldIn {
            lambda: 0.5,
            alpha: 10.0,
            decay: 0.9,
            kind_weights: vec![1.0, 2.0, 3.0],
            gram,
        },
        extra: Default::default(),
    }
}

/// Fold-in as docs/FORMAT.md writes it, in the most literal order: weights summed per item from
/// +0.0 in the order of r, the full matrix `A[p][q] += αw·y[p]·y[q]`, Cholesky with indexed loops.
pub fn fold_in_reference(m: &Model, h: &History) -> Vec<f32> {
    let (d, f) = (m.dim(), &m.fold);
    let mut weights: Vec<(u32, f64)> = Vec::new();
    for (r, e) in h
        .events()
        .rev()
        .filter(|e| m.keys.index_of(&e.key).is_some())
        .enumerate()
    {
        let i = m.keys.index_of(&e.key).unwrap();
        let w = f64::from(f.kind_weights[e.kind.index()]) * f64::from(f.decay).powi(r as i32);
        match weights.iter_mut().find(|x| x.0 == i) {
            Some(x) => x.1 += w,
            None => weights.push((i, 0.0 + w)),
        }
    }
    weights.sort_by_key(|x| x.0);
    if weights.is_empty() {
        return vec![0.0; d];
    }
    let mut a = ndarray::Array2::<f64>::from_shape_fn((d, d), |(p, q)| f64::from(f.gram[[p, q]]));
    for k in 0..d {
        a[[k, k]] += f64::from(f.lambda);
    }
    let mut b = vec![0.0f64; d];
    for &(i, w) in &weights {
        let y: Vec<f64> = m
            .table
            .dequantised_row(i as usize)
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        let aw = f64::from(f.alpha) * w;
        for p in 0..d {
            b[p] += (1.0 + aw) * y[p];
            for q in 0..d {
                a[[p, q]] += aw * y[p] * y[q];
            }
        }
    }
    let mut l = ndarray::Array2::<f64>::zeros((d, d));
    for i in 0..d {
        for j in 0..=i {
            let mut sum = a[[i, j]];
            for k in 0..j {
                sum -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = if i == j { sum.sqrt() } else { sum / l[[j, j]] };
        }
    }
    let mut y = vec![0.0f64; d];
    for i in 0..d {
        let mut sum = b[i];
        for k in 0..i {
            sum -= l[[i, k]] * y[k];
        }
        y[i] = sum / l[[i, i]];
    }
    let mut x = vec![0.0f64; d];
    for i in (0..d).rev() {
        let mut sum = y[i];
        for k in i + 1..d {
            sum -= l[[k, i]] * x[k];
        }
        x[i] = sum / l[[i, i]];
    }
    x.into_iter().map(|v| v as f32).collect()
}

/// The backend a `"webgpu"` request must end on in the browser running the suite: WebGPU in
/// Chromium (SwiftShader, webdriver.json's flags), the CPU fallback in Firefox ESR, which has no
/// `navigator.gpu`. Suites assert it, so a Chromium that lost WebGPU fails instead of comparing
/// the CPU with itself.
#[cfg(target_arch = "wasm32")]
pub fn webgpu_backend() -> &'static str {
    let firefox = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .is_some_and(|ua| ua.contains("Firefox"));
    if firefox {
        "cpu"
    } else {
        "webgpu"
    }
}

/// A catalogue file read as `localrank pack` reads it: the default columns, `key_col` the key.
#[cfg(all(feature = "train", not(target_arch = "wasm32")))]
pub fn read_catalogue(
    path: impl Into<std::path::PathBuf>,
    key_col: &str,
) -> localrank::Result<localrank::train::import::Catalogue> {
    use localrank::train::store::options::{BadRowLimit, CatalogColumns, FileOptions};
    localrank::train::import::Catalogue::read(
        &FileOptions::new(path),
        &CatalogColumns::default(),
        key_col,
        BadRowLimit::default(),
        localrank::train::store::Source::File,
        &mut |_, _| {},
    )
}
