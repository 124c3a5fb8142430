//! The string-table layout shared by the `KEYS` and `META` sections:
//! `u32 count`, `count + 1` u32 end offsets starting at 0, then the UTF-8 blob.

use super::cursor::{try_with_capacity, Cursor, Sink};
use crate::{Error, Result};

/// Reads a string table of exactly `expected` strings (when given) from `cur`.
pub(crate) fn read(
    cur: &mut Cursor<'_>,
    section: &'static str,
    expected: Option<usize>,
) -> Result<Vec<String>> {
    let count = cur.u32()? as usize;
    if let Some(n) = expected.filter(|&n| n != count) {
        return Err(Error::Malformed {
            section,
            reason: format!("string table holds {count} strings, expected {n}"),
        });
    }
    // Each string needs a 4-byte end offset: refuse a count the section cannot hold before any
    // arithmetic (`count + 1` overflows a 32-bit usize) or allocation.
    if count >= cur.remaining() / 4 {
        return Err(Error::Truncated {
            what: section,
            needed: 4 * (count as u64 + 1),
            available: cur.remaining() as u64,
        });
    }
    let offsets = cur.u32s(count + 1)?;
    if offsets[0] != 0 || offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err(Error::Malformed {
            section,
            reason: "string offsets must start at 0 and never decrease".into(),
        });
    }
    let blob = cur.take(offsets[count] as usize)?;
    let mut out = try_with_capacity(count, "string count")?;
    for (index, w) in offsets.windows(2).enumerate() {
        let s = std::str::from_utf8(&blob[w[0] as usize..w[1] as usize])
            .map_err(|_| Error::InvalidUtf8 { section, index })?;
        out.push(s.to_owned());
    }
    Ok(out)
}

/// Writes `strings` in the layout [`read`] expects.
pub(crate) fn write<S: AsRef<str>>(sink: &mut Sink, strings: &[S]) {
    sink.u32(strings.len() as u32);
    let mut end = 0u32;
    sink.u32(0);
    for s in strings {
        end += s.as_ref().len() as u32;
        sink.u32(end);
    }
    for s in strings {
        sink.raw(s.as_ref().as_bytes());
    }
}
