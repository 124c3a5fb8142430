//! Backend choice in a build without the `gpu` feature: always the CPU, and the report says why.

use crate::model::ItemTable;
use crate::score::backend::{Backend, Requested};

/// The CPU backend, whatever was requested.
pub async fn choose(requested: Requested, _table: &ItemTable) -> Backend {
    let reason = match requested {
        Requested::Cpu => "cpu requested",
        _ => "this build of localrank has no GPU support (feature `gpu` off)",
    };
    Backend::cpu(requested, reason)
}
