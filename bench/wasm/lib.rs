//! wasm exports for the browser benchmark (bench/page/): the shipped CPU scorer over a table
//! handed in once from JS, so per-query timing covers exactly "scoring + top-k" as it does for
//! the peers; a probe that reads the same table bytes once (the memory-bandwidth floor); and a
//! writer of a synthetic `.lrm` for the "model bytes → first recommendation" measurement, which
//! then goes through the real package (`pkg/`).

use localrank::model::{
    Attributes, Extensions, FoldIn, ItemKeys, ItemTable, Metadata, Model, Rows,
};
use localrank::rank::Ranked;
use localrank::score::kernel::Kernel;
use localrank::score::{CpuScorer, QuantisedUser};
use ndarray::{Array1, Array2};
use wasm_bindgen::prelude::*;

// The synthetic store's typed attributes, shared with examples/filter_bench.rs.
#[path = "../../tests/common/store_attributes.rs"]
mod store_attributes;
use store_attributes::store_attributes;

/// An item table resident in this module's memory.
#[wasm_bindgen]
pub struct BenchTable {
    table: ItemTable,
}

fn table_from(
    rows: Vec<i8>,
    scales: Vec<f32>,
    bias: Vec<f32>,
    d: usize,
) -> Result<ItemTable, JsError> {
    let n = scales.len();
    if bias.len() != n || rows.len() != n * d {
        return Err(JsError::new("table shapes disagree"));
    }
    let rows = Array2::from_shape_vec((n, d), rows).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(ItemTable {
        rows: rows.into(),
        scales: Array1::from(scales),
        bias: Array1::from(bias),
    })
}

impl BenchTable {
    /// The in-memory row bytes.
    fn rows(&self) -> &[u8] {
        self.table.rows.memory_bytes()
    }

    /// One query through the engine's CPU path (fused kernel top-k), best first.
    fn ranked(&self, user: Vec<i8>, user_scale: f32, k: usize) -> Vec<Ranked> {
        let user = QuantisedUser {
            q: Array1::from(user),
            scale: user_scale,
        };
        CpuScorer.top_k(&self.table, &user, k, |_| false, &[])
    }
}

#[wasm_bindgen]
impl BenchTable {
    /// Copies the table in (once; not part of any timed query); `packed` keeps the rows as
    /// 4-bit `QI4R` bytes in memory, as the engine does for a 4-bit model (every value must be in
    /// −7..=7).
    #[wasm_bindgen(constructor)]
    pub fn new(
        rows: Vec<i8>,
        scales: Vec<f32>,
        bias: Vec<f32>,
        d: usize,
        packed: bool,
    ) -> Result<BenchTable, JsError> {
        let mut table = table_from(rows, scales, bias, d)?;
        if packed {
            table.rows = table.rows.into_packed();
            if !matches!(table.rows, Rows::I4(_)) {
                return Err(JsError::new("values outside -7..=7 cannot be packed"));
            }
        }
        Ok(Self { table })
    }

    /// Bytes of the in-memory rows (N·d int8, or N·ceil(d/2) packed).
    pub fn row_bytes(&self) -> usize {
        self.rows().len()
    }

    /// The kernel this build uses: `"simd128"` or `"portable"`.
    pub fn kernel() -> String {
        Kernel::best().name().into()
    }

    /// Scoring + top-k of one query, as the engine runs it: indices, best first.
    pub fn top_k(&self, user: Vec<i8>, user_scale: f32, k: usize) -> Vec<u32> {
        self.ranked(user, user_scale, k)
            .into_iter()
            .map(|r| r.index)
            .collect()
    }

    /// The scores of [`Self::top_k`]'s items (for the equality check, not timed).
    pub fn top_k_scores(&self, user: Vec<i8>, user_scale: f32, k: usize) -> Vec<f32> {
        self.ranked(user, user_scale, k)
            .into_iter()
            .map(|r| r.score)
            .collect()
    }

    /// Only the kernel's i32 accumulators over all rows (no epilogue, no top-k): how much of a
    /// query the dot products take. Returns a checksum so the work is not optimised away.
    pub fn dots_only(&self, user: Vec<i8>) -> i32 {
        let kernel = Kernel::best();
        let d = user.len().max(1);
        let packed = matches!(self.table.rows, Rows::I4(_));
        let per = if packed { d.div_ceil(2) } else { d };
        let mut acc = [0i32; 256];
        let mut sum = 0i32;
        for block in self.rows().chunks(256 * per) {
            let m = block.len() / per;
            if packed {
                kernel.dots4(block, &user, &mut acc[..m]);
            } else {
                // SAFETY: i8 and u8 have the same size and alignment.
                let block =
                    unsafe { std::slice::from_raw_parts(block.as_ptr().cast(), block.len()) };
                kernel.dots(block, &user, &mut acc[..m]);
            }
            sum = sum.wrapping_add(acc[..m].iter().fold(0i32, |a, &b| a ^ b));
        }
        sum
    }

