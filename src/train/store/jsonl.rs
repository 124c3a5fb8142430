//! JSON Lines files (one object per line; blank lines skipped) as rows of [`Cell`]s: strings,
//! integers, numbers, booleans, lists of scalars; a nested object is kept as its JSON text.

use std::io::BufRead;

use serde_json::{Map, Value};

use super::table::{decode, io_error, Cell, Columns, Input, RowResult, Wanted};
use crate::Result;

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn cell(v: Option<&Value>) -> Cell {
    match v {
        None => Cell::Absent,
        Some(Value::Null) => Cell::Null,
        Some(Value::String(s)) => Cell::Text(s.clone()),
        Some(Value::Bool(b)) => Cell::Bool(*b),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => Cell::Integer(i),
            None => n.as_f64().map_or(Cell::Null, Cell::Number),
        },
        Some(Value::Array(a)) => Cell::List(a.iter().map(scalar_text).collect()),
        Some(o @ Value::Object(_)) => Cell::Text(o.to_string()),
    }
}

pub fn read(input: Input<'_, '_, '_>) -> Result<Columns> {
    let Input {
        file,
        source,
        wanted,
        sink,
        progress,
    } = input;
    let path = file.path();
    let (mut reader, total) = super::table::open_source(path, source)?;
    let mut names: Vec<String> = match wanted {
        Wanted::These { columns, .. } => columns.iter().map(|c| (*c).to_owned()).collect(),
        Wanted::All => Vec::new(),
    };
    let mut seen: Vec<String> = Vec::new();
    let (mut buf, mut done, mut line) = (Vec::new(), 0u64, 0u64);
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| io_error(path, e))?;
        if n == 0 {
            break;
        }
        line += 1;
        done += n as u64;
        if line % 4096 == 0 {
            progress(done, total);
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let object = decode(&buf, file.encoding).and_then(|text| {
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(o)) => Ok(o),
                Ok(_) => Err("not a JSON object".to_owned()),
                Err(e) => Err(format!("invalid JSON: {e}")),
            }
        });
        let row: RowResult = object.map(|o: Map<String, Value>| {
            for k in o.keys() {
                if !seen.contains(k) {
                    seen.push(k.clone());
                    if matches!(wanted, Wanted::All) {
                        names.push(k.clone());
                    }
                }
            }
            names.iter().map(|n| cell(o.get(n))).collect()
        });
        sink(&names, line, row);
    }
    progress(total, total);
    Ok(Columns { names: seen })
}
