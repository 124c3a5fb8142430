//! `localrank train` on a store's files through the CLI: the one command of the README, clap's
//! help/version/validation, and MovieLens-100K (headerless, tab- and pipe-separated, latin-1)
//! trained with only column and format flags when `../shared/datasets/ml-100k` exists (it says
//! SKIPPED on stderr otherwise; `LOCALRANK_REQUIRE_ML100K=1` turns that into a failure).
#![cfg(feature = "train")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use localrank::model::AttrValue;
use localrank::Model;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("localrank-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn localrank(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_localrank"))
        .args(args)
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1764547200")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

const QUICK: [&str; 4] = ["--dim", "8", "--iters", "2"];

/// A quick `train` on the fixture store's events into `out`, with `extra` flags.
fn train_fixture(out: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "train",
        "--events",
        "tests/fixtures/store/events.csv",
        "--event-map",
        "view=view,addtocart=cart,transaction=purchase",
        "--out",
        out,
    ];
    args.extend(QUICK);
    args.extend(extra);
    localrank(&args)
}

#[test]
fn the_readme_command_trains_a_store_model_with_attributes_and_provenance() {
    let out_path = tmp("store.lrm");
    let out = out_path.to_str().unwrap();
    let mut args = vec![
        "train",
        "--events",
        "tests/fixtures/store/events.csv",
        "--catalog",
        "tests/fixtures/store/products.jsonl",
        "--event-map",
        "view=view,addtocart=cart,transaction=purchase",
        "--out",
        out,
    ];
    args.extend(QUICK);
    let run = localrank(&args);
    let log = text(&run);
    assert!(run.status.success(), "{log}");
    assert!(
        log.contains("events.csv: 1626 rows, 1622 used, 4 dropped"),
        "{log}"
    );
    assert!(log.contains("exact duplicate"), "{log}");
    assert!(
        log.contains("180 items (30 without events), 400 users"),
        "{log}"
    );
    let model = Model::from_bytes(&std::fs::read(out).unwrap()).unwrap();
    assert_eq!(model.len(), 180);
    assert!(matches!(
        model.attribute(0, "in_stock"),
        Some(AttrValue::Bool(_))
    ));
    let prov = model.provenance().unwrap();
    assert_eq!(prov.get("created"), Some("2025-12-01T00:00:00Z"));
    assert_eq!(prov.get("catalog_file"), Some("products.jsonl"));
    let inspect = localrank(&["inspect", out]);
    let shown = text(&inspect);
    assert!(shown.contains("in_stock             boolean"), "{shown}");
    assert!(shown.contains("created: 2025-12-01T00:00:00Z"), "{shown}");
}

/// `--attr-default NAME=VALUE` declares an attribute the data lacks, for every item (how the demo
/// model gets `in_stock`), records itself in the provenance, and refuses a value whose type the
/// catalogue's column does not have.
#[test]
fn an_attribute_default_declares_a_column_the_data_lacks_for_every_item() {
    let out_path = tmp("defaults.lrm");
    let out = out_path.to_str().unwrap();
    let run = train_fixture(out, &["--no-report", "--attr-default", "in_stock=true"]);
    let log = text(&run);
    assert!(run.status.success(), "{log}");
    let model = Model::from_bytes(&std::fs::read(out).unwrap()).unwrap();
    let n = model.len();
    assert!(
        log.contains(&format!("in_stock=true: {n} of {n} items")),
        "{log}"
    );
    assert!((0..n).all(|j| model.attribute(j, "in_stock") == Some(AttrValue::Bool(true))));
    let prov = model.provenance().unwrap();
    assert_eq!(prov.get("attr_defaults"), Some("in_stock=true"));

    let catalog = "tests/fixtures/store/products.jsonl";
    let run = train_fixture(
        out,
        &[
            "--no-report",
            "--catalog",
            catalog,
            "--attr-default",
            "in_stock=7",
        ],
    );
    let log = text(&run);
    assert!(!run.status.success(), "{log}");
    assert!(log.contains("is a boolean, got a number"), "{log}");
}

/// The digest a page passes to `load(bytes, {sha256})`: `train` and `inspect` print the written
/// file's SHA-256 (checked against the file as read back) and the model id `backendReport` shows.
#[test]
fn train_and_inspect_print_the_models_sha256_and_model_id() {
    let out_path = tmp("sha.lrm");
    let out = out_path.to_str().unwrap();
    let run = train_fixture(out, &[]);
    let log = text(&run);
    assert!(run.status.success(), "{log}");
    let bytes = std::fs::read(out).unwrap();
    let digest = localrank::train::from_store::sha256_file(&out_path).unwrap();
    let crc = u32::from_le_bytes(bytes[24..28].try_into().unwrap());
    for shown in [log, text(&localrank(&["inspect", out]))] {
        assert!(shown.contains(&format!("sha256 {digest}\n")), "{shown}");
        assert!(
            shown.contains(&format!(
                "model id sha256:{} (loaded with its sha256), crc32:{crc:08x} (without)",
                &digest[..16]
            )),
            "{shown}"
        );
    }
}

