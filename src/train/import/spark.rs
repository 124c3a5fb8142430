//! What `spark/train.py` wrote (docs/SCALE.md): `items/` (key, row, count, factor),
//! `neighbours/` (key, neighbour, rank, weight, count, users), `users/` (user, factor),
//! `holdout/` (user, history, target: the cases `pack`'s report scores) as Spark's directories
//! of Parquet part files, and `localrank-spark.json` (the job's settings and counts). Read into
//! keys, factors and counts (rows in the job's item order, which is the native trainer's:
//! catalogue order, then event-only items by first use), the real-valued neighbour lists ready for
//! [`crate::train::transitions::quantise`], and the fold-in settings the job trained with.
//!
//! Everything is checked: missing columns or files, rows that are not `0..N` exactly once,
//! factors of the wrong length or not finite, neighbours naming unknown items or out of order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{Field, Row};

use super::ImportedFactors;
use crate::model::{FoldRegulariser, ItemKeys, Neighbours};
use crate::train::privacy::PairPrivacy;
use crate::train::report::{DataStats, DroppedRows, InputRows};
use crate::train::store::parquet_reader::guarded;
use crate::train::store::table::io_error;
use crate::train::transitions::NeighbourParams;
use crate::train::TrainParams;
use crate::{Error, Result};

/// The job's settings file, beside the Parquet directories.
pub const MANIFEST: &str = "localrank-spark.json";

/// The settings the job ran with (from [`MANIFEST`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SparkSettings {
    /// Spark's version.
    pub spark: String,
    /// ALS rank, λ (MLlib's `regParam`), α, recency decay, iterations and seed.
    pub params: TrainParams,
    /// How MLlib regularised each row (always λ × rated items: ALS-WR).
    pub regulariser: FoldRegulariser,
    /// The neighbour settings (recency and mix are the packer's: defaults here).
    pub neighbours: NeighbourParams,
    /// Event rows read and used for training (held-out events are not counted as used).
    pub events_rows: u64,
    pub events_used: u64,
    /// The event log the job read, and its unused rows by reason.
    pub events: InputRows,
    /// The training events' statistics (`None` from a job that did not write them).
    pub data: Option<DataStats>,
    /// Wall-clock seconds of the job's phases, in order (`read`, `ALS`, …).
    pub phases: Vec<(String, f64)>,
    /// Users the job held out (`None` from a job that did not say).
    pub holdout_users: Option<u64>,
}

/// One held-out case: a user's training events (oldest first) and the newest event, which the
/// job withheld from the factors, the lists and the counts — as item rows of [`SparkModel::keys`].
#[derive(Debug, Clone, PartialEq)]
pub struct HoldoutCase {
    pub user: String,
    pub history: Vec<u32>,
    pub target: u32,
}

/// A Spark job's model, before packing.
#[derive(Debug, Clone, PartialEq)]
pub struct SparkModel {
    /// Item keys in the job's row order (unique, non-empty).
    pub keys: Vec<String>,
    /// MLlib's item factors, `items × dim` (zero rows for items without events).
    pub factors: Array2<f32>,
    /// Occurrences per item (the popularity the bias is computed from).
    pub counts: Vec<u32>,
    /// Per row, `(neighbour row, weight)` heaviest first (ties: lower row first).
    pub neighbours: Vec<Vec<(u32, f32)>>,
    pub settings: SparkSettings,
    /// The held-out cases (`spark/train.py --holdout-users`), in user order; empty when none.
    pub holdout: Vec<HoldoutCase>,
}

impl SparkModel {
    /// The factors as [`super::pack_imported`] takes them (occurrence counts as popularity).
    pub fn imported(&self) -> ImportedFactors {
        ImportedFactors {
            keys: self.keys.clone(),
            factors: self.factors.clone(),
            popularity: Some(self.counts.iter().map(|&c| f64::from(c)).collect()),
        }
    }

    /// The `NBRS` section of the job's lists, with the device's `recency` and `mix`.
    pub fn neighbour_section(&self, recency: f32, mix: f32) -> Result<Neighbours> {
        let p = NeighbourParams {
            recency,
            mix,
            ..self.settings.neighbours
        };
        p.validate()?;
        crate::train::transitions::quantise(&self.neighbours, &p)
    }
}

