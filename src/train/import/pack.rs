//! Joins imported factors to the catalogue and packs them with the native packer
//! ([`crate::train::pack::pack_rows`]: quantisation, Gram matrix, `FOLD`), then adds the
//! catalogue's `META`/`ATTR`, optional `NBRS` lists and the `PROV` record.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use ndarray::{Array1, Axis};

use super::{invalid, Catalogue, ImportedFactors, EXAMPLES};
use crate::model::{Model, Neighbours, Provenance};
use crate::train::from_store::sha256_file;
use crate::train::pack::{pack_rows, popularity_bias_weights};
use crate::train::store::options::UnknownItems;
use crate::train::store::time;
use crate::train::TrainParams;
use crate::Result;

/// How imported factors are packed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImportOptions {
    /// Fold-in λ, α, decay and the popularity-bias scale; `dim` is taken from the factors, the
    /// ALS-only fields (iterations, seed, solver, threads) are not used. λ should be the
    /// regulariser the factors were trained with (docs/FORMAT.md § 2.1).
    pub params: TrainParams,
    /// 4-bit `QI4R` rows instead of int8 `QI8R`.
    pub rows4: bool,
    /// Imported keys the catalogue lacks: packed with their key as title (`Keep`), or an error
    /// (`Refuse`), as `train --unknown-items` treats events of such items.
    pub unknown_items: UnknownItems,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            params: TrainParams::default(),
            rows4: false,
            unknown_items: UnknownItems::Keep,
        }
    }
}

/// What the join did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// Items in the model.
    pub items: usize,
    /// Of them, catalogue items (in catalogue order, first).
    pub from_catalogue: usize,
    /// Imported keys not in the catalogue, packed after them (key as title).
    pub unknown_kept: Vec<String>,
    /// Catalogue items without factors: not in the model (nothing to score them with).
    pub catalogue_without_factors: usize,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} items: {} from the catalogue, {} imported keys not in it (kept, key as title); {} catalogue items without factors (left out)",
            self.items,
            self.from_catalogue,
            self.unknown_kept.len(),
            self.catalogue_without_factors
        )
    }
}

/// A packed model and how the join went.
#[derive(Debug, Clone)]
pub struct Packed {
    pub model: Model,
    pub summary: ImportSummary,
}

fn examples(keys: &[&str]) -> String {
    let shown: Vec<String> = keys
        .iter()
        .take(EXAMPLES)
        .map(|k| format!("{k:?}"))
        .collect();
    shown.join(", ")
}

/// Packs `factors` for `catalogue`'s items: validation ([`ImportedFactors::validate`]), the
/// join (catalogue order, then kept unknown keys), the native packer, `META`/`ATTR` from the
/// catalogue, and `neighbours` (rows indexing `factors.keys`) renumbered to the model's rows.
/// No `PROV`: see [`provenance`].
pub fn pack_imported(
    factors: &ImportedFactors,
    catalogue: &Catalogue,
    neighbours: Option<&Neighbours>,
    opts: &ImportOptions,
) -> Result<Packed> {
    factors.validate()?;
    let imported: HashMap<&str, usize> = factors
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut rows = Vec::new(); // catalogue rows in the model
    let mut order = Vec::new(); // imported row of each model row
    for (r, k) in catalogue.keys().iter().enumerate() {
        if let Some(&i) = imported.get(k.as_str()) {
            rows.push(r);
            order.push(i);
        }
    }
    let in_catalogue: HashSet<&str> = catalogue.keys().iter().map(String::as_str).collect();
    let unknown: Vec<(usize, &str)> = factors
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| !in_catalogue.contains(k.as_str()))
        .map(|(i, k)| (i, k.as_str()))
        .collect();
    let unknown_keys: Vec<&str> = unknown.iter().map(|u| u.1).collect();
    if order.is_empty() {
        return Err(invalid(format!(
            "none of the {} imported keys is in the catalogue (imported {}; catalogue {}): check --keys and the catalogue's key column",
            factors.keys.len(),
            examples(&unknown_keys),
            examples(&catalogue.keys().iter().map(String::as_str).collect::<Vec<_>>())
        )));
    }
    if !unknown.is_empty() && opts.unknown_items == UnknownItems::Refuse {
        return Err(invalid(format!(
            "{} of {} imported keys are not in the catalogue, e.g. {} (--unknown-items refuse; keep packs them with their key as title)",
            unknown.len(),
            factors.keys.len(),
            examples(&unknown_keys)
        )));
    }
    order.extend(unknown.iter().map(|u| u.0));
    let extra: Vec<String> = unknown_keys.iter().map(|k| (*k).to_owned()).collect();
    let keys: Vec<String> = order.iter().map(|&i| factors.keys[i].clone()).collect();
    let table = factors.factors.select(Axis(0), &order);
    let bias = match &factors.popularity {
        Some(p) => {
            let selected: Vec<f64> = order.iter().map(|&i| p[i]).collect();
            popularity_bias_weights(&selected, opts.params.pop_weight)
        }
        None => Array1::zeros(order.len()),
    };
    let params = TrainParams {
        dim: table.ncols(),
        ..opts.params
    };
    params.validate()?;
    let mut model = pack_rows(keys, &table, bias, &params, opts.rows4)?;
    (model.meta, model.extra.attributes) = catalogue.describe(&rows, &extra)?;
    if let Some(nb) = neighbours {
        model.extra.neighbours = Some(renumber(nb, &order)?);
    }
    let summary = ImportSummary {
        items: order.len(),
        from_catalogue: rows.len(),
        unknown_kept: extra,
        catalogue_without_factors: catalogue.keys().len() - rows.len(),
    };
    Ok(Packed { model, summary })
}

