//! A store's own data, read from the files it exports (issue 13): an event log (CSV/TSV, JSON
//! Lines or Parquet) and an optional product catalogue, turned into [`StoreData`] — item keys in
//! row order, display metadata and typed attributes per item, and every user's chronological
//! events — with every row that could not be used counted by reason ([`FileReport`]).
//!
//! What the rest of the trainer (ALS, neighbour lists, tuning, the model report) consumes is
//! [`StoreData`]; how files become one is the readers' business.

pub(crate) mod catalog;
mod csv_reader;
pub(crate) mod events;
mod jsonl;
pub mod options;
pub(crate) mod parquet_reader;
pub mod table;
pub mod time;

use std::collections::BTreeMap;

use crate::history::EventKind;
use crate::model::{Attributes, Metadata};
use crate::{Error, Result};
pub use table::Source;

pub use options::StoreOptions;

/// One usable event: the item's row, its kind, its time (Unix milliseconds) and its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreEvent {
    pub item: u32,
    pub kind: EventKind,
    pub time_ms: i64,
    /// The session id as a 64-bit hash with the low bit set ([`session_hash`]); 0 without a
    /// session column. Only equality matters: consecutive events of a user with different
    /// values are in different sessions.
    pub session: u64,
}

/// The [`StoreEvent::session`] value of a session id: SipHash-1-3 with fixed keys (the same
/// on every run and platform), low bit set so that no id maps to 0. Two different ids of one
/// user collide with probability 2⁻⁶³.
pub fn session_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish() | 1
}

/// Why a row was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// The line is not a record of the format (bad quoting, invalid JSON, wrong field count,
    /// undecodable text).
    Unparseable,
    /// A required field (user, item, time; the catalogue's key) is missing or empty.
    MissingField,
    /// The timestamp is not a number or an ISO 8601 date-time.
    BadTimestamp,
    /// The event type is not in the event map.
    UnknownEventType,
    /// The session id is not text or an integer (a boolean, a fraction, a list).
    BadSession,
    /// The event's item is not in the catalogue (with `--unknown-items refuse`).
    UnknownItem,
    /// A catalogue row repeats an earlier row's key (the first row wins).
    DuplicateKey,
    /// Same user, item, time, type and session as an earlier row: an exact duplicate.
    ExactDuplicate,
}

impl DropReason {
    /// How the reason is printed.
    pub fn describe(self) -> &'static str {
        match self {
            DropReason::Unparseable => "unparseable",
            DropReason::MissingField => "missing field",
            DropReason::BadTimestamp => "bad timestamp",
            DropReason::UnknownEventType => "unknown event type",
            DropReason::BadSession => "bad session id",
            DropReason::UnknownItem => "unknown item",
            DropReason::DuplicateKey => "duplicate key",
            DropReason::ExactDuplicate => "exact duplicate",
        }
    }

    /// Whether the reason counts against `--max-bad-rows`. Exact duplicates do not: exports
    /// often repeat rows (a tag firing twice) and dropping them leaves the data intact.
    pub fn is_bad(self) -> bool {
        self != DropReason::ExactDuplicate
    }
}

/// How many examples of each reason a report keeps.
pub const EXAMPLES_PER_REASON: usize = 3;

/// Rows of one reason: how many, and the first few as `(line, message)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dropped {
    pub count: u64,
    pub examples: Vec<(u64, String)>,
}

/// What happened to the rows of one input file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileReport {
    /// The file as named on the command line.
    pub path: String,
    /// Data rows read (header excluded).
    pub rows: u64,
    /// Rows not used, by reason.
    pub dropped: BTreeMap<DropReason, Dropped>,
}

impl FileReport {
    /// An empty report for `path`.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            ..Self::default()
        }
    }

    /// Counts one dropped row at `line` (1-based, of the file; for Parquet the row number).
    pub fn drop_row(&mut self, reason: DropReason, line: u64, message: impl Into<String>) {
        let d = self.dropped.entry(reason).or_default();
        d.count += 1;
        if d.examples.len() < EXAMPLES_PER_REASON {
            d.examples.push((line, message.into()));
        }
    }

    /// Rows dropped for `reason`.
    pub fn count(&self, reason: DropReason) -> u64 {
        self.dropped.get(&reason).map_or(0, |d| d.count)
    }

    /// Rows dropped for reasons that count against `--max-bad-rows`.
    pub fn bad(&self) -> u64 {
        self.dropped
            .iter()
            .filter(|(r, _)| r.is_bad())
            .map(|(_, d)| d.count)
            .sum()
    }

    /// Every dropped row, whatever the reason.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().map(|d| d.count).sum()
    }

    /// Fails with [`Error::TooManyBadRows`] when the bad rows exceed `limit`.
    pub fn check(&self, limit: options::BadRowLimit) -> Result<()> {
        if limit.exceeded(self.bad(), self.rows) {
            return Err(Error::TooManyBadRows {
                path: self.path.clone(),
                bad: self.bad(),
                rows: self.rows,
                limit: limit.to_string(),
                details: self.to_string(),
            });
        }
        Ok(())
    }
}

