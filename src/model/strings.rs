//! The string-table layout shared by the `KEYS` and `META` sections:
//! `u32 count`, `count + 1` u32 end offsets starting at 0, then the UTF-8 blob — and [`Strings`],
//! which keeps that layout in memory.

use super::cursor::{try_to_string, Cursor, Sink};
use crate::{Error, Result};

/// A list of strings held as the file holds them: one UTF-8 buffer and `len + 1` offsets. A
/// catalogue's keys and titles are millions of short strings; one `String` each would cost an
/// allocation per string at load and about twice the memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strings {
    text: String,
    /// `offsets[i]..offsets[i + 1]` is string `i`; starts at 0, never decreases.
    offsets: Vec<u32>,
}

impl Strings {
    /// The number of strings.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// True when there are no strings.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// String `i`, if `i < len()`.
    pub fn get(&self, i: usize) -> Option<&str> {
        let (start, end) = (*self.offsets.get(i)?, *self.offsets.get(i + 1)?);
        self.text.get(start as usize..end as usize)
    }

    /// The strings in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        // `get`, not indexing: the offsets are char boundaries (checked when read or built), and
        // a slicing panic would pull core's char-escaping tables into the wasm module (~4 KB gzip).
        self.offsets.windows(2).map(|w| {
            self.text
                .get(w[0] as usize..w[1] as usize)
                .unwrap_or_default()
        })
    }
}

impl Default for Strings {
    fn default() -> Self {
        Self {
            text: String::new(),
            offsets: vec![0],
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for Strings {
    /// # Panics
    /// If the text passes 4 GiB (the format's u32 offsets); only writers build large lists.
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut out = Self::default();
        for s in iter {
            out.text.push_str(s.as_ref());
            #[allow(clippy::expect_used)]
            // documented panic: only writers build tables, never from a file
            let end = u32::try_from(out.text.len()).expect("string table text fits in 4 GiB");
            out.offsets.push(end);
        }
        out
    }
}

impl From<Vec<String>> for Strings {
    fn from(v: Vec<String>) -> Self {
        v.into_iter().collect()
    }
}

/// Reads a string table of exactly `expected` strings (when given) from `cur`.
pub(crate) fn read(
    cur: &mut Cursor<'_>,
    section: &'static str,
    expected: Option<usize>,
) -> Result<Strings> {
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
    // Valid text cut at character boundaries only: then every string is valid UTF-8 (one pass
    // over the bytes). Otherwise the strings one by one, to name the first bad one.
    let text = match std::str::from_utf8(blob) {
        Ok(text) if offsets.iter().all(|&o| text.is_char_boundary(o as usize)) => text,
        _ => {
            let index = offsets
                .windows(2)
                .position(|w| std::str::from_utf8(&blob[w[0] as usize..w[1] as usize]).is_err())
                .unwrap_or(0);
            return Err(Error::InvalidUtf8 { section, index });
        }
    };
    let text = try_to_string(text, "string table bytes")?;
    Ok(Strings { text, offsets })
}

/// Writes `strings` in the layout [`read`] expects.
pub(crate) fn write<'a>(sink: &mut Sink, strings: impl ExactSizeIterator<Item = &'a str> + Clone) {
    sink.u32(strings.len() as u32);
    let mut end = 0u32;
    sink.u32(0);
    for s in strings.clone() {
        end += s.len() as u32;
        sink.u32(end);
    }
    for s in strings {
        sink.raw(s.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_through_the_table_layout() {
        let list: Strings = ["B00X", "", "Ünïcødé ✓", "z"].into_iter().collect();
        assert_eq!(list.len(), 4);
        assert_eq!(list.get(1), Some(""));
        assert_eq!(list.get(2), Some("Ünïcødé ✓"));
        assert_eq!(list.get(4), None);
        let mut sink = Sink::default();
        write(&mut sink, list.iter());
        let back = read(&mut Cursor::new(&sink.bytes, "KEYS"), "KEYS", Some(4)).unwrap();
        assert_eq!(back, list);
        assert_eq!(
            back.iter().collect::<Vec<_>>(),
            ["B00X", "", "Ünïcødé ✓", "z"]
        );
    }

    #[test]
    fn a_character_split_between_two_strings_is_refused() {
        // "é" is C3 A9; an offset between its two bytes makes both strings invalid UTF-8 although
        // the blob is valid.
        let mut sink = Sink::default();
        for v in [3u32, 0, 1, 2, 3] {
            sink.u32(v);
        }
        sink.raw("aé".as_bytes());
        let err = read(&mut Cursor::new(&sink.bytes, "KEYS"), "KEYS", None).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidUtf8 {
                    section: "KEYS",
                    index: 1
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn an_empty_list_has_no_strings() {
        let empty = Strings::default();
        assert!(empty.is_empty());
        assert_eq!(empty.get(0), None);
        assert_eq!(empty.iter().count(), 0);
        assert_eq!(Strings::from(Vec::new()), empty);
    }
}
