//! One query on the GPU: write the user vector, exclusions, neighbour term and parameters into
//! the reused buffers ([`super::buffers`]), dispatch every chunk, copy the per-workgroup
//! candidates into the readback buffer, await the mapping, merge on the CPU. Nothing is created
//! per query unless the query needs bigger buffers than any before it.

use super::buffers::{groups, slots, CANDIDATE, PARAMS};
use super::{gpu_error, GpuScorer, MAX_GPU_K};
use crate::rank::Ranked;
use crate::score::QuantisedUser;
use crate::{Error, Result};

/// `NONE` in `score.wgsl`: an empty candidate slot.
const NONE: u32 = u32::MAX;

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
        debug_assert!(boosts.entries.windows(2).all(|w| w[0].0 < w[1].0));
        // One query at a time owns the buffers: the next waits until this one has unmapped
        // the readback buffer.
        let _turn = self.serial.turn().await;
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let (readback, bytes) = self.dispatch(user, k, excluded, boosts);
        if let Some(e) = scope.pop().await {
            return Err(gpu_error("the GPU rejected the query", e));
        }

        let (tx, rx) = futures_channel::oneshot::channel();
        let slice = readback.slice(..bytes);
        slice.map_async(wgpu::MapMode::Read, move |r| {
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
            let view = slice
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

    /// Writes the query into the reused buffers (growing them first if it needs more room),
    /// records every chunk's dispatch and the copy of `slots × 8` candidate bytes, and submits.
    /// Returns the readback buffer and how many of its bytes hold this query's candidates.
    fn dispatch(
        &self,
        user: &QuantisedUser,
        k: usize,
        excluded: &[u32],
        boosts: Boosts<'_>,
    ) -> (wgpu::Buffer, u64) {
        let mut buffers = self.buffers.borrow_mut();
        let b = &mut *buffers;
        let need = (excluded.len(), boosts.entries.len(), k);
        b.reserve(&self.device, &self.layout, &self.chunks, need);

        let mut user_bytes: Vec<u8> = user.q.iter().map(|q| *q as u8).collect();
        user_bytes.resize(self.d_words as usize * 4, 0);
        self.queue.write_buffer(&b.user, 0, &user_bytes);
        if !excluded.is_empty() {
            let bytes: Vec<u8> = excluded.iter().flat_map(|i| i.to_le_bytes()).collect();
            self.queue.write_buffer(&b.excluded, 0, &bytes);
        }
        if !boosts.entries.is_empty() {
            let bytes: Vec<u8> = boosts
                .entries
                .iter()
                .flat_map(|(i, a)| [i.to_le_bytes(), a.to_le_bytes()])
                .flatten()
                .collect();
            self.queue.write_buffer(&b.boosts, 0, &bytes);
        }

        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        let mut out_base = 0u32;
        for (((chunk, group_count), params), bind) in self
            .chunks
            .iter()
            .zip(groups(&self.chunks))
            .zip(&b.params)
            .zip(&b.binds)
        {
            let words = [
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
            ];
            let bytes: Vec<u8> = words.iter().flat_map(|v| v.to_le_bytes()).collect();
            debug_assert_eq!(bytes.len() as u64, PARAMS);
            self.queue.write_buffer(params, 0, &bytes);
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, bind, &[]);
            pass.dispatch_workgroups(group_count, 1, 1);
            drop(pass);
            out_base += group_count * k as u32;
        }
        let bytes = slots(&self.chunks, k) * CANDIDATE;
        encoder.copy_buffer_to_buffer(&b.out, 0, &b.readback, 0, bytes);
        self.queue.submit([encoder.finish()]);
        (b.readback.clone(), bytes)
    }
}
