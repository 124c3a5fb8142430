//! The per-query buffers of a [`super::GpuScorer`] and their bind groups, created once per model
//! and size and reused by every query (the wgpu examples' shape): a query only writes the user
//! vector, exclusions, neighbour term and parameters into them. A buffer is replaced — and the
//! bind groups with it — only when a query needs more room than any before (capacities double).

use super::{Chunk, ITEMS_PER_GROUP};

/// Bytes per candidate (`struct Candidate { score: f32, index: u32 }`).
pub(super) const CANDIDATE: u64 = 8;
/// Bytes of `struct Params` in `score.wgsl` (12 u32 words).
pub(super) const PARAMS: u64 = 48;

/// Entries the first exclusion and neighbour buffers hold (one default history's worth).
const FIRST_ENTRIES: usize = 512;
/// The `k` the first candidate buffers hold.
const FIRST_K: usize = 128;

/// Reused GPU buffers and the bind group of each chunk over them.
pub(super) struct Buffers {
    pub user: wgpu::Buffer,
    pub excluded: wgpu::Buffer,
    /// u32 entries `excluded` holds.
    pub excluded_cap: usize,
    pub boosts: wgpu::Buffer,
    /// `(index, acc)` entries `boosts` holds.
    pub boosts_cap: usize,
    /// One uniform buffer per chunk.
    pub params: Vec<wgpu::Buffer>,
    pub out: wgpu::Buffer,
    pub readback: wgpu::Buffer,
    /// The largest `k` `out` and `readback` hold.
    pub k_cap: usize,
    /// One per chunk, over the buffers above.
    pub binds: Vec<wgpu::BindGroup>,
}

/// Workgroups each chunk dispatches.
pub(super) fn groups(chunks: &[Chunk]) -> Vec<u32> {
    chunks
        .iter()
        .map(|c| c.len.div_ceil(ITEMS_PER_GROUP))
        .collect()
}

fn buffer(
    device: &wgpu::Device,
    label: &str,
    size: u64,
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        // Zero-sized buffers cannot be bound; every buffer holds at least one word.
        size: size.max(4),
        usage,
        mapped_at_creation: false,
    })
}

fn storage(device: &wgpu::Device, label: &str, size: u64) -> wgpu::Buffer {
    let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
    buffer(device, label, size, usage)
}

/// Candidate slots of all chunks for `k`.
pub(super) fn slots(chunks: &[Chunk], k: usize) -> u64 {
    groups(chunks)
        .iter()
        .map(|&g| u64::from(g) * k as u64)
        .sum()
}

/// The candidate buffer the shader writes and the one it is copied to for reading, for `k`.
fn candidates(device: &wgpu::Device, chunks: &[Chunk], k: usize) -> (wgpu::Buffer, wgpu::Buffer) {
    let size = slots(chunks, k) * CANDIDATE;
    let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC;
    let out = buffer(device, "localrank candidates", size, usage);
    let usage = wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST;
    (out, buffer(device, "localrank readback", size, usage))
}

fn entry(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

impl Buffers {
    /// Buffers for the first queries, and their bind groups.
    pub fn new(
        device: &wgpu::Device,
        layout: &wgpu::BindGroupLayout,
        chunks: &[Chunk],
        d_words: u32,
    ) -> Self {
        let (out, readback) = candidates(device, chunks, FIRST_K);
        let mut b = Self {
            user: storage(device, "localrank user", u64::from(d_words) * 4),
            excluded: storage(device, "localrank excluded", FIRST_ENTRIES as u64 * 4),
            excluded_cap: FIRST_ENTRIES,
            boosts: storage(device, "localrank boosts", FIRST_ENTRIES as u64 * 8),
            boosts_cap: FIRST_ENTRIES,
            params: chunks
                .iter()
                .map(|_| {
                    let usage = wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST;
                    buffer(device, "localrank params", PARAMS, usage)
                })
                .collect(),
            out,
            readback,
            k_cap: FIRST_K,
            binds: Vec::new(),
        };
        b.bind(device, layout, chunks);
        b
    }

    /// Makes room for a query (`excluded` and `boosts` entries, `k`); rebuilds the bind groups
    /// when a buffer was replaced.
    pub fn reserve(
        &mut self,
        device: &wgpu::Device,
        layout: &wgpu::BindGroupLayout,
        chunks: &[Chunk],
        (excluded, boosts, k): (usize, usize, usize),
    ) {
        let mut grown = false;
        if excluded > self.excluded_cap {
            self.excluded_cap = excluded.next_power_of_two();
            self.excluded = storage(device, "localrank excluded", self.excluded_cap as u64 * 4);
            grown = true;
        }
        if boosts > self.boosts_cap {
            self.boosts_cap = boosts.next_power_of_two();
            self.boosts = storage(device, "localrank boosts", self.boosts_cap as u64 * 8);
            grown = true;
        }
        if k > self.k_cap {
            self.k_cap = k.next_power_of_two();
            (self.out, self.readback) = candidates(device, chunks, self.k_cap);
            grown = true;
        }
        if grown {
            self.bind(device, layout, chunks);
        }
    }

    fn bind(&mut self, device: &wgpu::Device, layout: &wgpu::BindGroupLayout, chunks: &[Chunk]) {
        self.binds = chunks
            .iter()
            .zip(&self.params)
            .map(|(chunk, params)| {
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("localrank chunk"),
                    layout,
                    entries: &[
                        entry(0, &chunk.rows),
                        entry(1, &chunk.scale_bias),
                        entry(2, &self.user),
                        entry(3, &self.excluded),
                        entry(4, &self.out),
                        entry(5, params),
                        entry(6, &self.boosts),
                    ],
                })
            })
            .collect();
    }
}