fn bad(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// The Parquet part files of one of the job's output directories, in name order.
fn part_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        bad(
            dir,
            format!("{e} (not the output of spark/train.py? run it with --out on this directory)"),
        )
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| io_error(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".parquet") && !name.starts_with(['.', '_']) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Calls `f(file, row number, row)` for every row of every part file of `dir`.
fn for_each_row(dir: &Path, mut f: impl FnMut(&Path, u64, &Row) -> Result<()>) -> Result<()> {
    for file in part_files(dir)? {
        let handle = std::fs::File::open(&file).map_err(|e| io_error(&file, e))?;
        let reader = SerializedFileReader::new(handle).map_err(|e| io_error(&file, e))?;
        let mut rows = guarded(&file, None, || reader.get_row_iter(None))?;
        let mut n = 0u64;
        while let Some(row) = guarded(&file, Some(n as usize + 1), || rows.next().transpose())? {
            n += 1;
            f(&file, n, &row)?;
        }
    }
    Ok(())
}

fn field<'a>(file: &Path, n: u64, row: &'a Row, name: &str) -> Result<&'a Field> {
    row.get_column_iter()
        .find(|(c, _)| c.as_str() == name)
        .map(|(_, f)| f)
        .ok_or_else(|| bad(file, format!("row {n}: no column {name:?}")))
}

fn text(file: &Path, n: u64, row: &Row, name: &str) -> Result<String> {
    match field(file, n, row, name)? {
        Field::Str(s) if !s.is_empty() => Ok(s.clone()),
        other => Err(bad(file, format!("row {n}: {name} is {other}, not a key"))),
    }
}

fn integer(file: &Path, n: u64, row: &Row, name: &str) -> Result<i64> {
    match field(file, n, row, name)? {
        Field::Int(v) => Ok(i64::from(*v)),
        Field::Long(v) => Ok(*v),
        other => Err(bad(
            file,
            format!("row {n}: {name} is {other}, not an integer"),
        )),
    }
}

fn real(file: &Path, n: u64, row: &Row, name: &str) -> Result<f64> {
    let v = match field(file, n, row, name)? {
        Field::Float(v) => f64::from(*v),
        Field::Double(v) => *v,
        other => {
            return Err(bad(
                file,
                format!("row {n}: {name} is {other}, not a number"),
            ))
        }
    };
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(bad(
            file,
            format!("row {n}: {name} is {v}, not finite and ≥ 0"),
        ))
    }
}

/// A factor cell: `Some(values)`, or `None` for null (an item without events).
fn factor(file: &Path, n: u64, row: &Row) -> Result<Option<Vec<f32>>> {
    match field(file, n, row, "factor")? {
        Field::Null => Ok(None),
        Field::ListInternal(list) => list
            .elements()
            .iter()
            .map(|e| match e {
                Field::Float(v) if v.is_finite() => Ok(*v),
                Field::Double(v) if v.is_finite() => Ok(*v as f32),
                other => Err(bad(file, format!("row {n}: factor value {other}"))),
            })
            .collect::<Result<Vec<f32>>>()
            .map(Some),
        other => Err(bad(file, format!("row {n}: factor is {other}, not a list"))),
    }
}

fn number(v: &serde_json::Value, path: &Path, key: &str) -> Result<f64> {
    let mut cur = v;
    for part in key.split('.') {
        cur = &cur[part];
    }
    match cur {
        serde_json::Value::Number(x) => x.as_f64(),
        serde_json::Value::String(s) if s == "inf" => Some(f64::INFINITY),
        _ => None,
    }
    .ok_or_else(|| bad(path, format!("no number {key:?}")))
}

