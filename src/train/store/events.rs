//! The event file → each user's chronological events, with every unusable row counted: users in
//! order of first appearance, a stable sort by time (equal timestamps keep file order), exact
//! duplicates (same user, item, time, kind and session) dropped and counted.

use std::collections::HashMap;

use super::options::{StoreOptions, UnknownItems};
use super::table::{self, Cell, ReadProgress, RowResult, Source, Wanted};
use super::time;
use super::{DropReason, FileReport, StoreEvent};
use crate::history::EventKind;
use crate::Result;

/// Item keys → rows: the catalogue's, then keys first seen in events (when kept).
#[derive(Debug, Default)]
pub struct ItemIndex {
    pub keys: Vec<String>,
    rows: HashMap<String, u32>,
}

impl ItemIndex {
    /// The row of `key`, if known.
    pub fn get(&self, key: &str) -> Option<u32> {
        self.rows.get(key).copied()
    }

    /// Adds `key` as the next row; `false` if it was already there.
    pub fn insert(&mut self, key: String) -> bool {
        if self.rows.contains_key(&key) {
            return false;
        }
        self.rows.insert(key.clone(), self.keys.len() as u32);
        self.keys.push(key);
        true
    }
}

fn describe(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => format!("{s:?}"),
        other => format!("{other:?}"),
    }
}

/// Where the optional columns are among the cells handed over: required ones first.
struct Layout {
    event: usize,
    session: usize,
}

/// The columns to ask for, how many of them are required, and where the optional ones are:
/// user, item, time, then the event type and the session id, each required when named.
fn layout(c: &super::options::EventColumns) -> (Vec<&str>, usize, Layout) {
    let mut columns = vec![c.user.as_str(), &c.item, &c.time];
    let optional = [
        (c.event.as_str(), c.event_explicit),
        (&c.session, c.session_explicit),
    ];
    let mut at = [0; 2];
    for explicit in [true, false] {
        for (k, (name, named)) in optional.iter().enumerate() {
            if *named == explicit {
                at[k] = columns.len();
                columns.push(name);
            }
        }
    }
    let required = 3 + optional.iter().filter(|o| o.1).count();
    let l = Layout {
        event: at[0],
        session: at[1],
    };
    (columns, required, l)
}

/// One row's verdict.
fn event(
    opts: &StoreOptions,
    at: &Layout,
    cells: &[Cell],
    items: &mut ItemIndex,
) -> std::result::Result<(String, StoreEvent), (DropReason, String)> {
    let c = &opts.event_columns;
    let missing = |col: &str| {
        (
            DropReason::MissingField,
            format!("no value in column {col:?}"),
        )
    };
    let user = cells[0].as_id().ok_or_else(|| missing(&c.user))?;
    let key = cells[1].as_id().ok_or_else(|| missing(&c.item))?;
    let time_ms = match &cells[2] {
        cell if cell.is_empty() => return Err(missing(&c.time)),
        Cell::Text(s) => time::parse_text(s, opts.time_unit),
        Cell::Integer(i) => time::integer_to_ms(*i, opts.time_unit),
        Cell::Number(x) => time::number_to_ms(*x, opts.time_unit),
        Cell::TimeMs(ms) => Some(*ms),
        _ => None,
    }
    .ok_or_else(|| {
        let v = describe(&cells[2]);
        (DropReason::BadTimestamp, format!("{v} is not a timestamp"))
    })?;
    let kind = match &cells[at.event] {
        Cell::Absent if !c.event_explicit => EventKind::View,
        cell if cell.is_empty() => return Err(missing(&c.event)),
        cell => {
            let value = cell.as_id().unwrap_or_else(|| describe(cell));
            opts.event_map.kind(&value).ok_or_else(|| {
                let known: Vec<&str> = opts.event_map.pairs.iter().map(|p| p.0.as_str()).collect();
                (
                    DropReason::UnknownEventType,
                    format!(
                        "event type {value:?} is not in the event map ({})",
                        known.join(", ")
                    ),
                )
            })?
        }
    };
    let session = match &cells[at.session] {
        Cell::Absent if !c.session_explicit => 0,
        cell if cell.is_empty() => return Err(missing(&c.session)),
        cell => super::session_hash(&cell.as_id().ok_or_else(|| {
            let v = describe(cell);
            let m = format!("{v} is not a session id (text or an integer)");
            (DropReason::BadSession, m)
        })?),
    };
    let item = match items.get(&key) {
        Some(row) => row,
        None if opts.unknown_items == UnknownItems::Keep => {
            items.insert(key);
            items.keys.len() as u32 - 1
        }
        None => {
            return Err((
                DropReason::UnknownItem,
                format!("item {key:?} is not in the catalogue (--unknown-items refuse)"),
            ))
        }
    };
    Ok((
        user,
        StoreEvent {
            item,
            kind,
            time_ms,
            session,
        },
    ))
}

/// Reads the event file from `source`; new item keys are added to `items` (with
/// [`UnknownItems::Keep`]). Also says whether the file has a session column.
pub fn read(
    opts: &StoreOptions,
    source: Source<'_>,
    items: &mut ItemIndex,
    progress: &mut ReadProgress<'_>,
) -> Result<(Vec<Vec<StoreEvent>>, FileReport, bool)> {
    let c = &opts.event_columns;
    let (columns, required, at) = layout(c);
    let mut report = FileReport::new(opts.events.display());
    let mut users: HashMap<String, u32> = HashMap::new();
    let mut sequences: Vec<Vec<(StoreEvent, u64)>> = Vec::new();
    let mut sink = |_: &[String], line: u64, row: RowResult| {
        report.rows += 1;
        let verdict = row
            .map_err(|e| (DropReason::Unparseable, e))
            .and_then(|cells| event(opts, &at, &cells, items));
        match verdict {
            Ok((user, e)) => {
                let next = users.len() as u32;
                let u = *users.entry(user).or_insert(next);
                if u == next {
                    sequences.push(Vec::new());
                }
                sequences[u as usize].push((e, line));
            }
            Err((reason, message)) => report.drop_row(reason, line, message),
        }
    };
    let wanted = Wanted::These {
        columns: &columns,
        required,
    };
    let found = table::read_from(&opts.events, source, wanted, &mut sink, progress)?;
    let mut out = Vec::with_capacity(sequences.len());
    for mut seq in sequences {
        seq.sort_by_key(|(e, _)| e.time_ms); // stable: equal times keep file order
        let mut kept: Vec<StoreEvent> = Vec::with_capacity(seq.len());
        let mut run_start = 0; // first kept event with the current time
        for (e, line) in seq {
            if kept.get(run_start).is_some_and(|f| f.time_ms != e.time_ms) {
                run_start = kept.len();
            }
            if kept[run_start..].contains(&e) {
                let key = &items.keys[e.item as usize];
                let msg = format!(
                    "repeats an earlier row (item {key:?}, time {} ms)",
                    e.time_ms
                );
                report.drop_row(DropReason::ExactDuplicate, line, msg);
            } else {
                kept.push(e);
            }
        }
        out.push(kept);
    }
    Ok((out, report, found.has(&c.session)))
}
