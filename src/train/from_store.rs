//! Training on a store's own data ([`super::store::StoreData`]): ALS with the event kinds'
//! weights (exactly fold-in's, [`super::als::Interactions::from_events`]), optional 4-bit rows
//! and `NBRS` lists, the catalogue's `META` and `ATTR`, and the `PROV` provenance record.
//! The library half of `localrank train --events … --catalog …`.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::cold::{self, ColdOptions, ColdReport};
use super::store::{time, StoreData, StoreOptions};
use super::transitions::{self, NeighbourParams};
use super::{als, pack, TrainParams};
use crate::model::{Model, Provenance};
use crate::{Error, Result};

/// How the model is shipped: row format, optional neighbour lists, cold-start placement.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ShipOptions {
    /// 4-bit `QI4R` rows instead of int8.
    pub rows4: bool,
    /// Add the `NBRS` section with these settings.
    pub neighbours: Option<NeighbourParams>,
    /// Count next-item pairs only within a session when the event file has a session column
    /// (off by default: on the generated store it did not help, docs/TRAINING.md § Sessions).
    pub within_sessions: bool,
    /// How items with too few events get their vector ([`cold`]).
    pub cold: ColdOptions,
}

/// A long phase of training, for progress displays.
#[derive(Clone, Copy)]
pub enum Phase<'a> {
    /// One ALS sweep finished.
    Sweep(&'a als::Progress<'a>),
    /// ALS is done; the rows are being packed.
    Pack,
    /// Neighbour lists are being counted.
    Neighbours,
}

/// Trains on every user's full sequence and packs the model (no provenance: see
/// [`provenance`]).
pub fn train_store(
    data: &StoreData,
    params: &TrainParams,
    ship: &ShipOptions,
    progress: &mut dyn FnMut(Phase<'_>),
) -> Result<Model> {
    Ok(train_store_report(data, params, ship, progress)?.0)
}

/// [`train_store`], with what cold-start placement did (`localrank train` records it in the
/// provenance as `cold_start`, [`ColdReport::describe`]).
pub fn train_store_report(
    data: &StoreData,
    params: &TrainParams,
    ship: &ShipOptions,
    progress: &mut dyn FnMut(Phase<'_>),
) -> Result<(Model, ColdReport)> {
    params.validate()?;
    ship.cold.validate()?;
    let interactions = als::Interactions::from_events(data.kind_sequences(), data.items(), params);
    let mut factors = als::train(&interactions, params, &mut |p| progress(Phase::Sweep(p)))?;
    let report = cold::place(
        &mut factors.items,
        interactions.counts(),
        &data.content,
        &ship.cold,
    )?;
    progress(Phase::Pack);
    let mut model = pack::pack_plain(
        &data.keys,
        &factors.items,
        interactions.counts(),
        params,
        ship.rows4,
    )?;
    model.meta = data.meta.clone();
    model.extra.attributes = data.attributes.clone();
    if let Some(p) = &ship.neighbours {
        progress(Phase::Neighbours);
        let sessions = data.session_sequences().filter(|_| ship.within_sessions);
        let nb = transitions::build_in_sessions(
            &data.item_sequences(),
            sessions.as_deref(),
            data.items(),
            p,
        )?;
        model.extra.neighbours = Some(nb);
    }
    Ok((model, report))
}

/// SHA-256 of `bytes`, in lower-case hex: what `localrank train` and `inspect` print for a model
/// and what a page passes as `load(bytes, {sha256})`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The id `backendReport.modelId` shows for a model file: with `load`'s `sha256`, `sha256:` and
/// the digest's first 16 hex digits; without, `crc32:` and the header's CRC-32.
pub fn model_ids(bytes: &[u8]) -> (String, String) {
    let digest = sha256_hex(bytes);
    let crc = crate::model::container::header_crc(bytes).unwrap_or(0);
    (
        format!("sha256:{}", &digest[..16]),
        format!("crc32:{crc:08x}"),
    )
}

/// SHA-256 of a file, in hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The settings as one line (`dim=64 iters=15 … rows=4 nbr=top:19,window:4,…`).
pub fn settings_line(params: &TrainParams, ship: &ShipOptions) -> String {
    let p = params;
    let mut s = format!(
        "dim={} iters={} lambda={} alpha={} decay={} pop_weight={} seed={} rows={}",
        p.dim,
        p.iterations,
        p.lambda,
        p.alpha,
        p.decay,
        p.pop_weight,
        p.seed,
        if ship.rows4 { 4 } else { 8 }
    );
    if let Some(n) = &ship.neighbours {
        s += &format!(
            " nbr=top:{},window:{},decay:{},backward:{},source_norm:{},target_norm:{},recency:{},mix:{}",
            n.top,
            n.window,
            n.distance_decay,
            n.backward,
            n.source_norm,
            n.target_norm,
            n.recency,
            n.mix
        );
    }
    s
}

/// The provenance record: tool version, creation time (`created_unix`, seconds), the input
/// files' names and SHA-256 digests, what happened to their rows, and the settings.
pub fn provenance(
    opts: &StoreOptions,
    data: &StoreData,
    params: &TrainParams,
    ship: &ShipOptions,
    created_unix: i64,
) -> Result<Provenance> {
    let mut p = Provenance::default();
    p.set("tool", format!("localrank {}", env!("CARGO_PKG_VERSION")));
    p.set("created", time::rfc3339(created_unix));
    let name = |f: &Path| {
        f.file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned())
    };
    p.set("events_file", name(opts.events.path()));
    p.set("events_sha256", sha256_file(opts.events.path())?);
    let r = &data.events_report;
    p.set(
        "events_rows",
        format!("{} read, {} dropped", r.rows, r.dropped_total()),
    );
    if let (Some(c), Some(r)) = (&opts.catalog, &data.catalog_report) {
        p.set("catalog_file", name(c.path()));
        p.set("catalog_sha256", sha256_file(c.path())?);
        p.set(
            "catalog_rows",
            format!("{} read, {} dropped", r.rows, r.dropped_total()),
        );
    }
    p.set("users", data.sequences.len().to_string());
    p.set("settings", settings_line(params, ship));
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_hex_matches_the_fips_180_2_examples() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
