//! The versioned JSON document `exportHistory()` writes and `importHistory()` reads.
//!
//! ```json
//! {"format":"localrank-history","version":1,
//!  "events":[{"key":"B0000223SI","kind":"view","ts":1732540000000}]}
//! ```
//! Schema: `docs/FORMAT.md` § "History document". Import validates everything before anything
//! is changed, so a bad document never touches the existing history.
//!
//! The one set of rules for every reader: [`FIELDS`], [`check_header`] and [`event_error`] are
//! what both this module's JSON parser and the browser's reader of JS values (`wasm_api::js`,
//! which only converts values) apply.

use serde::{Deserialize, Serialize};

use super::{Event, MAX_CAP};
use crate::{Error, Result};

/// The `format` tag of a history document.
pub const FORMAT_TAG: &str = "localrank-history";
/// The document version written and read.
pub const VERSION: u32 = 1;

/// The top-level fields of a document; any other is refused.
pub const FIELDS: [&str; 3] = ["format", "version", "events"];

/// The header rules, checked before any event is read: the tag, the version and the number of
/// events (at most [`MAX_CAP`], so a huge document is refused before it is copied).
pub fn check_header(format: &str, version: f64, events: usize) -> Result<()> {
    if format != FORMAT_TAG {
        return Err(Error::InvalidHistory(format!(
            "\"format\" is \"{format}\", expected \"{FORMAT_TAG}\""
        )));
    }
    // Printed as an integer: formatting an f64 would add ~20 KB of `core::fmt` to the wasm module.
    if !(version.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&version)) {
        return Err(Error::InvalidHistory(
            "\"version\" must be a whole number".into(),
        ));
    }
    if version != f64::from(VERSION) {
        return Err(Error::InvalidHistory(format!(
            "version {} is not supported (this build reads version {VERSION})",
            version as u32
        )));
    }
    if events > MAX_CAP {
        return Err(Error::InvalidHistory(format!(
            "{events} events exceed the limit of {MAX_CAP}"
        )));
    }
    Ok(())
}

/// The error for event number `i` of a document.
pub fn event_error(i: usize, err: Error) -> Error {
    Error::InvalidHistory(format!("event #{i}: {err}"))
}

/// A history document, as serialised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryDocument {
    pub format: String,
    pub version: u32,
    /// Events, oldest first.
    pub events: Vec<Event>,
}

impl HistoryDocument {
    /// Wraps events (oldest first) in a document.
    pub fn new(events: Vec<Event>) -> Self {
        Self {
            format: FORMAT_TAG.into(),
            version: VERSION,
            events,
        }
    }

    /// Serialises as compact JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain strings/numbers cannot fail; fall back to an empty doc defensively.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses and validates a JSON document.
    pub fn from_json(text: &str) -> Result<Self> {
        let doc: Self =
            serde_json::from_str(text).map_err(|e| Error::InvalidHistory(e.to_string()))?;
        doc.validate()?;
        Ok(doc)
    }

    /// Checks the tag, version, size and every event.
    pub fn validate(&self) -> Result<()> {
        check_header(&self.format, f64::from(self.version), self.events.len())?;
        for (i, e) in self.events.iter().enumerate() {
            e.validate().map_err(|err| event_error(i, err))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::EventKind;

    #[test]
    fn whole_timestamps_are_written_as_integers_like_the_browser_does() {
        let doc = HistoryDocument::new(vec![
            Event::new("a", EventKind::View, 1_764_072_000_000.0).unwrap(),
            Event::new("b", EventKind::Cart, 1.5).unwrap(),
        ]);
        let json = doc.to_json();
        assert_eq!(
            json,
            r#"{"format":"localrank-history","version":1,"events":[{"key":"a","kind":"view","ts":1764072000000},{"key":"b","kind":"cart","ts":1.5}]}"#
        );
        assert_eq!(HistoryDocument::from_json(&json).unwrap(), doc);
    }

    #[test]
    fn every_timestamp_survives_export_and_import_bit_for_bit() {
        // Found by fuzzing (docs/RELIABILITY.md): 17 significant digits, which `ts_json` writes
        // for a fractional millisecond count, read back one ulp off before serde_json's
        // `float_roundtrip`. The browser's JSON.parse is exact; native import must be too.
        let mut ts: Vec<f64> = vec![1.555_555_555_555_555_6e41, f64::MAX, 5e-324];
        ts.extend((0..2000).map(|i| 1_764_072_000_000.0 + f64::from(i) * 0.000_123_456_7));
        let events = ts
            .iter()
            .map(|&t| Event::new("a", EventKind::View, t).unwrap())
            .collect();
        let doc = HistoryDocument::new(events);
        let back = HistoryDocument::from_json(&doc.to_json()).unwrap();
        for (a, b) in doc.events.iter().zip(&back.events) {
            assert_eq!(
                a.ts.to_bits(),
                b.ts.to_bits(),
                "{} read back as {}",
                a.ts,
                b.ts
            );
        }
    }

    #[test]
    fn unknown_top_level_fields_are_refused_and_unknown_event_fields_ignored() {
        let extra = r#"{"format":"localrank-history","version":1,"events":[],"x":1}"#;
        assert!(matches!(
            HistoryDocument::from_json(extra),
            Err(Error::InvalidHistory(_))
        ));
        let doc = r#"{"format":"localrank-history","version":1,"events":[{"key":"a","kind":"view","ts":5,"note":"x"}]}"#;
        assert_eq!(HistoryDocument::from_json(doc).unwrap().events.len(), 1);
    }
}
