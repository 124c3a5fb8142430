//! What a store tells the reader about its files: formats, text options, column names, the
//! event-type map, the timestamp unit, the bad-row limit and what to do with unknown items.
//! Every option parses from the text the CLI flags take (`FromStr`), with typed errors.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::history::EventKind;
use crate::{Error, Result};

fn invalid(msg: String) -> Error {
    Error::InvalidArgument(msg)
}

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text (`.csv`: comma, `.tsv`/`.tab`: tab, unless a delimiter is given).
    Csv,
    /// One JSON object per line (`.jsonl`, `.ndjson`, `.json`).
    Jsonl,
    /// Apache Parquet (`.parquet`, `.pq`).
    Parquet,
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "tab" | "txt" | "data" => Ok(Format::Csv),
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            "parquet" | "pq" => Ok(Format::Parquet),
            _ => Err(invalid(format!(
                "unknown format {s:?} (csv, tsv, jsonl or parquet)"
            ))),
        }
    }
}

/// Text encoding of CSV and JSON Lines files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    /// ISO 8859-1: every byte is the code point of the same value.
    Latin1,
}

impl FromStr for Encoding {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "latin-1" | "latin1" | "iso-8859-1" => Ok(Encoding::Latin1),
            _ => Err(invalid(format!(
                "unknown encoding {s:?} (utf-8 or latin-1)"
            ))),
        }
    }
}

/// One input file and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOptions {
    pub path: PathBuf,
    /// `None`: from the extension.
    pub format: Option<Format>,
    /// CSV field delimiter; `None`: tab for `.tsv`/`.tab`, else comma.
    pub delimiter: Option<u8>,
    /// CSV column names for a file without a header line; `None`: the first line is the header.
    pub columns: Option<Vec<String>>,
    pub encoding: Encoding,
}

impl FileOptions {
    /// A file read with every option at its default.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            format: None,
            delimiter: None,
            columns: None,
            encoding: Encoding::Utf8,
        }
    }

    fn extension(&self) -> String {
        self.path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase()
    }

    /// The format given, or the one the extension names.
    pub fn resolved_format(&self) -> Result<Format> {
        match self.format {
            Some(f) => Ok(f),
            None => self.extension().parse().map_err(|_| {
                invalid(format!(
                    "{}: cannot tell the format from the extension; give it (csv, jsonl, parquet)",
                    self.path.display()
                ))
            }),
        }
    }

    /// The delimiter given, or the extension's.
    pub fn resolved_delimiter(&self) -> u8 {
        self.delimiter.unwrap_or(match self.extension().as_str() {
            "tsv" | "tab" => b'\t',
            _ => b',',
        })
    }

    /// The path as printed in messages.
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A delimiter flag: one ASCII character, or `tab` / `\t`.
pub fn parse_delimiter(s: &str) -> Result<u8> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(invalid(format!(
            "delimiter must be one ASCII character or `tab`, got {s:?}"
        ))),
    }
}

/// How numeric timestamps are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeUnit {
    /// By magnitude: |t| < 10¹¹ seconds, < 10¹⁴ milliseconds, < 10¹⁷ microseconds, else
    /// nanoseconds (10¹¹ s is the year 5138; 10¹¹ ms is March 1973).
    #[default]
    Auto,
    Seconds,
    Millis,
    Micros,
    Nanos,
}

impl FromStr for TimeUnit {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(TimeUnit::Auto),
            "s" => Ok(TimeUnit::Seconds),
            "ms" => Ok(TimeUnit::Millis),
            "us" => Ok(TimeUnit::Micros),
            "ns" => Ok(TimeUnit::Nanos),
            _ => Err(invalid(format!(
                "unknown time unit {s:?} (auto, s, ms, us or ns)"
            ))),
        }
    }
}

/// Event-type values of the file → the engine's kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMap {
    pub pairs: Vec<(String, EventKind)>,
}

impl Default for EventMap {
    /// `view=view,cart=cart,purchase=purchase`.
    fn default() -> Self {
        Self {
            pairs: EventKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), *k))
                .collect(),
        }
    }
}

impl EventMap {
    /// The kind of a file's event-type value.
    pub fn kind(&self, value: &str) -> Option<EventKind> {
        self.pairs.iter().find(|(v, _)| v == value).map(|(_, k)| *k)
    }
}

impl FromStr for EventMap {
    type Err = Error;
    /// `value=kind,…`, kind one of view, cart, purchase.
    fn from_str(s: &str) -> Result<Self> {
        let mut pairs = Vec::new();
        for part in s.split(',') {
            let (value, kind) = part
                .split_once('=')
                .ok_or_else(|| invalid(format!("event map entry {part:?} is not value=kind")))?;
            let kind = EventKind::parse(kind.trim())?;
            let value = value.trim();
            if value.is_empty() || pairs.iter().any(|(v, _)| v == value) {
                return Err(invalid(format!(
                    "event map: empty or repeated value {value:?}"
                )));
            }
            pairs.push((value.to_owned(), kind));
        }
        Ok(Self { pairs })
    }
}

/// The most unusable rows a file may have before reading fails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BadRowLimit {
    Rows(u64),
    /// Percent of the file's data rows.
    Percent(f64),
}

