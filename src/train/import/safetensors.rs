//! Factor matrices from a `safetensors` file (Hugging Face's format, written by PyTorch's
//! `safetensors.torch.save_file`, TensorFlow and `implicit` exports): the tensor named by
//! `--tensor`, or the file's only 2-D tensor. F32, F64, F16 and BF16 are converted to f32.
//! Parsing and bounds checks are the `safetensors` crate's.

use std::path::Path;

use ::safetensors::{tensor::TensorView, Dtype, SafeTensors};
use ndarray::Array2;

use crate::{Error, Result};

fn bad(path: &Path, reason: String) -> Error {
    Error::Io {
        path: path.display().to_string(),
        reason,
    }
}

fn describe(name: &str, t: &TensorView<'_>) -> String {
    format!("{name} {:?} {:?}", t.dtype(), t.shape())
}

/// Reads the `(items, dim)` matrix `tensor` (or the only 2-D tensor) of the file at `path`.
pub fn read_matrix(path: &Path, tensor: Option<&str>) -> Result<Array2<f32>> {
    let bytes = std::fs::read(path).map_err(|e| bad(path, e.to_string()))?;
    let st = SafeTensors::deserialize(&bytes)
        .map_err(|e| bad(path, format!("not a valid safetensors file: {e}")))?;
    let mut all = st.tensors();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let listing = || {
        all.iter()
            .map(|(n, t)| describe(n, t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (name, view) = match tensor {
        Some(name) => match all.iter().find(|(n, _)| n == name) {
            Some((n, t)) => (n.clone(), t),
            None => {
                return Err(bad(
                    path,
                    format!("no tensor {name:?}; the file has: {}", listing()),
                ))
            }
        },
        None => {
            let matrices: Vec<&(String, TensorView<'_>)> =
                all.iter().filter(|(_, t)| t.shape().len() == 2).collect();
            match matrices[..] {
                [(n, t)] => (n.clone(), t),
                [] => {
                    return Err(bad(
                        path,
                        format!("no 2-D tensor; the file has: {}", listing()),
                    ))
                }
                _ => {
                    return Err(bad(
                        path,
                        format!(
                            "{} 2-D tensors, name one with --tensor: {}",
                            matrices.len(),
                            listing()
                        ),
                    ))
                }
            }
        }
    };
    let [n, d] = view.shape()[..] else {
        return Err(bad(
            path,
            format!(
                "tensor {}: expected 2-D (items, dim)",
                describe(&name, view)
            ),
        ));
    };
    let data = view.data();
    let values: Vec<f32> = match view.dtype() {
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect(),
        Dtype::F16 => data
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        Dtype::BF16 => data
            .chunks_exact(2)
            .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        other => {
            return Err(bad(
                path,
                format!("tensor {name:?} is {other:?}; factors must be F32, F64, F16 or BF16"),
            ))
        }
    };
    Array2::from_shape_vec((n, d), values).map_err(|e| bad(path, format!("tensor {name:?}: {e}")))
}
