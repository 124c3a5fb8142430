//! The keys file that names the rows of a factor matrix: one key per line (UTF-8, surrounding
//! whitespace trimmed, a final newline optional; `\r\n` works), or, for a file ending in
//! `.json`, a JSON array of strings. Row `i` of the factors is key `i`.

use std::path::Path;

use crate::{Error, Result};

fn bad(path: &Path, reason: String) -> Error {
    Error::Io {
        path: path.display().to_string(),
        reason,
    }
}

/// Reads the keys of `path`; an empty line, invalid UTF-8 or a JSON value that is not an array
/// of non-empty strings is an error naming the line or element.
pub fn read(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| bad(path, e.to_string()))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let keys: Vec<String> = serde_json::from_slice(&bytes)
            .map_err(|e| bad(path, format!("not a JSON array of strings: {e}")))?;
        if let Some(i) = keys.iter().position(|k| k.trim().is_empty()) {
            return Err(bad(path, format!("element {i} is an empty key")));
        }
        return Ok(keys.into_iter().map(|k| k.trim().to_owned()).collect());
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        bad(path, format!("line {line} is not valid UTF-8"))
    })?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Err(bad(path, "no keys".into()));
    }
    text.split('\n')
        .enumerate()
        .map(|(i, line)| match line.trim() {
            "" => Err(bad(
                path,
                format!("line {} is empty (one key per line)", i + 1),
            )),
            key => Ok(key.to_owned()),
        })
        .collect()
}
