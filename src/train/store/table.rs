//! Rows of any input format as [`Cell`]s under column names: the one shape the event and
//! catalogue readers work on, whatever the file was (CSV/TSV, JSON Lines, Parquet).

use super::options::{FileOptions, Format};
use crate::Result;

/// One value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No such column: not in the CSV header or Parquet schema, a key this JSON line lacks.
    Absent,
    /// An empty value: an empty CSV field, a JSON `null`, a Parquet null.
    Null,
    Text(String),
    Integer(i64),
    Number(f64),
    Bool(bool),
    /// A JSON or Parquet list, its scalars as text.
    List(Vec<String>),
    /// A typed timestamp (Parquet `TIMESTAMP`), Unix milliseconds.
    TimeMs(i64),
}

impl Cell {
    /// The value as an identifier (user id, item key): text as is, integers in decimal;
    /// `None` for absent or empty values and for types that are no identifier.
    pub fn as_id(&self) -> Option<String> {
        match self {
            Cell::Text(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Cell::Integer(i) => Some(i.to_string()),
            Cell::Number(x) if x.fract() == 0.0 && x.abs() < 9e15 => Some((*x as i64).to_string()),
            _ => None,
        }
    }

    /// True for [`Cell::Null`] and blank text.
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Absent | Cell::Null => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::List(l) => l.is_empty(),
            _ => false,
        }
    }
}

/// Which columns a reader hands over.
#[derive(Debug, Clone, Copy)]
pub enum Wanted<'a> {
    /// These, in this order; a column the file lacks is [`Cell::Absent`] in every row, except
    /// that CSV and Parquet files must have the first `required` (checked before any row).
    These {
        columns: &'a [&'a str],
        required: usize,
    },
    /// All of them, in the file's order; JSON Lines adds a key the first time a row has it.
    All,
}

/// A row handed to the caller: its 1-based line (CSV/JSONL) or row number (Parquet), and its
/// cells aligned with the column names — or why the line is not a row.
pub type RowResult = std::result::Result<Vec<Cell>, String>;

/// What a reader calls back with: the column names so far, the line, the row.
pub type RowSink<'s> = dyn FnMut(&[String], u64, RowResult) + 's;

/// Progress of a read: `(done, total)` in bytes (text) or rows (Parquet).
pub type ReadProgress<'p> = dyn FnMut(u64, u64) + 'p;

/// Where a reader's bytes come from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The file at [`FileOptions::path`].
    File,
    /// These bytes, already in memory (a fuzzer's input, an upload): the options' path then only
    /// names them in messages and, without an explicit format, tells the format by its extension.
    Bytes(&'a [u8]),
}

/// One read: the file, the columns wanted, where rows go and where progress goes.
pub struct Input<'a, 's, 'p> {
    pub file: &'a FileOptions,
    pub source: Source<'a>,
    pub wanted: Wanted<'a>,
    pub sink: &'s mut RowSink<'s>,
    pub progress: &'p mut ReadProgress<'p>,
}

/// Reads `file`, handing every row to `sink`; returns the column names the file has (for
/// JSON Lines: the keys any row had).
pub fn read(
    file: &FileOptions,
    wanted: Wanted<'_>,
    sink: &mut RowSink<'_>,
    progress: &mut ReadProgress<'_>,
) -> Result<Columns> {
    read_from(file, Source::File, wanted, sink, progress)
}

/// [`read`] from `source`: the file, or bytes in memory read as that file would be.
pub fn read_from(
    file: &FileOptions,
    source: Source<'_>,
    wanted: Wanted<'_>,
    sink: &mut RowSink<'_>,
    progress: &mut ReadProgress<'_>,
) -> Result<Columns> {
    let input = Input {
        file,
        source,
        wanted,
        sink,
        progress,
    };
    match file.resolved_format()? {
        Format::Csv => super::csv_reader::read(input),
        Format::Jsonl => super::jsonl::read(input),
        Format::Parquet => super::parquet_reader::read(input),
    }
}

/// Opens `path` for reading, with its length in bytes (0 when unknown).
pub fn open(path: &std::path::Path) -> Result<(std::fs::File, u64)> {
    let handle = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let len = handle.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((handle, len))
}

/// The text of `source` as a buffered reader, with its length in bytes (0 when unknown).
pub fn open_source<'a>(
    path: &std::path::Path,
    source: Source<'a>,
) -> Result<(Box<dyn std::io::BufRead + 'a>, u64)> {
    Ok(match source {
        Source::File => {
            let (handle, len) = open(path)?;
            let reader = std::io::BufReader::with_capacity(1 << 16, handle);
            (Box::new(reader), len)
        }
        Source::Bytes(bytes) => (Box::new(bytes), bytes.len() as u64),
    })
}

/// For a file whose columns are known up front (`header`, CSV or Parquet): the names handed
/// over and, for each, its position in `header` (`None`: not in the file); fails when a required
/// column is missing.
pub fn select(
    wanted: Wanted<'_>,
    header: &[String],
    path: &std::path::Path,
) -> Result<(Vec<String>, Vec<Option<usize>>)> {
    match wanted {
        Wanted::These { columns, required } => {
            let missing = columns[..required]
                .iter()
                .find(|c| !header.iter().any(|h| h == *c));
            if let Some(c) = missing {
                return Err(missing_column(path, c, header));
            }
            Ok((
                columns.iter().map(|c| (*c).to_owned()).collect(),
                columns
                    .iter()
                    .map(|c| header.iter().position(|h| h == c))
                    .collect(),
            ))
        }
        Wanted::All => Ok((header.to_vec(), (0..header.len()).map(Some).collect())),
    }
}

/// The error of a file without a required column.
pub fn missing_column(path: &std::path::Path, name: &str, have: &[String]) -> crate::Error {
    io_error(
        path,
        format!(
            "no column {name:?} (the file has: {}); name it with a column flag",
            have.join(", ")
        ),
    )
}

/// The columns a file turned out to have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Columns {
    pub names: Vec<String>,
}

impl Columns {
    /// Whether the file has a column `name` (for JSON Lines: whether any row had the key).
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

/// Decodes text bytes per the file's encoding, or says why not.
pub fn decode(
    bytes: &[u8],
    encoding: super::options::Encoding,
) -> std::result::Result<String, String> {
    match encoding {
        super::options::Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        super::options::Encoding::Utf8 => std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|e| format!("not UTF-8 ({e}); is it latin-1? (--encoding latin-1)")),
    }
}

/// An I/O failure on `path` as the crate's error.
pub fn io_error(path: &std::path::Path, e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}
