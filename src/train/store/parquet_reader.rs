//! Parquet files through the crate's row-level reader (no Arrow): integer, floating-point,
//! boolean, string and timestamp columns, lists of scalars; uncompressed or snappy.

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{Field, List};

use super::table::{self, io_error, Cell, Columns, Input};
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
    let Input {
        file,
        wanted,
        sink,
        progress,
    } = input;
    let path = file.path();
    let (handle, _) = table::open(path)?;
    let reader = SerializedFileReader::new(handle).map_err(|e| io_error(path, e))?;
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
    let rows = reader.get_row_iter(None).map_err(|e| io_error(path, e))?;
    for (n, row) in rows.enumerate() {
        let row = row.map_err(|e| io_error(path, format!("row {}: {e}", n + 1)))?;
        let fields: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
        let cells = pick
            .iter()
            .map(|p| {
                p.and_then(|i| fields.get(i))
                    .map_or(Cell::Absent, |f| cell(f))
            })
            .collect();
        if (n + 1) % 4096 == 0 {
            progress(n as u64 + 1, total);
        }
        sink(&names, n as u64 + 1, Ok(cells));
    }
    progress(total, total);
    Ok(Columns { names: header })
}
