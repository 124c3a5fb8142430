//! Bad Spark outputs (issue 16): `localrank pack --from-spark` reads a directory another
//! program wrote, so every way it can be wrong must end in an error that names the file and
//! the problem — missing files or columns, factors of the wrong length or not finite, duplicate
//! or missing item rows, neighbour lists and held-out cases naming unknown items, keys the
//! catalogue lacks when told to refuse them. The directories are written here with the
//! `parquet` crate in the layout Spark writes (optional columns, 3-level lists), starting from
//! one good directory and breaking one thing at a time.
#![cfg(feature = "train")]

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use localrank::train::import::{self, spark, ImportOptions};
use localrank::train::store::options::UnknownItems;
use localrank::train::TrainParams;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, FloatType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

/// One column of a test table (every cell may be null, as in Spark's schemas).
enum Col {
    Str(&'static str, Vec<Option<&'static str>>),
    Long(&'static str, Vec<Option<i64>>),
    Double(&'static str, Vec<Option<f64>>),
    Floats(&'static str, Vec<Option<Vec<f32>>>),
    Strs(&'static str, Vec<Option<Vec<&'static str>>>),
}

impl Col {
    fn schema(&self) -> String {
        let list = |name: &str, leaf: &str, annotation: &str| {
            format!(
                "OPTIONAL group {name} (LIST) {{ REPEATED group list {{ OPTIONAL {leaf} element {annotation}; }} }}"
            )
        };
        match self {
            Col::Str(n, _) => format!("OPTIONAL BYTE_ARRAY {n} (UTF8);"),
            Col::Long(n, _) => format!("OPTIONAL INT64 {n};"),
            Col::Double(n, _) => format!("OPTIONAL DOUBLE {n};"),
            Col::Floats(n, _) => list(n, "FLOAT", ""),
            Col::Strs(n, _) => list(n, "BYTE_ARRAY", "(UTF8)"),
        }
    }
}

/// Levels of an optional scalar column.
fn scalar<T: Clone>(cells: &[Option<T>]) -> (Vec<T>, Vec<i16>) {
    let values = cells.iter().flatten().cloned().collect();
    let def = cells.iter().map(|c| i16::from(c.is_some())).collect();
    (values, def)
}

/// Values, definition and repetition levels of an optional list of optional elements.
fn list<T: Clone>(cells: &[Option<Vec<T>>]) -> (Vec<T>, Vec<i16>, Vec<i16>) {
    let (mut values, mut def, mut rep) = (Vec::new(), Vec::new(), Vec::new());
    for cell in cells {
        match cell {
            None | Some(_) if cell.as_ref().is_none_or(Vec::is_empty) => {
                def.push(i16::from(cell.is_some()));
                rep.push(0);
            }
            Some(v) => {
                for (i, x) in v.iter().enumerate() {
                    values.push(x.clone());
                    def.push(3);
                    rep.push(i16::from(i > 0));
                }
            }
            None => unreachable!("handled above"),
        }
    }
    (values, def, rep)
}

fn bytes(s: &[&str]) -> Vec<ByteArray> {
    s.iter().map(|s| ByteArray::from(*s)).collect()
}

/// Writes `cols` as `dir/part-00000.parquet` (one row group).
fn table(dir: &Path, cols: &[Col]) {
    std::fs::create_dir_all(dir).unwrap();
    let fields: Vec<String> = cols.iter().map(Col::schema).collect();
    let schema = parse_message_type(&format!("message spark_schema {{ {} }}", fields.join(" ")));
    let file = File::create(dir.join("part-00000.parquet")).unwrap();
    let props = Arc::new(WriterProperties::builder().build());
    let mut w = SerializedFileWriter::new(file, Arc::new(schema.unwrap()), props).unwrap();
    let mut rg = w.next_row_group().unwrap();
    for col in cols {
        let mut c = rg.next_column().unwrap().unwrap();
        match col {
            Col::Str(_, cells) => {
                let (v, d) = scalar(cells);
                c.typed::<ByteArrayType>()
                    .write_batch(&bytes(&v), Some(&d), None)
            }
            Col::Long(_, cells) => {
                let (v, d) = scalar(cells);
                c.typed::<Int64Type>().write_batch(&v, Some(&d), None)
            }
            Col::Double(_, cells) => {
                let (v, d) = scalar(cells);
                c.typed::<DoubleType>().write_batch(&v, Some(&d), None)
            }
            Col::Floats(_, cells) => {
                let (v, d, r) = list(cells);
                c.typed::<FloatType>().write_batch(&v, Some(&d), Some(&r))
            }
            Col::Strs(_, cells) => {
                let (v, d, r) = list(cells);
                c.typed::<ByteArrayType>()
                    .write_batch(&bytes(&v), Some(&d), Some(&r))
            }
        }
        .unwrap();
        c.close().unwrap();
    }
    rg.close().unwrap();
    w.close().unwrap();
}

/// The job's settings file for dim `dim`.
fn manifest(dim: usize) -> String {
    format!(
        r#"{{"format": "localrank-spark 1", "spark": "test", "items": 3,
  "events": {{"path": "events.csv", "rows": 7, "used": 6, "dropped": {{"bad timestamp": 1}}}},
  "als": {{"dim": {dim}, "iterations": 5, "lambda": 0.1, "alpha": 20, "decay": 0.9, "seed": 1,
           "regulariser": "per-item"}},
  "nbr": {{"top": 4, "window": 3, "decay": 0.5, "backward": 0.5, "source_norm": 0.5,
           "target_norm": 0.25, "min_users": 1, "user_cap": "inf"}},
  "data": {{"users": 2, "events": 6, "items_with_events": 3, "events_per_user_mean": 3.0,
            "events_per_user_median": 3, "events_per_user_max": 4}},
  "holdout": {{"users": 1, "asked": "1"}},
  "timings": {{"read_s": 1.0, "als_s": 2.0, "total_s": 3.0}}}}"#
    )
}

fn items() -> Vec<Col> {
    vec![
        Col::Str("key", vec![Some("a"), Some("b"), Some("c")]),
        Col::Long("row", vec![Some(0), Some(1), Some(2)]),
        Col::Long("count", vec![Some(3), Some(2), Some(1)]),
        Col::Floats(
            "factor",
            vec![Some(vec![0.5, -0.25]), Some(vec![0.125, 1.0]), None],
        ),
    ]
}

fn neighbours(neighbour: Vec<Option<&'static str>>) -> Vec<Col> {
    vec![
        Col::Str("key", vec![Some("a"), Some("a"), Some("b")]),
        Col::Str("neighbour", neighbour),
        Col::Long("rank", vec![Some(0), Some(1), Some(0)]),
        Col::Double("weight", vec![Some(2.0), Some(1.0), Some(0.5)]),
    ]
}

fn holdout(target: &'static str) -> Vec<Col> {
    cases(vec!["u1"], vec![vec!["a", "b"]], target)
}

/// `holdout/` rows: one user, history and (shared) target each.
fn cases(
    users: Vec<&'static str>,
    histories: Vec<Vec<&'static str>>,
    target: &'static str,
) -> Vec<Col> {
    let n = users.len();
    vec![
        Col::Str("user", users.into_iter().map(Some).collect()),
        Col::Strs("history", histories.into_iter().map(Some).collect()),
        Col::Str("target", vec![Some(target); n]),
    ]
}

/// A fresh good directory under target/, then `breaks` applied to it.
fn spark_dir(name: &str, breaks: impl FnOnce(&Path)) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("spark_bad")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(spark::MANIFEST), manifest(2)).unwrap();
    table(&dir.join("items"), &items());
    let good = vec![Some("b"), Some("c"), Some("a")];
    table(&dir.join("neighbours"), &neighbours(good));
    table(&dir.join("holdout"), &holdout("c"));
    breaks(&dir);
    dir
}

