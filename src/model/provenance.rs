//! Where a model came from (optional section `PROV`, docs/FORMAT.md § 1.9): ordered
//! `key = value` text pairs written by the trainer — tool version, creation time, digests of the
//! training files, the settings. Nothing reads it to score; it answers "which data and which
//! settings made the file every shopper downloads".

use super::cursor::{Cursor, Sink};
use super::strings;
use crate::{Error, Result};

pub(crate) const PROV: [u8; 4] = *b"PROV";

/// Ordered, unique, non-empty keys with text values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provenance {
    pub entries: Vec<(String, String)>,
}

impl Provenance {
    /// The value recorded under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Appends `key = value` (replacing an earlier value of `key`).
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(e) => e.1 = value,
            None => self.entries.push((key.to_owned(), value)),
        }
    }
}

/// The section body: one string table of `2K` strings, key and value alternating.
pub(crate) fn encode(p: &Provenance) -> Vec<u8> {
    let mut out = Sink::default();
    let flat: Vec<&str> = p
        .entries
        .iter()
        .flat_map(|(k, v)| [k.as_str(), v.as_str()])
        .collect();
    strings::write(&mut out, flat.into_iter());
    out.bytes
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Provenance> {
    let malformed = |reason: String| Error::Malformed {
        section: "PROV",
        reason,
    };
    let mut cur = Cursor::new(bytes, "PROV");
    let flat = strings::read(&mut cur, "PROV", None)?;
    if cur.remaining() != 0 || flat.len() % 2 != 0 {
        return Err(malformed(
            "expected key/value pairs and nothing after".into(),
        ));
    }
    let mut p = Provenance::default();
    let mut it = flat.iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        if k.is_empty() || p.get(k).is_some() {
            return Err(malformed(format!("empty or repeated key {k:?}")));
        }
        p.entries.push((k.to_owned(), v.to_owned()));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_round_trips_in_order() {
        let mut p = Provenance::default();
        p.set("tool", "localrank 0.1.0");
        p.set("created", "2026-12-01T00:00:00Z");
        p.set("tool", "localrank 0.2.0");
        let back = decode(&encode(&p)).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.get("tool"), Some("localrank 0.2.0"));
        assert_eq!(back.entries[1].0, "created");
    }

    #[test]
    fn a_repeated_key_is_malformed() {
        let p = Provenance {
            entries: vec![("a".into(), "1".into()), ("a".into(), "2".into())],
        };
        assert!(matches!(
            decode(&encode(&p)),
            Err(Error::Malformed {
                section: "PROV",
                ..
            })
        ));
    }
}
