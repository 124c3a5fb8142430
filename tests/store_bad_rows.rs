//! Nothing dropped silently (issue 13): every kind of unusable row in an event log or catalogue
//! is counted by reason with its file:line, and `--max-bad-rows` turns too many into a typed
//! error instead of a quietly worse model.
#![cfg(feature = "train")]

use std::path::PathBuf;

use localrank::train::store::options::{BadRowLimit, Encoding, UnknownItems};
use localrank::train::store::{self, DropReason, FileReport, StoreData, StoreOptions};
use localrank::Error;

fn write(name: &str, text: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("localrank-bad-rows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn load(opts: &StoreOptions) -> localrank::Result<StoreData> {
    store::load(opts, &mut |_, _, _| {})
}

/// One reason's count and its first example's line and message.
fn example(r: &FileReport, reason: DropReason) -> (u64, u64, String) {
    let d = &r.dropped[&reason];
    (d.count, d.examples[0].0, d.examples[0].1.clone())
}

const EVENTS: &str = "user_id,item_id,timestamp,event_type
u1,A,1600000000,view
u1,B,1600000100,cart
u1,A,1600000000,view
u2,A,not-a-time,view
u2,,1600000300,view
u2,B,1600000400,wishlist
u2,B,1600000500
u3,A,1600000600,view,extra
u3,Z,1600000700,view
u3,B,2020-09-13T12:26:40Z,purchase
";

/// The files are named after the test (`tag`): tests run in parallel.
fn opts(tag: &str, events: &[u8], catalog: &[u8]) -> StoreOptions {
    let events = write(&format!("{tag}-events.csv"), events);
    let mut o = StoreOptions::new(
        events,
        Some(write(&format!("{tag}-products.jsonl"), catalog)),
    );
    o.max_bad_rows = BadRowLimit::Rows(1000);
    o
}

const CATALOG: &str = r#"{"item_id":"A","title":"Glue","price":3.5}
{"item_id":"B","title":"Tape","price":"n/a"}
{"item_id":"A","title":"Glue again"}
{"title":"no key"}
not json
"#;

#[test]
fn every_kind_of_bad_event_row_is_counted_with_its_line() {
    let mut o = opts("kinds", EVENTS.as_bytes(), CATALOG.as_bytes());
    o.unknown_items = UnknownItems::Refuse;
    let data = load(&o).unwrap();
    let r = &data.events_report;
    assert_eq!(r.rows, 10);
    assert_eq!(
        example(r, DropReason::ExactDuplicate),
        (
            1,
            4,
            "repeats an earlier row (item \"A\", time 1600000000000 ms)".into()
        )
    );
    assert_eq!(
        example(r, DropReason::BadTimestamp),
        (1, 5, "\"not-a-time\" is not a timestamp".into())
    );
    assert_eq!(
        example(r, DropReason::MissingField),
        (1, 6, "no value in column \"item_id\"".into())
    );
    let (n, line, msg) = example(r, DropReason::UnknownEventType);
    assert_eq!((n, line), (1, 7));
    assert!(
        msg.starts_with("event type \"wishlist\" is not in the event map"),
        "{msg}"
    );
    let (n, line, msg) = example(r, DropReason::Unparseable);
    assert_eq!((n, line), (2, 8), "{msg}");
    assert_eq!(msg, "3 fields, the header has 4");
    let (n, line, msg) = example(r, DropReason::UnknownItem);
    assert_eq!((n, msg.contains("\"Z\"")), (1, true), "line {line}: {msg}");
    assert_eq!(r.bad(), 6);
    let text = r.to_string();
    assert!(
        text.contains("events.csv:5: \"not-a-time\" is not a timestamp"),
        "{text}"
    );
    // The usable rows: u1 A view, u1 B cart; u3 B purchase.
    assert_eq!(data.events(), 3);
}

#[test]
fn every_kind_of_bad_catalogue_row_is_counted_and_first_keys_win() {
    let data = load(&opts("catalogue", EVENTS.as_bytes(), CATALOG.as_bytes())).unwrap();
    let r = data.catalog_report.as_ref().unwrap();
    assert_eq!(r.rows, 5);
    let dup = example(r, DropReason::DuplicateKey);
    assert_eq!((dup.0, dup.1), (1, 3), "{}", dup.2);
    assert_eq!(example(r, DropReason::MissingField).1, 4);
    let (n, line, msg) = example(r, DropReason::Unparseable);
    assert_eq!((n, line), (1, 5));
    assert!(msg.starts_with("invalid JSON"), "{msg}");
    assert_eq!(data.meta.get(0, "title"), "Glue");
    // A price column with text in it is text, not a number with a hole.
    let price = data.attributes.field("price").unwrap();
    assert_eq!(price.kind(), localrank::model::AttrType::Text);
    // Z (kept by default) is an item with its key as title.
    assert_eq!(data.keys, ["A", "B", "Z"]);
    assert_eq!(data.meta.get(2, "title"), "Z");
}

#[test]
fn too_many_bad_rows_is_a_typed_error_with_the_counts() {
    let mut o = opts("limit", EVENTS.as_bytes(), CATALOG.as_bytes());
    o.catalog = None;
    o.max_bad_rows = BadRowLimit::Percent(1.0);
    match load(&o) {
        Err(e @ Error::TooManyBadRows { .. }) => {
            let Error::TooManyBadRows { bad, rows, .. } = &e else {
                unreachable!()
            };
            assert_eq!((*bad, *rows), (5, 10));
            let text = e.to_string();
            assert!(
                text.contains("5 of 10 rows are unusable, more than the limit of 1%"),
                "{text}"
            );
            assert!(text.contains("bad timestamp"), "{text}");
            assert_eq!(e.code(), "TooManyBadRows");
        }
        other => panic!("{other:?}"),
    }
    o.max_bad_rows = BadRowLimit::Rows(5);
    assert!(load(&o).is_ok(), "5 bad rows are within a limit of 5");
}

#[test]
fn latin1_text_needs_its_encoding_flag() {
    let events = b"user_id,item_id,timestamp\nu1,Caf\xe9,1600000000\nu1,B,1600000001\n";
    let mut o = StoreOptions::new(write("latin.csv", events), None);
    o.max_bad_rows = BadRowLimit::Rows(10);
    let r = load(&o).unwrap().events_report;
    let (n, line, msg) = example(&r, DropReason::Unparseable);
    assert_eq!((n, line), (1, 2));
    assert!(msg.contains("--encoding latin-1"), "{msg}");
    o.events.encoding = Encoding::Latin1;
    assert_eq!(load(&o).unwrap().keys, ["Café", "B"]);
}

#[test]
fn a_missing_required_column_names_the_columns_the_file_has() {
    let o = StoreOptions::new(
        write("cols.csv", b"visitor,item_id,timestamp\nu,a,1\n"),
        None,
    );
    let err = load(&o).unwrap_err().to_string();
    assert!(
        err.contains("no column \"user_id\" (the file has: visitor, item_id, timestamp)"),
        "{err}"
    );
}
