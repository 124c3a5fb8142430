//! Parquet files through the crate's row-level reader (no Arrow): integer, floating-point,
//! boolean, string and timestamp columns, lists of scalars; uncompressed or snappy.

use parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use parquet::record::{Field, List};

use super::table::{self, io_error, Cell, Columns, Input, Source};
use crate::Result;

fn list(l: &List) -> Vec<String> {
    l.elements()
        .iter()
        .map(|f| match f {
            Field::Str(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn cell(f: &Field) -> Cell {
    match f {
        Field::Null => Cell::Null,
        Field::Bool(b) => Cell::Bool(*b),
        Field::Byte(v) => Cell::Integer((*v).into()),
        Field::Short(v) => Cell::Integer((*v).into()),
        Field::Int(v) => Cell::Integer((*v).into()),
        Field::Long(v) => Cell::Integer(*v),
        Field::UByte(v) => Cell::Integer((*v).into()),
        Field::UShort(v) => Cell::Integer((*v).into()),
        Field::UInt(v) => Cell::Integer((*v).into()),
        Field::ULong(v) => i64::try_from(*v).map_or(Cell::Number(*v as f64), Cell::Integer),
        Field::Float(v) => Cell::Number((*v).into()),
        Field::Double(v) => Cell::Number(*v),
        Field::Str(s) => Cell::Text(s.clone()),
        Field::TimestampMillis(ms) => Cell::TimeMs(*ms),
        Field::TimestampMicros(us) => Cell::TimeMs(us.div_euclid(1000)),
        Field::Date(days) => Cell::TimeMs(i64::from(*days) * 86_400_000),
        Field::ListInternal(l) => Cell::List(list(l)),
        other => Cell::Text(other.to_string()),
    }
}

pub fn read(input: Input<'_, '_, '_>) -> Result<Columns> {
    let path = input.file.path();
    match input.source {
        Source::File => {
            let (handle, _) = table::open(path)?;
            rows(SerializedFileReader::new(handle), input)
        }
        Source::Bytes(bytes) => {
            let bytes = bytes::Bytes::copy_from_slice(bytes);
            rows(SerializedFileReader::new(bytes), input)
        }
    }
}

/// The rows of an opened Parquet file. The parquet crate may panic on malformed files (it is
/// not ours to fix): each of its decoding calls runs under `catch_unwind`, and a panic becomes
/// an `Io` error naming the file ("the Parquet reader failed on this file: …").
fn rows<R: ChunkReader + 'static>(
    reader: parquet::errors::Result<SerializedFileReader<R>>,
    input: Input<'_, '_, '_>,
) -> Result<Columns> {
    let Input {
        file,
        source: _,
        wanted,
        sink,
        progress,
    } = input;
    let path = file.path();
    let reader = reader.map_err(|e| io_error(path, e))?;
    let meta = reader.metadata().file_metadata();
    let total = u64::try_from(meta.num_rows()).unwrap_or(0);
    let header: Vec<String> = meta
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_owned())
        .collect();
    let (names, pick) = table::select(wanted, &header, path)?;
    let mut rows = guarded(path, None, || reader.get_row_iter(None))?;
    let mut n = 0usize;
    while let Some(row) = guarded(path, Some(n + 1), || rows.next().transpose())? {
        let fields: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
        let cells = pick
            .iter()
            .map(|p| {
                p.and_then(|i| fields.get(i))
                    .map_or(Cell::Absent, |f| cell(f))
            })
            .collect();
        n += 1;
        if n % 4096 == 0 {
            progress(n as u64, total);
        }
        sink(&names, n as u64, Ok(cells));
    }
    progress(total, total);
    Ok(Columns { names: header })
}

/// Runs one call into the parquet crate (reading `row`, when given), turning its error or its
/// panic into an `Io` error.
pub(crate) fn guarded<T>(
    path: &std::path::Path,
    row: Option<usize>,
    call: impl FnOnce() -> parquet::errors::Result<T>,
) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)) {
        Ok(result) => result.map_err(|e| match row {
            Some(n) => io_error(path, format!("row {n}: {e}")),
            None => io_error(path, e),
        }),
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(io_error(
                path,
                format!("the Parquet reader failed on this file (a malformed file?): {why}"),
            ))
        }
    }
}
