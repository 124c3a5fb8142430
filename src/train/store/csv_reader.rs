//! CSV/TSV files (any one-byte delimiter, RFC 4180 quoting, a header line or names given) as
//! rows of text [`Cell`]s; empty fields are [`Cell::Null`].

use super::table::{self, decode, io_error, Cell, Columns, Input};
use crate::Result;

pub fn read(input: Input<'_, '_, '_>) -> Result<Columns> {
    let Input {
        file,
        source,
        wanted,
        sink,
        progress,
    } = input;
    let path = file.path();
    let (handle, total) = table::open_source(path, source)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(file.resolved_delimiter())
        .has_headers(file.columns.is_none())
        .flexible(true)
        .from_reader(handle);
    let header: Vec<String> = match &file.columns {
        Some(names) => names.clone(),
        None => {
            let raw = reader
                .byte_headers()
                .map_err(|e| io_error(path, e))?
                .clone();
            raw.iter()
                .map(|h| decode(h, file.encoding).map(|s| s.trim().to_owned()))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| io_error(path, format!("header line: {e}")))?
        }
    };
    // Column `k` of the row handed over is field `pick[k]` of the record (None: not in the file).
    let (names, pick) = table::select(wanted, &header, path)?;
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => match e.kind() {
                csv::ErrorKind::Io(_) => return Err(io_error(path, e)),
                _ => {
                    sink(&names, line, Err(e.to_string()));
                    continue;
                }
            },
        }
        let line = record.position().map_or(line, |p| p.line());
        rows += 1;
        if rows % 4096 == 0 {
            progress(reader.position().byte(), total);
        }
        if record.len() == 1 && record[0].is_empty() {
            continue; // a blank line
        }
        if record.len() != header.len() {
            let msg = format!("{} fields, the header has {}", record.len(), header.len());
            sink(&names, line, Err(msg));
            continue;
        }
        let cells: std::result::Result<Vec<Cell>, String> = pick
            .iter()
            .map(|p| match p.map(|i| &record[i]) {
                None => Ok(Cell::Absent),
                Some([]) => Ok(Cell::Null),
                Some(bytes) => decode(bytes, file.encoding).map(Cell::Text),
            })
            .collect();
        sink(&names, line, cells);
    }
    progress(total, total);
    Ok(Columns { names: header })
}
