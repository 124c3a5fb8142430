//! Native criterion benches: scoring + top-100 with each kernel, over int8 rows and over packed
//! 4-bit rows, against the ndarray reference (full score array, then `rank::top_k`), at
//! N = 10K / 100K / 1M items, d = 64 and 128; plus a memory-bandwidth probe that reads the same
//! table bytes once, so each result can be stated as a multiple of the time needed just to stream
//! the table from memory.
//!
//! `cargo bench --bench kernels` (or `make bench-native`); `bench/native_summary.py` turns
//! criterion's estimates into the table in docs/BENCHMARKS.md.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::{BenchmarkId, Criterion, Throughput};
    use localrank::model::{ItemTable, Rows};
    use localrank::rank::top_k;
    use localrank::score::kernel::Kernel;
    use localrank::score::{CpuScorer, QuantisedUser};
    use ndarray::{Array1, Array2};

    const K: usize = 100;

    /// A random table with values in `-max..=max` (127: int8; 7: fits 4 bits) and a user.
    fn table(n: usize, d: usize, max: u64, seed: u64) -> (ItemTable, QuantisedUser) {
        let mut rng = localrank::rng::SplitMix64(seed);
        let rows = Array2::from_shape_fn((n, d), |_| {
            (rng.next_u64() % (2 * max + 1)) as i8 - max as i8
        });
        let scales = Array1::from_shape_fn(n, |_| 0.001 + 0.01 * rng.unit().abs());
        let bias = Array1::from_shape_fn(n, |_| 0.01 * rng.unit());
        let q = Array1::from_shape_fn(d, |_| ((rng.next_u64() % 255) as i32 - 127) as i8);
        let user = QuantisedUser { q, scale: 0.02 };
        let rows = Rows::from(rows);
        (ItemTable { rows, scales, bias }, user)
    }

    /// The table's row bytes as held in memory.
    fn row_bytes(table: &ItemTable) -> &[u8] {
        table.rows.memory_bytes()
    }

    /// Reads every byte of the table once (rows, scales, biases), XOR-folding 64-byte lanes the
    /// compiler vectorises: the floor for any scorer that must look at every row.
    fn read_once(table: &ItemTable) -> u64 {
        let mut lanes = [0u8; 64];
        let rows = row_bytes(table);
        let mut chunks = rows.chunks_exact(64);
        for c in &mut chunks {
            for (l, &v) in lanes.iter_mut().zip(c) {
                *l ^= v;
            }
        }
        for (l, &v) in lanes.iter_mut().zip(chunks.remainder()) {
            *l ^= v;
        }
        let mut words = [0u32; 16];
        for column in [&table.scales, &table.bias] {
            let column = column.as_slice().unwrap_or(&[]);
            for c in column.chunks(16) {
                for (w, &v) in words.iter_mut().zip(c) {
                    *w ^= v.to_bits();
                }
            }
        }
        let bytes = lanes
            .iter()
            .fold(0u64, |h, &v| h.rotate_left(5) ^ u64::from(v));
        words
            .iter()
            .fold(bytes, |h, &w| h.rotate_left(7) ^ u64::from(w))
    }

    pub fn kernels(c: &mut Criterion) {
        for d in [64, 128] {
            for n in [10_000, 100_000, 1_000_000] {
                for bits in [8, 4] {
                    let max = if bits == 8 { 127 } else { 7 };
                    let (mut t, u) = table(n, d, max, (n * d) as u64);
                    if bits == 4 {
                        t.rows = t.rows.into_packed();
                    }
                    let name = format!("score_top{K}/d{d}/int{bits}");
                    let mut g = c.benchmark_group(name);
                    g.throughput(Throughput::Bytes((row_bytes(&t).len() + 8 * n) as u64));
                    if n >= 1_000_000 {
                        g.sample_size(20).measurement_time(Duration::from_secs(4));
                    }
                    g.bench_with_input(BenchmarkId::new("ndarray-reference", n), &n, |b, _| {
                        b.iter(|| {
                            let s = CpuScorer.scores(&t, &u);
                            black_box(top_k(s.as_slice().unwrap_or(&[]), K, |_| false))
                        })
                    });
                    for kernel in Kernel::available() {
                        g.bench_with_input(BenchmarkId::new(kernel.name(), n), &n, |b, _| {
                            b.iter(|| {
                                black_box(CpuScorer.top_k_with(kernel, &t, &u, K, |_| false, &[]))
                            })
                        });
                    }
                    g.bench_with_input(BenchmarkId::new("read-table-once", n), &n, |b, _| {
                        b.iter(|| black_box(read_once(black_box(&t))))
                    });
                    g.finish();
                }
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, native::kernels);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
