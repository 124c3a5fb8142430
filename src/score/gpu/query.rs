//! One query on the GPU: write the user vector and exclusions, dispatch every chunk, copy the
//! per-workgroup candidates into one readback buffer, await the mapping, merge on the CPU.

use wgpu::util::DeviceExt;

use super::{gpu_error, GpuScorer, ITEMS_PER_GROUP, MAX_GPU_K};
use crate::rank::Ranked;
use crate::score::QuantisedUser;
use crate::{Error, Result};

/// `NONE` in `score.wgsl`: an empty candidate slot.
const NONE: u32 = u32::MAX;
/// Bytes per candidate (`struct Candidate { score: f32, index: u32 }`).
const CANDIDATE: u64 = 8;

/// The sparse neighbour term of a query (docs/FORMAT.md § 2.3): `(item, accumulator)` pairs,
/// ascending by item, accumulators ≠ 0, and the model's scale. Empty when the model has none.
#[derive(Debug, Clone, Copy, Default)]
pub struct Boosts<'a> {
    pub entries: &'a [(u32, u32)],
    pub scale: f32,
}

impl GpuScorer {
    /// The best `k` items for `user`, best first, skipping the rows in `excluded` (ascending),
    /// with the neighbour term `boosts` added. Follows the scoring contract; results equal the
    /// CPU reference's (see `tests/gpu.rs`).
    pub async fn top_k(
        &self,
        user: &QuantisedUser,
        k: usize,
        excluded: &[u32],
        boosts: Boosts<'_>,
    ) -> Result<Vec<Ranked>> {
        if self.is_lost() {
            return Err(Error::Gpu("the GPU device was lost".into()));
        }
        if k == 0 || k > MAX_GPU_K {
            return Err(Error::InvalidArgument(format!(
                "the GPU scorer serves k in 1..={MAX_GPU_K}, got {k}"
            )));
        }
        debug_assert!(excluded.windows(2).all(|w| w[0] < w[1]));
        let init = |label, contents: &[u8], usage| {
            self.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(label),
                    contents,
                    usage,
                })
        };
        let mut user_bytes: Vec<u8> = user.q.iter().map(|q| *q as u8).collect();
        user_bytes.resize(self.d_words as usize * 4, 0);
        let user_buf = init("localrank user", &user_bytes, wgpu::BufferUsages::STORAGE);
        let excl: Vec<u8> = if excluded.is_empty() {
            NONE.to_le_bytes().to_vec()
        } else {
            excluded.iter().flat_map(|i| i.to_le_bytes()).collect()
        };
        let excl_buf = init("localrank excluded", &excl, wgpu::BufferUsages::STORAGE);
        debug_assert!(boosts.entries.windows(2).all(|w| w[0].0 < w[1].0));
        let boost_bytes: Vec<u8> = if boosts.entries.is_empty() {
            [NONE, 0].iter().flat_map(|v| v.to_le_bytes()).collect()
        } else {
            boosts
                .entries
                .iter()
                .flat_map(|(i, a)| [i.to_le_bytes(), a.to_le_bytes()])
                .flatten()
                .collect()
        };
        let boost_buf = init(
            "localrank boosts",
            &boost_bytes,
            wgpu::BufferUsages::STORAGE,
        );

        let groups: Vec<u32> = self
            .chunks
            .iter()
            .map(|c| c.len.div_ceil(ITEMS_PER_GROUP))
            .collect();
        let slots: u64 = groups.iter().map(|g| u64::from(*g) * k as u64).sum();
        let out = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("localrank candidates"),
            size: slots * CANDIDATE,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let readback = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("localrank readback"),
            size: slots * CANDIDATE,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });

        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        let mut out_base = 0u32;
        for (chunk, &group_count) in self.chunks.iter().zip(&groups) {
            let mut params = Vec::with_capacity(48);
            for v in [
                chunk.len,
                self.d_words,
                chunk.first,
                k as u32,
                excluded.len() as u32,
                user.scale.to_bits(),
                boosts.entries.len() as u32,
                boosts.scale.to_bits(),
                out_base,
                0,
                0,
                0,
            ] {
                params.extend_from_slice(&v.to_le_bytes());
            }
            let params = init("localrank params", &params, wgpu::BufferUsages::UNIFORM);
            let bind = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &self.layout,
                entries: &[
                    entry(0, chunk.rows.as_entire_binding()),
                    entry(1, chunk.scale_bias.as_entire_binding()),
                    entry(2, user_buf.as_entire_binding()),
                    entry(3, excl_buf.as_entire_binding()),
                    entry(4, out.as_entire_binding()),
                    entry(5, params.as_entire_binding()),
                    entry(6, boost_buf.as_entire_binding()),
                ],
            });
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &bind, &[]);
            pass.dispatch_workgroups(group_count, 1, 1);
            drop(pass);
            out_base += group_count * k as u32;
        }
        encoder.copy_buffer_to_buffer(&out, 0, &readback, 0, slots * CANDIDATE);
        self.queue.submit([encoder.finish()]);
        if let Some(e) = scope.pop().await {
            return Err(gpu_error("the GPU rejected the query", e));
        }

        let (tx, rx) = futures_channel::oneshot::channel();
        readback.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| gpu_error("waiting for the GPU failed", e))?;
        rx.await
            .map_err(|_| Error::Gpu("the GPU dropped the readback".into()))?
            .map_err(|e| gpu_error("reading GPU results failed", e))?;
        let found = {
            let view = readback
                .slice(..)
                .get_mapped_range()
                .map_err(|e| gpu_error("reading GPU results failed", e))?;
            view.chunks_exact(CANDIDATE as usize)
                .filter_map(|c| {
                    let score = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                    let index = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
                    (index != NONE).then_some(Ranked { index, score })
                })
                .collect::<Vec<_>>()
        };
        readback.unmap();
        if let Some(bad) = found.iter().find(|r| r.index >= self.items) {
            return Err(Error::Gpu(format!(
                "the GPU returned item {} of a {}-item table",
                bad.index, self.items
            )));
        }
        Ok(crate::score::kernel::select::best_first(&found, k))
    }
}

fn entry(binding: u32, resource: wgpu::BindingResource<'_>) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry { binding, resource }
}