fn error_of(dir: &Path) -> String {
    match spark::read(dir) {
        Ok(_) => panic!("{} was read without an error", dir.display()),
        Err(e) => e.to_string(),
    }
}

fn assert_says(dir: &Path, parts: &[&str]) {
    let e = error_of(dir);
    for p in parts {
        assert!(e.contains(p), "{e:?} should say {p:?}");
    }
}

#[test]
fn a_good_directory_reads_back_whole() {
    let sm = spark::read(&spark_dir("good", |_| {})).unwrap();
    assert_eq!(sm.keys, ["a", "b", "c"]);
    assert_eq!(sm.counts, [3, 2, 1]);
    assert_eq!(sm.factors.row(1).to_vec(), [0.125, 1.0]);
    assert_eq!(
        sm.factors.row(2).to_vec(),
        [0.0, 0.0],
        "null factor: no events"
    );
    assert_eq!(sm.neighbours[0], [(1, 2.0), (2, 1.0)]);
    assert_eq!(sm.holdout.len(), 1);
    assert_eq!(
        (sm.holdout[0].history.clone(), sm.holdout[0].target),
        (vec![0, 1], 2),
        "rows of a, b and c"
    );
    let s = &sm.settings;
    assert_eq!((s.events.rows, s.events.dropped[0].count), (7, 1));
    assert_eq!(s.data.as_ref().unwrap().users, 2);
    assert_eq!(
        s.phases,
        [("read".to_owned(), 1.0), ("als".to_owned(), 2.0)]
    );
}