    /// Reads every byte of the table once (rows, scales, biases) with 16-byte loads XOR-folded
    /// into four registers: the time any scorer needs at least, since it must look at every row.
    pub fn read_once(&self) -> u32 {
        let scales = self.table.scales.as_slice().unwrap_or(&[]);
        let bias = self.table.bias.as_slice().unwrap_or(&[]);
        // SAFETY: f32 slices are plain bytes; the view covers exactly their length.
        let (scales, bias) = unsafe {
            (
                std::slice::from_raw_parts(scales.as_ptr().cast::<u8>(), scales.len() * 4),
                std::slice::from_raw_parts(bias.as_ptr().cast::<u8>(), bias.len() * 4),
            )
        };
        fold(self.rows()) ^ fold(scales) ^ fold(bias)
    }
}

#[cfg(target_feature = "simd128")]
fn fold(bytes: &[u8]) -> u32 {
    use core::arch::wasm32::{i32x4_extract_lane, u64x2_splat, v128, v128_load, v128_xor};
    let mut acc = [u64x2_splat(0); 4];
    let mut chunks = bytes.chunks_exact(64);
    for c in &mut chunks {
        for (i, a) in acc.iter_mut().enumerate() {
            // SAFETY: `c` is 64 bytes, so bytes 16i..16i+16 are in bounds; no alignment needed.
            *a = v128_xor(*a, unsafe {
                v128_load(c.as_ptr().add(16 * i).cast::<v128>())
            });
        }
    }
    let x = v128_xor(v128_xor(acc[0], acc[1]), v128_xor(acc[2], acc[3]));
    let tail = chunks
        .remainder()
        .iter()
        .fold(0u32, |h, &v| h.rotate_left(3) ^ v as u32);
    (i32x4_extract_lane::<0>(x) ^ i32x4_extract_lane::<3>(x)) as u32 ^ tail
}

#[cfg(not(target_feature = "simd128"))]
fn fold(bytes: &[u8]) -> u32 {
    let mut acc = [0u64; 8];
    let mut chunks = bytes.chunks_exact(64);
    for c in &mut chunks {
        for (a, w) in acc.iter_mut().zip(c.chunks_exact(8)) {
            *a ^= w.iter().fold(0u64, |h, &v| (h << 8) | u64::from(v));
        }
    }
    let tail = chunks
        .remainder()
        .iter()
        .fold(0u32, |h, &v| h.rotate_left(3) ^ v as u32);
    acc.iter()
        .fold(tail, |h, &a| h ^ a as u32 ^ (a >> 32) as u32)
}

/// Bytes of this module's linear memory.
#[wasm_bindgen]
pub fn memory_bytes() -> usize {
    core::arch::wasm32::memory_size(0) * 65536
}

/// A complete `.lrm` over the given table: keys `item-<i>`, a title and category per item, the
/// table's Gram matrix and default fold-in parameters; 4-bit `QI4R` rows when every value fits
/// (as the shipped models are), `QI8R` otherwise. With `attributes`, also the typed catalogue
/// attributes of [`store_attributes`] (image, a category path, in_stock, price, tags: bench/e2e.mjs
/// times building objects with them and filtering on them).
#[wasm_bindgen]
pub fn synthetic_lrm(
    rows: Vec<i8>,
    scales: Vec<f32>,
    bias: Vec<f32>,
    d: usize,
    attributes: Option<bool>,
) -> Result<Vec<u8>, JsError> {
    let table = table_from(rows, scales, bias, d)?;
    let n = table.len();
    let gram = table.gram();
    let keys = ItemKeys::new((0..n).map(|i| format!("item-{i}")).collect())
        .map_err(|e| JsError::new(&e.to_string()))?;
    let meta = Metadata {
        fields: vec!["title".into(), "category".into()],
        values: (0..n)
            .flat_map(|i| {
                [
                    format!("Synthetic item {i}"),
                    format!("Category {}", i % 25),
                ]
            })
            .collect(),
    };
    let model = Model {
        table,
        keys,
        meta,
        fold: FoldIn {
            lambda: 1.0,
            alpha: 20.0,
            decay: 0.9,
            kind_weights: vec![1.0, 2.0, 3.0],
            gram,
        },
        extra: Extensions {
            neighbours: None,
            rows4: true,
            attributes: match attributes {
                Some(true) => store_attributes(n),
                _ => Attributes::default(),
            },
            provenance: None,
            ..Extensions::default()
        },
    };
    Ok(model.to_bytes())
}