#[test]
fn help_version_and_validation_come_from_clap() {
    let v = localrank(&["--version"]);
    assert!(v.status.success());
    assert_eq!(
        text(&v).trim(),
        format!("localrank {}", env!("CARGO_PKG_VERSION"))
    );
    let help = text(&localrank(&["train", "--help"]));
    for flag in [
        "--events",
        "--catalog",
        "--event-map",
        "--max-bad-rows",
        "--unknown-items",
        "--time-unit",
        "--nbr-top",
    ] {
        assert!(help.contains(flag), "{flag} missing from\n{help}");
    }
    let bad = localrank(&[
        "train",
        "--events",
        "e.csv",
        "--out",
        "x.lrm",
        "--max-bad-rows",
        "lots",
    ]);
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("--max-bad-rows takes N or P%"),
        "{}",
        text(&bad)
    );
    let both = localrank(&[
        "train", "--events", "e.csv", "--data", "d", "--out", "x.lrm",
    ]);
    assert!(!both.status.success() && text(&both).contains("cannot be used with"));
    let typo = localrank(&[
        "train",
        "--data",
        "data/scientific",
        "--out",
        "x.lrm",
        "--dims",
        "8",
    ]);
    assert!(
        text(&typo).contains("unexpected argument '--dims'"),
        "{}",
        text(&typo)
    );
    let store_flag_without_events =
        localrank(&["train", "--data", "d", "--out", "x.lrm", "--user-col", "u"]);
    assert!(!store_flag_without_events.status.success());
}

/// The MovieLens-100K genres of u.item, in file order.
const GENRES: &str = "unknown,action,adventure,animation,children,comedy,crime,documentary,drama,\
fantasy,film_noir,horror,musical,mystery,romance,sci_fi,thriller,war,western";

#[test]
fn movielens_100k_trains_with_only_column_and_format_flags() {
    // `LOCALRANK_ML100K` names another folder; `LOCALRANK_REQUIRE_ML100K=1` makes absence a
    // failure instead of a skip (as LOCALRANK_REQUIRE_GPU does for the GPU tests).
    let dir = std::env::var_os("LOCALRANK_ML100K")
        .map_or_else(|| root().join("../shared/datasets/ml-100k"), PathBuf::from);
    if !dir.join("u.data").exists() {
        let msg = format!("MovieLens-100K not found at {}", dir.display());
        assert!(
            std::env::var_os("LOCALRANK_REQUIRE_ML100K").is_none(),
            "{msg}"
        );
        eprintln!("SKIPPED movielens_100k_trains_with_only_column_and_format_flags: {msg}");
        return;
    }
    let out_path = tmp("ml100k.lrm");
    let catalog_columns = format!("item_id,title,released,video_released,imdb_url,{GENRES}");
    let (data, item) = (dir.join("u.data"), dir.join("u.item"));
    let mut args = vec![
        "train",
        "--events",
        data.to_str().unwrap(),
        "--events-format",
        "tsv",
        "--events-delimiter",
        "tab",
        "--events-columns",
        "user_id,item_id,rating,timestamp",
        "--catalog",
        item.to_str().unwrap(),
        "--catalog-format",
        "csv",
        "--catalog-delimiter",
        "|",
        "--catalog-columns",
        &catalog_columns,
        "--encoding",
        "latin-1",
        "--out",
        out_path.to_str().unwrap(),
    ];
    args.extend(QUICK);
    let run = localrank(&args);
    let log = text(&run);
    assert!(run.status.success(), "{log}");
    assert!(
        log.contains("u.data: 100000 rows, 100000 used, 0 dropped"),
        "{log}"
    );
    assert!(
        log.contains("u.item: 1682 rows, 1682 used, 0 dropped"),
        "{log}"
    );
    let model = Model::from_bytes(&std::fs::read(&out_path).unwrap()).unwrap();
    assert_eq!(model.len(), 1682);
    assert_eq!(model.keys.key(0), "1");
    assert_eq!(model.meta.get(0, "title"), "Toy Story (1995)");
    assert_eq!(
        model.attribute(0, "animation"),
        Some(AttrValue::Number(1.0))
    );
    assert!(
        model.attributes().field("video_released").is_none(),
        "an empty column is left out"
    );
    let latin1 = (0..model.len()).find(|&i| model.meta.get(i, "title").contains('é'));
    assert!(latin1.is_some(), "latin-1 titles are decoded");
}