#[test]
fn missing_files_and_columns_are_named() {
    let no_manifest = spark_dir("no_manifest", |d| {
        std::fs::remove_file(d.join(spark::MANIFEST)).unwrap()
    });
    assert_says(
        &no_manifest,
        &[spark::MANIFEST, "not the output of spark/train.py"],
    );
    let no_items = spark_dir("no_items", |d| {
        std::fs::remove_dir_all(d.join("items")).unwrap()
    });
    assert_says(&no_items, &["items", "not the output of spark/train.py"]);
    let no_factor = spark_dir("no_factor_column", |d| {
        let mut cols = items();
        cols.pop();
        table(&d.join("items"), &cols);
    });
    assert_says(
        &no_factor,
        &["part-00000.parquet", "row 1", "no column \"factor\""],
    );
    let not_json = spark_dir("not_json", |d| {
        std::fs::write(d.join(spark::MANIFEST), "{").unwrap()
    });
    assert_says(&not_json, &["not JSON"]);
}

#[test]
fn factors_of_the_wrong_length_or_not_finite_are_refused() {
    let dims = spark_dir("wrong_dim", |d| {
        std::fs::write(d.join(spark::MANIFEST), manifest(3)).unwrap()
    });
    assert_says(&dims, &["row 1", "2 factor values, dim 3"]);
    let nan = spark_dir("nan_factor", |d| {
        let mut cols = items();
        cols[3] = Col::Floats(
            "factor",
            vec![Some(vec![0.5, f32::NAN]), Some(vec![0.1, 0.2]), None],
        );
        table(&d.join("items"), &cols);
    });
    assert_says(&nan, &["row 1", "factor value", "NaN"]);
}

#[test]
fn item_rows_must_be_each_row_once_with_unique_keys() {
    let dup_key = spark_dir("duplicate_key", |d| {
        let mut cols = items();
        cols[0] = Col::Str("key", vec![Some("a"), Some("b"), Some("a")]);
        table(&d.join("items"), &cols);
    });
    assert_says(&dup_key, &["\"a\""]);
    let dup_row = spark_dir("duplicate_row", |d| {
        let mut cols = items();
        cols[1] = Col::Long("row", vec![Some(0), Some(1), Some(1)]);
        table(&d.join("items"), &cols);
    });
    assert_says(&dup_row, &["row 3", "item row 1 appears twice"]);
    let gap = spark_dir("missing_row", |d| {
        let mut cols = items();
        cols[1] = Col::Long("row", vec![Some(0), Some(1), Some(3)]);
        table(&d.join("items"), &cols);
    });
    assert_says(&gap, &["item row 2 is missing"]);
    let null_key = spark_dir("null_key", |d| {
        let mut cols = items();
        cols[0] = Col::Str("key", vec![Some("a"), None, Some("c")]);
        table(&d.join("items"), &cols);
    });
    assert_says(&null_key, &["row 2", "key is null, not a key"]);
}

