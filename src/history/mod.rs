//! The shopper's behaviour history: what happened, bounded in size, kept on the device.
//!
//! [`History`] is the in-memory log (oldest first, capped: the oldest events are dropped);
//! [`store::HistoryStore`] persists it (IndexedDB in the browser, memory natively);
//! [`document`] is the versioned JSON export/import format. Events refer to items by key, not by
//! row, so a history survives a model update; keys the model does not know are kept and ignored
//! when scoring.

pub mod document;
pub mod retention;
pub mod store;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Default cap on the number of events kept.
pub const DEFAULT_CAP: usize = 500;
/// Largest cap accepted (keeps IndexedDB and fold-in work bounded).
pub const MAX_CAP: usize = 100_000;
/// Longest item key accepted in an event.
pub const MAX_KEY_LEN: usize = 512;

/// What the shopper did with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    View,
    Cart,
    Purchase,
}

impl EventKind {
    /// Every kind, in the order of the model's kind weights.
    pub const ALL: [EventKind; 3] = [EventKind::View, EventKind::Cart, EventKind::Purchase];

    /// Position of this kind in [`EventKind::ALL`] (and in `FoldIn::kind_weights`).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The lowercase name used in JS and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::View => "view",
            EventKind::Cart => "cart",
            EventKind::Purchase => "purchase",
        }
    }

    /// Parses `"view"`, `"cart"` or `"purchase"`.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "unknown event kind \"{s}\"; expected \"view\", \"cart\" or \"purchase\""
                ))
            })
    }
}

/// One behaviour event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The item's key (as in the model's `KEYS` section).
    pub key: String,
    /// What happened.
    pub kind: EventKind,
    /// When, in milliseconds since the Unix epoch.
    #[serde(serialize_with = "ts_json")]
    pub ts: f64,
}

/// Writes a whole-number timestamp as a JSON integer (`1764072000000`, as the browser's
/// `JSON.stringify` does) and others as floats, so native and browser exports are the same text.
fn ts_json<S: serde::Serializer>(ts: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2⁵³: every integer below is an exact f64
    if ts.fract() == 0.0 && ts.abs() < EXACT {
        s.serialize_i64(*ts as i64)
    } else {
        s.serialize_f64(*ts)
    }
}

impl Event {
    /// Validates and builds an event.
    pub fn new(key: impl Into<String>, kind: EventKind, ts: f64) -> Result<Self> {
        let e = Self {
            key: key.into(),
            kind,
            ts,
        };
        e.validate()?;
        Ok(e)
    }

    /// Checks the key is non-empty and bounded and the timestamp is a finite, non-negative number.
    pub fn validate(&self) -> Result<()> {
        if self.key.is_empty() || self.key.len() > MAX_KEY_LEN {
            return Err(Error::InvalidArgument(format!(
                "item key must be 1..={MAX_KEY_LEN} bytes, got {} bytes",
                self.key.len()
            )));
        }
        // No float in the message: formatting one costs the wasm module 20 KB of `core::fmt`.
        let problem = if !self.ts.is_finite() {
            Some("NaN or infinite")
        } else if self.ts < 0.0 {
            Some("negative")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(Error::InvalidArgument(format!(
                "timestamp must be a finite number of ms ≥ 0, got a {problem} one"
            )));
        }
        Ok(())
    }
}

/// A bounded, ordered (oldest first) log of events.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    events: VecDeque<Event>,
    cap: usize,
}

impl History {
    /// An empty history keeping at most `cap` events (1..=[`MAX_CAP`]).
    pub fn new(cap: usize) -> Result<Self> {
        if !(1..=MAX_CAP).contains(&cap) {
            return Err(Error::InvalidArgument(format!(
                "history cap must be 1..={MAX_CAP}, got {cap}"
            )));
        }
        Ok(Self {
            events: VecDeque::new(),
            cap,
        })
    }

    /// A history holding the newest `cap` of `events` (given oldest first).
    pub fn from_events(cap: usize, events: Vec<Event>) -> Result<Self> {
        let mut h = Self::new(cap)?;
        let skip = events.len().saturating_sub(cap);
        h.events.extend(events.into_iter().skip(skip));
        Ok(h)
    }

    /// Appends an event; returns how many of the oldest events were dropped to respect the cap.
    pub fn push(&mut self, event: Event) -> usize {
        self.events.push_back(event);
        let over = self.events.len().saturating_sub(self.cap);
        self.events.drain(..over);
        over
    }

    /// Events, oldest first.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = &Event> + ExactSizeIterator {
        self.events.iter()
    }

    /// Number of events kept.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The cap.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Events, oldest first, as one slice.
    pub fn as_slice(&mut self) -> &[Event] {
        self.events.make_contiguous()
    }

    /// Removes the events at the ascending `positions`.
    pub fn remove(&mut self, positions: &[usize]) {
        let events = std::mem::take(&mut self.events).into();
        self.events = retention::without(events, positions).into();
    }

    /// Forgets every event.
    pub fn clear(&mut self) {
        self.events.clear();
    }
}