/// Reads [`MANIFEST`].
fn settings(dir: &Path) -> Result<SparkSettings> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        bad(
            &path,
            format!("{e} (not the output of spark/train.py, or the job did not finish)"),
        )
    })?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(&path, format!("not JSON: {e}")))?;
    if v["format"] != "localrank-spark 1" {
        return Err(bad(&path, format!("unknown format {}", v["format"])));
    }
    let n = |k: &str| number(&v, &path, k);
    let params = TrainParams {
        dim: n("als.dim")? as usize,
        iterations: n("als.iterations")? as usize,
        lambda: n("als.lambda")? as f32,
        alpha: n("als.alpha")? as f32,
        decay: n("als.decay")? as f32,
        seed: n("als.seed")? as u64,
        ..TrainParams::default()
    };
    params
        .validate()
        .map_err(|e| bad(&path, format!("settings: {e}")))?;
    let neighbours = NeighbourParams {
        top: n("nbr.top")? as usize,
        window: n("nbr.window")? as usize,
        distance_decay: n("nbr.decay")? as f32,
        backward: n("nbr.backward")? as f32,
        source_norm: n("nbr.source_norm")? as f32,
        target_norm: n("nbr.target_norm")? as f32,
        privacy: PairPrivacy {
            min_users: n("nbr.min_users")? as u32,
            user_cap: n("nbr.user_cap")? as f32,
            ..PairPrivacy::default()
        },
        ..NeighbourParams::default()
    };
    neighbours
        .validate()
        .map_err(|e| bad(&path, format!("settings: {e}")))?;
    let regulariser = match v["als"]["regulariser"].as_str() {
        Some("per-item") => FoldRegulariser::PerItem,
        Some("fixed") => FoldRegulariser::Fixed,
        other => return Err(bad(&path, format!("unknown regulariser {other:?}"))),
    };
    let events_rows = n("events.rows")? as u64;
    let mut dropped: Vec<DroppedRows> = v["events"]["dropped"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(reason, c)| {
            c.as_u64().map(|count| DroppedRows {
                reason: reason.clone(),
                count,
                examples: Vec::new(),
            })
        })
        .collect();
    dropped.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    let items = n("items")? as usize;
    let data = v["data"].is_object().then(|| -> Result<DataStats> {
        let (users, events) = (n("data.users")? as usize, n("data.events")? as usize);
        Ok(DataStats {
            users,
            items,
            items_with_events: n("data.items_with_events")? as usize,
            events,
            events_per_user_mean: n("data.events_per_user_mean")?,
            events_per_user_median: n("data.events_per_user_median")? as usize,
            events_per_user_max: n("data.events_per_user_max")? as usize,
            density: events as f64 / (users.max(1) * items.max(1)) as f64,
        })
    });
    // The job's phases in the order it runs them (JSON objects are unordered here).
    const ORDER: [&str; 4] = ["read", "als", "neighbours", "write"];
    let mut phases: Vec<(String, f64)> = v["timings"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "total_s")
        .filter_map(|(k, t)| Some((k.trim_end_matches("_s").to_owned(), t.as_f64()?)))
        .collect();
    phases.sort_by_key(|(k, _)| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
    Ok(SparkSettings {
        spark: v["spark"].as_str().unwrap_or("?").to_owned(),
        params,
        regulariser,
        neighbours,
        events_rows,
        events_used: n("events.used")? as u64,
        events: InputRows {
            path: v["events"]["path"].as_str().unwrap_or("?").to_owned(),
            rows: events_rows,
            dropped,
        },
        data: data.transpose()?,
        phases,
        holdout_users: v["holdout"]["users"].as_u64(),
    })
}

/// One `items/` row: key, occurrence count, factor (none for an item without events).
type ItemRow = (String, u32, Option<Vec<f32>>);

/// Reads the job's output directory `dir`.
pub fn read(dir: &Path) -> Result<SparkModel> {
    let settings = settings(dir)?;
    let d = settings.params.dim;
    let items_dir = dir.join("items");
    let mut by_row: Vec<Option<ItemRow>> = Vec::new();
    for_each_row(&items_dir, |file, n, row| {
        let key = text(file, n, row, "key")?;
        let r = integer(file, n, row, "row")?;
        let count = integer(file, n, row, "count")?;
        let f = factor(file, n, row)?;
        if let Some(f) = &f {
            if f.len() != d {
                return Err(bad(
                    file,
                    format!("row {n}: {} factor values, dim {d}", f.len()),
                ));
            }
        }
        let r = usize::try_from(r).map_err(|_| bad(file, format!("row {n}: row {r} < 0")))?;
        let count =
            u32::try_from(count).map_err(|_| bad(file, format!("row {n}: count {count}")))?;
        if r >= by_row.len() {
            by_row.resize(r + 1, None);
        }
        if by_row[r].replace((key, count, f)).is_some() {
            return Err(bad(file, format!("row {n}: item row {r} appears twice")));
        }
        Ok(())
    })?;
    if by_row.is_empty() {
        return Err(bad(&items_dir, "no items (no Parquet part files?)"));
    }
    let mut keys = Vec::with_capacity(by_row.len());
    let mut counts = Vec::with_capacity(by_row.len());
    let mut factors = Array2::<f32>::zeros((by_row.len(), d));
    for (r, item) in by_row.into_iter().enumerate() {
        let (key, count, f) =
            item.ok_or_else(|| bad(&items_dir, format!("item row {r} is missing")))?;
        if let Some(f) = f {
            factors
                .row_mut(r)
                .assign(&ndarray::ArrayView1::from(&f[..]));
        }
        keys.push(key);
        counts.push(count);
    }
    // Unique, non-empty keys (the model's KEYS rules).
    ItemKeys::new(keys.clone()).map_err(|e| bad(&items_dir, e))?;
    // Each key's row, for the lists and the cases that name items by key.
    let index: HashMap<&str, u32> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i as u32))
        .collect();
    let neighbours = read_neighbours(dir, &index, &keys, settings.neighbours.top)?;
    let holdout = read_holdout(dir, &index)?;
    if let Some(n) = settings
        .holdout_users
        .filter(|&n| n != holdout.len() as u64)
    {
        return Err(bad(
            &dir.join("holdout"),
            format!(
                "{} held-out cases, but the job says it held out {n} users (left by an earlier run \
                 into the same --out? run the job again)",
                holdout.len()
            ),
        ));
    }
    Ok(SparkModel {
        keys,
        factors,
        counts,
        neighbours,
        settings,
        holdout,
    })
}

