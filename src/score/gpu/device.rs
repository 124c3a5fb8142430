//! Acquiring a GPU and uploading the table: adapter → device (with limits checked) → pipeline →
//! chunked buffers. Every failure is an [`Error::Gpu`] so the caller can fall back to the CPU.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use wgpu::util::DeviceExt;

use std::cell::RefCell;

use super::buffers::Buffers;
use super::{gpu_error, pack_rows, pack_scale_bias, Chunk, GpuScorer, ITEMS_PER_GROUP};
use crate::model::ItemTable;
use crate::serial::Serial;
use crate::{Error, Result};

/// Options of [`GpuScorer::new`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GpuOptions {
    /// Upper bound on a chunk's row buffer in bytes; `None` = the device's binding limit.
    /// Tests set it small to force chunking.
    pub max_chunk_bytes: Option<u64>,
}

/// Most workgroups one dispatch may use in x (WebGPU's guaranteed minimum).
const MAX_GROUPS: u64 = 65_535;

impl GpuScorer {
    /// Finds an adapter, creates a device and uploads `table`. Fails (never panics) when there
    /// is no adapter, the adapter cannot run compute shaders or lacks the limits this scorer
    /// needs, or the shader does not compile on it.
    pub async fn new(table: &ItemTable, opts: GpuOptions) -> Result<Self> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| gpu_error("no GPU adapter", e))?;
        let info = adapter.get_info();
        let name = format!("{} ({:?})", info.name, info.backend);
        if !adapter
            .get_downlevel_capabilities()
            .flags
            .contains(wgpu::DownlevelFlags::COMPUTE_SHADERS)
        {
            return Err(Error::Gpu(format!("{name} cannot run compute shaders")));
        }
        let have = adapter.limits();
        let want = wgpu::Limits {
            max_storage_buffer_binding_size: have.max_storage_buffer_binding_size,
            max_buffer_size: have.max_buffer_size,
            ..wgpu::Limits::default()
        };
        let mut short = Vec::new();
        want.check_limits_with_fail_fn(&have, false, |limit, needed, allowed| {
            short.push(format!("{limit} {allowed} < {needed}"));
        });
        if !short.is_empty() {
            return Err(Error::Gpu(format!(
                "{name} has limits below WebGPU's defaults: {}",
                short.join(", ")
            )));
        }
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("localrank"),
                required_limits: want.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| gpu_error("cannot create a GPU device", e))?;

        let lost = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&lost);
        device.set_device_lost_callback(move |_reason, _msg| flag.store(true, Ordering::SeqCst));

        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = device.create_shader_module(wgpu::include_wgsl!("score.wgsl"));
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("localrank score"),
            entries: &[
                storage_entry(0, true),
                storage_entry(1, true),
                storage_entry(2, true),
                storage_entry(3, true),
                storage_entry(4, false),
                storage_entry(6, true),
                wgpu::BindGroupLayoutEntry {
                    binding: 5,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("localrank score"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("localrank top_k"),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some("top_k"),
            compilation_options: Default::default(),
            cache: None,
        });
        let d_words = table.dim().div_ceil(4);
        let row_bytes = (d_words * 4) as u64;
        let limit = want
            .max_storage_buffer_binding_size
            .min(want.max_buffer_size);
        let chunk_bytes = opts.max_chunk_bytes.map_or(limit, |m| m.min(limit));
        let per_chunk = (chunk_bytes / row_bytes).min(MAX_GROUPS * u64::from(ITEMS_PER_GROUP));
        if per_chunk == 0 {
            return Err(Error::Gpu(format!(
                "a {row_bytes}-byte row does not fit the {chunk_bytes}-byte binding limit"
            )));
        }
        let per_chunk = per_chunk as usize;
        let mut chunks = Vec::new();
        let mut first = 0;
        while first < table.len() {
            let len = per_chunk.min(table.len() - first);
            let rows = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("localrank rows"),
                contents: &pack_rows(table, first, len, d_words),
                usage: wgpu::BufferUsages::STORAGE,
            });
            let scale_bias = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("localrank scale+bias"),
                contents: &pack_scale_bias(table, first, len),
                usage: wgpu::BufferUsages::STORAGE,
            });
            chunks.push(Chunk {
                first: first as u32,
                len: len as u32,
                rows,
                scale_bias,
            });
            first += len;
        }
        let buffers = Buffers::new(&device, &layout, &chunks, d_words as u32);
        // The scope covers the whole setup: shader, pipeline, table and per-query buffers.
        if let Some(e) = scope.pop().await {
            return Err(gpu_error("the GPU rejected the scorer's setup", e));
        }
        Ok(Self {
            device,
            queue,
            pipeline,
            layout,
            chunks,
            buffers: RefCell::new(buffers),
            serial: Serial::default(),
            d_words: d_words as u32,
            items: table.len() as u32,
            lost,
            adapter: name,
        })
    }
}

fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}