impl std::fmt::Display for FileReport {
    /// `path: R rows, U used, D dropped`, then one line per reason with its first examples.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dropped = self.dropped_total();
        write!(
            f,
            "{}: {} rows, {} used, {dropped} dropped",
            self.path,
            self.rows,
            self.rows - dropped
        )?;
        for (reason, d) in &self.dropped {
            write!(f, "\n  {:<19} {:>8}", reason.describe(), d.count)?;
            for (line, msg) in &d.examples {
                write!(f, "\n      {}:{line}: {msg}", self.path)?;
            }
        }
        Ok(())
    }
}

/// Which file a read reports progress on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Catalog,
    Events,
}

/// Reads the store's files: the catalogue first (its order is the item order), then the
/// events. Fails when a file has more bad rows than `opts.max_bad_rows` allows, or no usable
/// event. `progress(file, done, total)` is called as reading advances (bytes, or rows for
/// Parquet).
pub fn load(opts: &StoreOptions, progress: &mut dyn FnMut(Reading, u64, u64)) -> Result<StoreData> {
    load_from(opts, Source::File, Source::File, progress)
}

/// [`load`] with each file's bytes from a [`Source`]: the files named in `opts`, or bytes in
/// memory read as those files would be (`opts` still gives formats, columns and limits).
pub fn load_from(
    opts: &StoreOptions,
    events_source: Source<'_>,
    catalog_source: Source<'_>,
    progress: &mut dyn FnMut(Reading, u64, u64),
) -> Result<StoreData> {
    let mut items = events::ItemIndex::default();
    let (table, catalog_report) = catalog::read(opts, catalog_source, &mut items, &mut |d, t| {
        progress(Reading::Catalog, d, t)
    })?;
    catalog_report.check(opts.max_bad_rows)?;
    let (sequences, events_report, has_sessions) =
        events::read(opts, events_source, &mut items, &mut |d, t| {
            progress(Reading::Events, d, t)
        })?;
    events_report.check(opts.max_bad_rows)?;
    if sequences.is_empty() {
        return Err(Error::Io {
            path: opts.events.display(),
            reason: format!("no usable events\n{events_report}"),
        });
    }
    let (meta, attributes) = catalog::finish(&table, &items.keys)?;
    let content = catalog::content(&table, items.keys.len());
    Ok(StoreData {
        keys: items.keys,
        meta,
        attributes,
        content,
        sequences,
        has_sessions,
        events_report,
        catalog_report: opts.catalog.as_ref().map(|_| catalog_report),
    })
}

/// A store's data, ready to train on.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreData {
    /// Item keys in row order: the catalogue's order, then event-only items in order of first
    /// appearance (with `--unknown-items keep`).
    pub keys: Vec<String>,
    /// Display strings per item (`title`, `category`, `brand`), as `META` stores them.
    pub meta: Metadata,
    /// Typed catalogue attributes per item (`ATTR`).
    pub attributes: Attributes,
    /// Title, category path and brand per item, for placing items without enough events
    /// ([`crate::train::cold`]).
    pub content: Vec<crate::train::cold::ItemContent>,
    /// One chronological sequence per user (users in order of first appearance); equal
    /// timestamps keep file order.
    pub sequences: Vec<Vec<StoreEvent>>,
    /// Whether the event file has a session column ([`StoreData::session_sequences`]).
    pub has_sessions: bool,
    /// What happened to the event file's rows.
    pub events_report: FileReport,
    /// What happened to the catalogue's rows (absent without a catalogue).
    pub catalog_report: Option<FileReport>,
}

impl StoreData {
    /// Number of items (rows of the model).
    pub fn items(&self) -> usize {
        self.keys.len()
    }

    /// Number of usable events.
    pub fn events(&self) -> usize {
        self.sequences.iter().map(Vec::len).sum()
    }

    /// Each user's item rows, oldest first (what the neighbour lists and evaluation take).
    pub fn item_sequences(&self) -> Vec<Vec<u32>> {
        self.sequences
            .iter()
            .map(|s| s.iter().map(|e| e.item).collect())
            .collect()
    }

    /// Each user's session number per event (0, 1, … in time order; a new number wherever the
    /// session id changes), aligned with [`StoreData::item_sequences`]; `None` when the event
    /// file has no session column.
    pub fn session_sequences(&self) -> Option<Vec<Vec<u32>>> {
        self.has_sessions.then(|| {
            self.sequences
                .iter()
                .map(|s| {
                    let mut n = 0u32;
                    s.iter()
                        .enumerate()
                        .map(|(k, e)| {
                            if k > 0 && s[k - 1].session != e.session {
                                n += 1;
                            }
                            n
                        })
                        .collect()
                })
                .collect()
        })
    }

    /// Each user's `(row, kind)` pairs, oldest first (what ALS takes).
    pub fn kind_sequences(&self) -> Vec<Vec<(u32, EventKind)>> {
        self.sequences
            .iter()
            .map(|s| s.iter().map(|e| (e.item, e.kind)).collect())
            .collect()
    }
}