/// The item row of key `k` (row `n` of `file`).
fn item_row(index: &HashMap<&str, u32>, file: &Path, n: u64, k: &str) -> Result<u32> {
    index
        .get(k)
        .copied()
        .ok_or_else(|| bad(file, format!("row {n}: item {k:?} is not in items/")))
}

/// A list of keys (`history`) as item rows.
fn row_list(
    index: &HashMap<&str, u32>,
    file: &Path,
    n: u64,
    row: &Row,
    name: &str,
) -> Result<Vec<u32>> {
    match field(file, n, row, name)? {
        Field::ListInternal(list) => list
            .elements()
            .iter()
            .map(|e| match e {
                Field::Str(s) if !s.is_empty() => item_row(index, file, n, s),
                other => Err(bad(
                    file,
                    format!("row {n}: {name} holds {other}, not a key"),
                )),
            })
            .collect(),
        other => Err(bad(file, format!("row {n}: {name} is {other}, not a list"))),
    }
}

/// `holdout/` (absent: no cases), every key checked against `items/`, one case per user.
fn read_holdout(dir: &Path, index: &HashMap<&str, u32>) -> Result<Vec<HoldoutCase>> {
    let hold_dir = dir.join("holdout");
    if !hold_dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut cases = Vec::new();
    for_each_row(&hold_dir, |file, n, row| {
        let user = text(file, n, row, "user")?;
        let history = row_list(index, file, n, row, "history")?;
        let target = item_row(index, file, n, &text(file, n, row, "target")?)?;
        if history.is_empty() {
            return Err(bad(file, format!("row {n}: user {user:?} has no history")));
        }
        cases.push(HoldoutCase {
            user,
            history,
            target,
        });
        Ok(())
    })?;
    cases.sort_by(|a, b| a.user.cmp(&b.user));
    if let Some(w) = cases.windows(2).find(|w| w[0].user == w[1].user) {
        return Err(bad(
            &hold_dir,
            format!("user {:?} is held out twice", w[0].user),
        ));
    }
    Ok(cases)
}

/// `neighbours/` as lists per row, heaviest first, checked for order and rank gaps.
fn read_neighbours(
    dir: &Path,
    index: &HashMap<&str, u32>,
    keys: &[String],
    top: usize,
) -> Result<Vec<Vec<(u32, f32)>>> {
    let nb_dir = dir.join("neighbours");
    let mut ranked: Vec<Vec<(usize, u32, f32)>> = vec![Vec::new(); keys.len()];
    for_each_row(&nb_dir, |file, n, row| {
        let row_of = |name: &str| -> Result<u32> {
            let k = text(file, n, row, name)?;
            index
                .get(k.as_str())
                .copied()
                .ok_or_else(|| bad(file, format!("row {n}: {name} {k:?} is not in items/")))
        };
        let (i, j) = (row_of("key")?, row_of("neighbour")?);
        let rank = integer(file, n, row, "rank")?;
        let weight = real(file, n, row, "weight")? as f32;
        let rank = usize::try_from(rank)
            .ok()
            .filter(|r| *r < top)
            .ok_or_else(|| bad(file, format!("row {n}: rank {rank} outside 0..{top}")))?;
        ranked[i as usize].push((rank, j, weight));
        Ok(())
    })?;
    ranked
        .into_iter()
        .enumerate()
        .map(|(i, mut l)| {
            l.sort_unstable_by_key(|e| e.0);
            let ordered = l.iter().enumerate().all(|(r, e)| e.0 == r)
                && l.windows(2).all(|w| w[0].2 >= w[1].2);
            if !ordered {
                return Err(bad(
                    &nb_dir,
                    format!("the list of {:?} is not ranked 0.. by weight", keys[i]),
                ));
            }
            Ok(l.into_iter().map(|(_, j, w)| (j, w)).collect())
        })
        .collect()
}

/// `users/`: Spark's own user factors, in the native trainer's user order (first event in the
/// file first), as `(user id, factor)` (for the agreement check of docs/SCALE.md).
pub fn read_users(dir: &Path) -> Result<Vec<(String, Vec<f32>)>> {
    let mut users = Vec::new();
    for_each_row(&dir.join("users"), |file, n, row| {
        let user = text(file, n, row, "user")?;
        let first = integer(file, n, row, "first")?;
        let f = factor(file, n, row)?.ok_or_else(|| bad(file, format!("row {n}: no factor")))?;
        users.push((first, user, f));
        Ok(())
    })?;
    users.sort_unstable_by_key(|u| u.0);
    Ok(users.into_iter().map(|(_, u, f)| (u, f)).collect())
}
