//! The session column (issue 13: "optional event type and session id"): read from CSV and JSON
//! Lines alike, optional unless named, bad values counted by reason, and next-item pairs kept
//! within a session when `within_sessions` is set.
#![cfg(feature = "train")]

use localrank::train::from_store::{self, ShipOptions};
use localrank::train::store::options::BadRowLimit;
use localrank::train::store::{self, DropReason, Source, StoreData, StoreOptions};
use localrank::train::transitions::NeighbourParams;
use localrank::train::TrainParams;
use localrank::Error;

fn load(name: &str, bytes: &[u8], named: Option<&str>) -> localrank::Result<StoreData> {
    let mut opts = StoreOptions::new(name, None);
    opts.max_bad_rows = BadRowLimit::Rows(10);
    if let Some(col) = named {
        opts.event_columns.session = col.into();
        opts.event_columns.session_explicit = true;
    }
    let no_catalog = Source::Bytes(b"");
    store::load_from(&opts, Source::Bytes(bytes), no_catalog, &mut |_, _, _| {})
}

// u1: two sessions (s1: A B, s2: C); u2: one session with an integer id (B C).
const CSV: &str = "user_id,item_id,timestamp,session_id
u1,A,1600000000,s1
u1,B,1600000100,s1
u1,C,1600009000,s2
u2,B,1600000000,7
u2,C,1600000050,7
";

const JSONL: &str = r#"{"user_id":"u1","item_id":"A","timestamp":1600000000,"session_id":"s1"}
{"user_id":"u1","item_id":"B","timestamp":1600000100,"session_id":"s1"}
{"user_id":"u1","item_id":"C","timestamp":1600009000,"session_id":"s2"}
{"user_id":"u2","item_id":"B","timestamp":1600000000,"session_id":7}
{"user_id":"u2","item_id":"C","timestamp":1600000050,"session_id":7}
"#;

#[test]
fn csv_and_jsonl_give_the_same_sessions() {
    let csv = load("e.csv", CSV.as_bytes(), None).unwrap();
    let jsonl = load("e.jsonl", JSONL.as_bytes(), None).unwrap();
    assert!(csv.has_sessions);
    assert_eq!(
        csv.sequences, jsonl.sequences,
        "text 7 and integer 7 are one id"
    );
    let s = csv.session_sequences().unwrap();
    assert_eq!(s, vec![vec![0, 0, 1], vec![0, 0]]);
    assert_ne!(csv.sequences[0][1].session, csv.sequences[0][2].session);
    assert_eq!(csv.sequences[0][0].session, csv.sequences[0][1].session);
}

#[test]
fn the_column_is_optional_unless_named() {
    let plain = "user_id,item_id,timestamp\nu1,A,1600000000\nu1,B,1600000100\n";
    let data = load("e.csv", plain.as_bytes(), None).unwrap();
    assert!(!data.has_sessions && data.session_sequences().is_none());
    assert!(data.sequences[0].iter().all(|e| e.session == 0));
    match load("e.csv", plain.as_bytes(), Some("visit")) {
        Err(Error::Io { reason, .. }) => {
            assert!(reason.contains("no column \"visit\""), "{reason}")
        }
        other => panic!("expected a missing-column error, got {other:?}"),
    }
    let renamed = CSV.replace("session_id", "visit");
    let named = load("e.csv", renamed.as_bytes(), Some("visit")).unwrap();
    assert_eq!(named.session_sequences().unwrap()[0], vec![0, 0, 1]);
}

#[test]
fn bad_and_missing_session_ids_are_counted() {
    let mut text = String::from(JSONL);
    text += r#"{"user_id":"u4","item_id":"A","timestamp":1600000000,"session_id":true}"#;
    text += "\n";
    text += r#"{"user_id":"u4","item_id":"B","timestamp":1600000001,"session_id":1.5}"#;
    text += "\n";
    text += r#"{"user_id":"u4","item_id":"C","timestamp":1600000002,"session_id":null}"#;
    text += "\n";
    let data = load("e.jsonl", text.as_bytes(), None).unwrap();
    let r = &data.events_report;
    let bad = &r.dropped[&DropReason::BadSession];
    assert_eq!(bad.count, 2);
    assert_eq!(bad.examples[0].0, 6);
    assert!(
        bad.examples[0].1.contains("is not a session id"),
        "{:?}",
        bad.examples
    );
    let missing = &r.dropped[&DropReason::MissingField];
    assert_eq!((missing.count, missing.examples[0].0), (1, 8));
    assert!(missing.examples[0].1.contains("session_id"));
    assert!(r.to_string().contains("bad session id"), "{r}");
}

#[test]
fn next_item_pairs_stay_within_a_session_unless_asked() {
    let data = load("e.csv", CSV.as_bytes(), None).unwrap();
    let params = TrainParams {
        dim: 4,
        iterations: 2,
        ..TrainParams::default()
    };
    let nbr = NeighbourParams {
        privacy: Default::default(),
        ..NeighbourParams::default()
    };
    // Neighbours of C (forward and backward pairs): u1 reaches C only across its session
    // boundary (A B | C), u2 within one session (B C).
    let neighbours_of_c = |within_sessions| {
        let ship = ShipOptions {
            rows4: false,
            neighbours: Some(nbr),
            within_sessions,
            ..ShipOptions::default()
        };
        let m = from_store::train_store(&data, &params, &ship, &mut |_| {}).unwrap();
        let c = data.keys.iter().position(|k| k == "C").unwrap();
        let nb = m.extra.neighbours.unwrap();
        let mut keys: Vec<&str> = nb
            .of(c)
            .0
            .iter()
            .map(|&t| data.keys[t as usize].as_str())
            .collect();
        keys.sort_unstable();
        keys.join(",")
    };
    assert_eq!(neighbours_of_c(true), "B");
    assert_eq!(neighbours_of_c(false), "A,B");
}
