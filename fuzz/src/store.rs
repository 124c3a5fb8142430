//! The store readers (`localrank train --events/--catalog`) on any bytes: CSV/TSV, JSON Lines and
//! Parquet, each as an event file and as a catalogue, through `store::load_from` (bytes in
//! memory read as the files would be). Every input must give a typed error or store data whose
//! parts agree; a panic is a bug, except one inside the parquet crate, which the reader turns
//! into an `Io` error (`catch_unwind`) and which [`allow_parquet_panics`] lets unwind to it.

use localrank::train::store::options::{BadRowLimit, FileOptions, Format, StoreOptions};
use localrank::train::store::{self, Source, StoreData};
use localrank::Error;

/// The events read with the fuzzed catalogue: three known items, one unknown, two users.
const EVENTS: &[u8] = b"user_id,item_id,timestamp,event_type\n\
u1,A1,1604478181,view\nu1,B2,1604478182,cart\nu2,A1,1604478183,purchase\nu2,Z9,1604478184,view\n";

fn options(format: Format, delimiter: Option<u8>) -> StoreOptions {
    let mut o = StoreOptions::new("fuzz-events", None);
    o.events.format = Some(format);
    o.events.delimiter = delimiter;
    o.event_map = "view=view,addtocart=cart,cart=cart,transaction=purchase,purchase=purchase"
        .parse()
        .expect("a valid event map");
    // Every row may be bad: the reader must still count them, not give up early.
    o.max_bad_rows = BadRowLimit::Rows(u64::MAX);
    o
}

/// What must hold of store data read from anything.
fn check(data: &StoreData) {
    let items = data.keys.len();
    let fields = data.meta.fields.len();
    assert_eq!(
        data.meta.values.len(),
        items * fields,
        "one META row per item"
    );
    for seq in &data.sequences {
        assert!(!seq.is_empty(), "a user without events");
        assert!(
            seq.windows(2).all(|w| w[0].time_ms <= w[1].time_ms),
            "unsorted"
        );
        assert!(
            seq.iter().all(|e| (e.item as usize) < items),
            "item out of range"
        );
    }
    let used: usize = data.sequences.iter().map(Vec::len).sum();
    let r = &data.events_report;
    assert!(
        used as u64 + r.dropped_total() == r.rows,
        "rows used + dropped != rows"
    );
}

fn typed(result: Result<StoreData, Error>) {
    match result {
        Ok(data) => check(&data),
        Err(Error::Io { .. } | Error::TooManyBadRows { .. } | Error::InvalidArgument(_)) => {}
        Err(other) => panic!("unexpected error kind {}: {other}", other.code()),
    }
}

/// Reads `data` as an event file and as a catalogue in `format` (CSV: tab-separated when the
/// first line has a tab, else comma-separated).
pub fn read_both(format: Format, data: &[u8]) {
    let first_line = data.split(|b| *b == b'\n').next().unwrap_or_default();
    let tsv = format == Format::Csv && first_line.contains(&b'\t');
    let delimiter = tsv.then_some(b'\t');
    let opts = options(format, delimiter);
    typed(store::load_from(
        &opts,
        Source::Bytes(data),
        Source::File,
        &mut |_, _, _| {},
    ));

    let mut opts = options(Format::Csv, None);
    let mut catalog = FileOptions::new("fuzz-catalog");
    catalog.format = Some(format);
    catalog.delimiter = delimiter;
    opts.catalog = Some(catalog);
    typed(store::load_from(
        &opts,
        Source::Bytes(EVENTS),
        Source::Bytes(data),
        &mut |_, _, _| {},
    ));
}

/// libFuzzer's panic hook aborts at once, before `catch_unwind` can turn a panic into an error.
/// This hook keeps that for every panic except those raised inside the parquet crate's own
/// source, which unwind to the reader's `catch_unwind` (and are reported there as `Io` errors).
pub fn allow_parquet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let theirs = info
                .location()
                .is_some_and(|l| l.file().contains("/parquet-"));
            if theirs {
                // Printed once per place (docs/RELIABILITY.md lists them); the reader's
                // `catch_unwind` turns the panic into an `Io` error.
                static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
                let place = info.location().map(|l| l.to_string()).unwrap_or_default();
                let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
                if !seen.contains(&place) {
                    eprintln!("parquet crate panicked (caught by the reader): {info}");
                    seen.push(place);
                }
            } else {
                fuzzer_hook(info);
            }
        }));
    });
}