impl Default for BadRowLimit {
    fn default() -> Self {
        BadRowLimit::Percent(1.0)
    }
}

impl BadRowLimit {
    /// Whether `bad` of `rows` rows exceed the limit.
    pub fn exceeded(self, bad: u64, rows: u64) -> bool {
        match self {
            BadRowLimit::Rows(n) => bad > n,
            BadRowLimit::Percent(p) => bad as f64 > p / 100.0 * rows as f64,
        }
    }
}

impl std::fmt::Display for BadRowLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadRowLimit::Rows(n) => write!(f, "{n} rows"),
            BadRowLimit::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl FromStr for BadRowLimit {
    type Err = Error;
    /// `N` rows or `P%`.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || invalid(format!("--max-bad-rows takes N or P%, got {s:?}"));
        match s.strip_suffix('%') {
            Some(p) => match p.trim().parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => Ok(BadRowLimit::Percent(p)),
                _ => Err(bad()),
            },
            None => s.trim().parse().map(BadRowLimit::Rows).map_err(|_| bad()),
        }
    }
}

/// Events whose item the catalogue does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownItems {
    /// Become items of the model, with their key as title.
    #[default]
    Keep,
    /// Are dropped and counted as unusable rows.
    Refuse,
}

impl FromStr for UnknownItems {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "keep" => Ok(UnknownItems::Keep),
            "refuse" => Ok(UnknownItems::Refuse),
            _ => Err(invalid(format!(
                "--unknown-items takes keep or refuse, got {s:?}"
            ))),
        }
    }
}

/// Column names of the event file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventColumns {
    pub user: String,
    pub item: String,
    pub time: String,
    /// The event-type column; `explicit` says whether the store named it (then it must exist).
    pub event: String,
    pub event_explicit: bool,
    /// The session-id column (optional like the event type: a file without it has no
    /// sessions unless the store named it, then it must exist).
    pub session: String,
    pub session_explicit: bool,
}

impl Default for EventColumns {
    fn default() -> Self {
        Self {
            user: "user_id".into(),
            item: "item_id".into(),
            time: "timestamp".into(),
            event: "event_type".into(),
            event_explicit: false,
            session: "session_id".into(),
            session_explicit: false,
        }
    }
}

/// Column names of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogColumns {
    /// The key column; `None`: the event file's item column.
    pub item: Option<String>,
    /// The title column; `None`: `title`, else `name`, else the key.
    pub title: Option<String>,
    /// A category, possibly a path `A > B > C` (`META` shows its last part).
    pub category: String,
    pub brand: String,
}

impl Default for CatalogColumns {
    fn default() -> Self {
        Self {
            item: None,
            title: None,
            category: "category".into(),
            brand: "brand".into(),
        }
    }
}

/// Everything [`super::load`] needs.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreOptions {
    pub events: FileOptions,
    pub catalog: Option<FileOptions>,
    pub event_columns: EventColumns,
    pub catalog_columns: CatalogColumns,
    pub event_map: EventMap,
    pub time_unit: TimeUnit,
    pub max_bad_rows: BadRowLimit,
    pub unknown_items: UnknownItems,
}

impl StoreOptions {
    /// Defaults for an event file and an optional catalogue.
    pub fn new(events: impl Into<PathBuf>, catalog: Option<PathBuf>) -> Self {
        Self {
            events: FileOptions::new(events),
            catalog: catalog.map(FileOptions::new),
            event_columns: EventColumns::default(),
            catalog_columns: CatalogColumns::default(),
            event_map: EventMap::default(),
            time_unit: TimeUnit::default(),
            max_bad_rows: BadRowLimit::default(),
            unknown_items: UnknownItems::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_map_maps_values_to_kinds() {
        let m: EventMap = "view=view,addtocart=cart,transaction=purchase"
            .parse()
            .unwrap();
        assert_eq!(m.kind("addtocart"), Some(EventKind::Cart));
        assert_eq!(m.kind("cart"), None);
        assert!("view=look".parse::<EventMap>().is_err());
        assert!("a=view,a=cart".parse::<EventMap>().is_err());
    }

    #[test]
    fn the_bad_row_limit_takes_rows_or_percent() {
        assert_eq!("5".parse::<BadRowLimit>().unwrap(), BadRowLimit::Rows(5));
        let p: BadRowLimit = "1%".parse().unwrap();
        assert!(!p.exceeded(1, 100) && p.exceeded(2, 100));
        assert!("-1".parse::<BadRowLimit>().is_err() && "200%".parse::<BadRowLimit>().is_err());
    }

    #[test]
    fn the_format_comes_from_the_extension_unless_given() {
        assert_eq!(
            FileOptions::new("a/e.JSONL").resolved_format().unwrap(),
            Format::Jsonl
        );
        assert_eq!(FileOptions::new("e.tsv").resolved_delimiter(), b'\t');
        assert!(FileOptions::new("e.xyz").resolved_format().is_err());
        let mut f = FileOptions::new("u.data");
        f.format = Some(Format::Csv);
        assert_eq!(f.resolved_format().unwrap(), Format::Csv);
    }
}
