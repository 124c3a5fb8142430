//! Fuzz target: the history document (docs/FORMAT.md § 3). `HistoryDocument::from_json` on any
//! text returns a validated document or `InvalidHistory`; an accepted document exports and
//! re-imports to the same events; `Engine::import_history` (memory store) agrees with the parser,
//! keeps the newest `cap` events on success and changes nothing, stored or in memory, on error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use localrank::history::document::HistoryDocument;
use localrank::history::EventKind;
use localrank::Error;
use localrank_fuzz::{check_recommend, history, open, ready, spec_model, SharedStore};

const CAP: usize = 8;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = HistoryDocument::from_json(text);
    match &parsed {
        Ok(doc) => {
            doc.validate().expect("a parsed document validates");
            let again = HistoryDocument::from_json(&doc.to_json()).expect("an export re-imports");
            assert_eq!(again.events.len(), doc.events.len());
            for (a, b) in again.events.iter().zip(&doc.events) {
                assert_eq!((&a.key, a.kind), (&b.key, b.kind));
                assert!(
                    a.ts == b.ts,
                    "timestamp {} exported and read back as {}",
                    b.ts,
                    a.ts
                );
            }
        }
        Err(e) => assert!(matches!(e, Error::InvalidHistory(_)), "{e:?}"),
    }

    let store = SharedStore::default();
    let engine = open(spec_model().clone(), store.clone(), CAP);
    ready(engine.record("A1", EventKind::View, 1.0)).expect("records");
    ready(engine.record("B2", EventKind::Cart, 2.0)).expect("records");
    let before = history(&engine);
    let imported = ready(engine.import_history(text));
    match (&parsed, imported) {
        (Ok(doc), Ok(())) => {
            let skip = doc.events.len().saturating_sub(CAP);
            assert_eq!(
                history(&engine),
                doc.events[skip..],
                "not the newest cap events"
            );
        }
        (Err(_), Err(e)) => {
            assert!(matches!(e, Error::InvalidHistory(_)), "{e:?}");
            assert_eq!(
                history(&engine),
                before,
                "a refused import changed the history"
            );
        }
        (p, i) => panic!("parser said {p:?}, engine import said {i:?}"),
    }
    assert_eq!(store.events(), history(&engine), "store and memory differ");
    check_recommend(&engine, 2, true);
    check_recommend(&engine, 2, false);
});