/// `nb` (rows of the import) with rows and targets renumbered so that model row `m` is import
/// row `order[m]`; every import row must be in `order`.
fn renumber(nb: &Neighbours, order: &[usize]) -> Result<Neighbours> {
    let n = order.len();
    if nb.offsets.len() != n + 1 {
        return Err(invalid(format!(
            "neighbour lists cover {} items, the import has {n}",
            nb.offsets.len().saturating_sub(1)
        )));
    }
    let mut model_row = vec![u32::MAX; n];
    for (m, &i) in order.iter().enumerate() {
        model_row[i] = m as u32;
    }
    let lists = order
        .iter()
        .map(|&i| {
            let (targets, weights) = nb.of(i);
            targets
                .iter()
                .zip(weights)
                .map(|(&t, &w)| match model_row.get(t as usize) {
                    Some(&m) if m != u32::MAX => Ok((m, w)),
                    _ => Err(invalid(format!(
                        "neighbour list of import row {i} names row {t}, not an item of the model"
                    ))),
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    Neighbours::new(nb.position_weights.clone(), nb.scale, &lists)
}

/// The settings an imported model was packed with, as one line.
pub fn settings_line(opts: &ImportOptions, dim: usize) -> String {
    let p = &opts.params;
    format!(
        "imported dim={dim} lambda={} alpha={} decay={} pop_weight={} rows={}",
        p.lambda,
        p.alpha,
        p.decay,
        p.pop_weight,
        if opts.rows4 { 4 } else { 8 }
    )
}

/// The `PROV` record of an imported model: tool, creation time, each input as `NAME_file` and
/// `NAME_sha256` (`inputs` = `[("factors", path), ("keys", path), ("catalog", path), …]`), the
/// catalogue's rows, the join's counts and the settings.
pub fn provenance(
    inputs: &[(&str, &Path)],
    catalogue: &Catalogue,
    packed: &Packed,
    opts: &ImportOptions,
    created_unix: i64,
) -> Result<Provenance> {
    let mut p = Provenance::default();
    p.set("tool", format!("localrank {}", env!("CARGO_PKG_VERSION")));
    p.set("created", time::rfc3339(created_unix));
    for (name, path) in inputs {
        let file = path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        p.set(&format!("{name}_file"), file);
        p.set(&format!("{name}_sha256"), sha256_file(path)?);
    }
    let r = &catalogue.report;
    p.set(
        "catalog_rows",
        format!("{} read, {} dropped", r.rows, r.dropped_total()),
    );
    p.set("import", packed.summary.to_string());
    p.set("settings", settings_line(opts, packed.model.dim()));
    Ok(p)
}