#[test]
fn lists_and_cases_naming_unknown_items_are_refused() {
    let nb = spark_dir("unknown_neighbour", |d| {
        table(
            &d.join("neighbours"),
            &neighbours(vec![Some("b"), Some("zz"), Some("a")]),
        );
    });
    assert_says(&nb, &["row 2", "neighbour \"zz\" is not in items/"]);
    let order = spark_dir("neighbour_order", |d| {
        let mut cols = neighbours(vec![Some("b"), Some("c"), Some("a")]);
        cols[3] = Col::Double("weight", vec![Some(1.0), Some(2.0), Some(0.5)]);
        table(&d.join("neighbours"), &cols);
    });
    assert_says(&order, &["the list of \"a\" is not ranked 0.. by weight"]);
    let target = spark_dir("unknown_target", |d| {
        table(&d.join("holdout"), &holdout("zz"))
    });
    assert_says(
        &target,
        &["holdout", "row 1", "item \"zz\" is not in items/"],
    );
    let history = spark_dir("unknown_history", |d| {
        table(
            &d.join("holdout"),
            &cases(vec!["u1"], vec![vec!["a", "zz"]], "c"),
        );
    });
    assert_says(&history, &["row 1", "item \"zz\" is not in items/"]);
    let empty = spark_dir("empty_history", |d| {
        table(&d.join("holdout"), &cases(vec!["u1"], vec![vec![]], "c"));
    });
    assert_says(&empty, &["row 1", "user \"u1\" has no history"]);
    let twice = spark_dir("held_out_twice", |d| {
        let m = manifest(2).replace("\"users\": 1,", "\"users\": 2,");
        std::fs::write(d.join(spark::MANIFEST), m).unwrap();
        table(
            &d.join("holdout"),
            &cases(vec!["u1", "u1"], vec![vec!["a"], vec!["b"]], "c"),
        );
    });
    assert_says(&twice, &["user \"u1\" is held out twice"]);
}

#[test]
fn a_holdout_directory_the_settings_do_not_account_for_is_refused() {
    // A job run with --holdout-users 0 into the --out of an earlier one: the old cases would be
    // scored on a model trained on them.
    let stale = spark_dir("stale_holdout", |d| {
        let m = manifest(2).replace("\"users\": 1,", "\"users\": 0,");
        std::fs::write(d.join(spark::MANIFEST), m).unwrap();
    });
    assert_says(
        &stale,
        &["1 held-out cases", "held out 0 users", "earlier run"],
    );
}

#[test]
fn keys_the_catalogue_lacks_are_refused_when_asked() {
    let sm = spark::read(&spark_dir("catalogue_join", |_| {})).unwrap();
    let cat = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("spark_bad/catalogue.csv");
    std::fs::write(&cat, "item_id,title\na,Alpha\nb,Beta\n").unwrap();
    let catalogue = common::read_catalogue(&cat, "item_id").unwrap();
    let opts = |unknown_items| ImportOptions {
        params: TrainParams {
            dim: 2,
            ..TrainParams::default()
        },
        rows4: false,
        unknown_items,
    };
    let e = import::pack_imported(
        &sm.imported(),
        &catalogue,
        None,
        &opts(UnknownItems::Refuse),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("\"c\""), "{e}");
    let kept =
        import::pack_imported(&sm.imported(), &catalogue, None, &opts(UnknownItems::Keep)).unwrap();
    assert_eq!(kept.summary.unknown_kept, ["c"]);
}
