//! The WebGPU/wgpu scorer: the int8 table lives on the GPU (packed 4 values per u32, split into
//! chunks that fit the device's binding limit); one compute pass (`score.wgsl`) scores every
//! item and reduces each workgroup's items to its top-k, so a query reads back
//! `k × workgroups` candidates, never N scores. Readback is awaited (`map_async`), never
//! busy-waited in the browser; natively the device is polled.
//!
//! Built once per model ([`GpuScorer::new`]): device, pipeline, table and the per-query buffers
//! with their bind groups ([`buffers`]); a query only writes the user vector, the exclusion list,
//! the neighbour term and small parameter buffers, then dispatches and reads back. Tested against the CPU reference in
//! `tests/gpu.rs` (lavapipe natively, SwiftShader in headless Chromium).

mod buffers;
mod device;
mod query;

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::model::ItemTable;
use crate::serial::Serial;
use crate::Error;

pub use device::GpuOptions;
pub use query::Boosts;

/// Workgroup size of `score.wgsl` (keep in sync with `WG`).
const WORKGROUP: u32 = 256;
/// Items per invocation in `score.wgsl` (keep in sync with `PER_THREAD`).
const PER_THREAD: u32 = 16;
/// Items covered by one workgroup.
const ITEMS_PER_GROUP: u32 = WORKGROUP * PER_THREAD;
/// Largest k the GPU path serves; larger requests use the CPU.
pub const MAX_GPU_K: usize = 1024;

/// One slice of the item table resident on the GPU.
struct Chunk {
    /// Global index of the first item.
    first: u32,
    /// Items in the chunk.
    len: u32,
    rows: wgpu::Buffer,
    scale_bias: wgpu::Buffer,
}

/// The item table on a GPU, with the pipeline that scores it.
pub struct GpuScorer {
    device: wgpu::Device,
    queue: wgpu::Queue,
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    chunks: Vec<Chunk>,
    /// Per-query buffers and bind groups, reused.
    buffers: RefCell<buffers::Buffers>,
    /// Queries take turns with the buffers.
    serial: Serial,
    d_words: u32,
    /// Items in the whole table (GPU answers are checked against it).
    items: u32,
    lost: Arc<AtomicBool>,
    adapter: String,
}

impl std::fmt::Debug for GpuScorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuScorer")
            .field("adapter", &self.adapter)
            .field("chunks", &self.chunks.len())
            .field("lost", &self.is_lost())
            .finish()
    }
}

fn gpu_error(context: &str, e: impl std::fmt::Display) -> Error {
    Error::Gpu(format!("{context}: {e}"))
}

impl GpuScorer {
    /// The adapter's name and backend, e.g. `"llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan)"`.
    pub fn adapter(&self) -> &str {
        &self.adapter
    }

    /// Number of chunks the table was split into (1 unless it exceeds the binding limit).
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// True once the device reported itself lost (or was destroyed); the engine then falls back
    /// to the CPU.
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// Destroys the device, as a GPU reset or driver crash would (tests of the fallback).
    pub fn destroy_device(&self) {
        self.device.destroy();
        self.lost.store(true, Ordering::SeqCst);
    }
}

/// Packs int8 rows into little-endian u32 words, `ceil(d/4)` per row, zero-padded.
fn pack_rows(table: &ItemTable, first: usize, len: usize, d_words: usize) -> Vec<u8> {
    let d = table.dim();
    let mut out = vec![0u8; len * d_words * 4];
    for r in 0..len {
        let row = table.rows.row_i8(first + r);
        let base = r * d_words * 4;
        for (k, q) in row.iter().enumerate() {
            out[base + k] = *q as u8;
        }
        debug_assert!(d <= d_words * 4);
    }
    out
}

/// Interleaves per-item scale and bias as f32 pairs.
fn pack_scale_bias(table: &ItemTable, first: usize, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len * 8);
    for j in first..first + len {
        out.extend_from_slice(&table.scales[j].to_le_bytes());
        out.extend_from_slice(&table.bias[j].to_le_bytes());
    }
    out
}
