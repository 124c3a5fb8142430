//! Imported factors (issue 16 point 3): `.npy` files written by numpy itself
//! (tests/fixtures/import/, scripts/make_import_fixture.py) and `safetensors` files written by the
//! `safetensors` crate read back exactly; every bad import is a clear error; a model packed from
//! the native trainer's own factors is the native model (same rows, keys, metadata, attributes,
//! fold-in) and recommends the same top-10.
#![cfg(feature = "train")]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use futures::executor::block_on;
use localrank::history::store::MemoryStore;
use localrank::history::EventKind;
use localrank::model::{AttrValue, Neighbours};
use localrank::score::backend::{Backend, Requested};
use localrank::train::als::{self, Interactions};
use localrank::train::from_store::{self, ShipOptions};
use localrank::train::import::{
    keys, npy, pack_imported, safetensors as st, Catalogue, ImportOptions, ImportedFactors,
};
use localrank::train::store::options::{StoreOptions, UnknownItems};
use localrank::train::store::{self};
use localrank::train::TrainParams;
use localrank::{Engine, Model, RecommendOptions};
use ndarray::{array, Array2};
use safetensors::tensor::TensorView;
use safetensors::Dtype;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("localrank-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// What scripts/make_import_fixture.py saved: (k − 5) / 8 for k = 0..12, 4 × 3.
fn expected() -> Array2<f32> {
    Array2::from_shape_fn((4, 3), |(i, j)| ((i * 3 + j) as f32 - 5.0) / 8.0)
}

fn err<T: std::fmt::Debug>(r: localrank::Result<T>) -> String {
    r.expect_err("must fail").to_string()
}

#[test]
fn every_numpy_float_layout_reads_back_the_same_matrix() {
    for name in ["f4", "f8", "f2", "f8_big_endian", "fortran", "v2"] {
        let m = npy::read_matrix(&fixture(&format!("import/{name}.npy"))).unwrap();
        assert_eq!(m, expected(), "{name}.npy");
    }
    let v = npy::read_vector(&fixture("import/vector.npy")).unwrap();
    assert_eq!(v.to_vec(), [3.0, 0.0, 1.0, 7.0]);
}

#[test]
fn the_npy_writer_round_trips_and_matches_numpys_bytes() {
    let x = expected();
    let mut bytes = Vec::new();
    npy::write_f32(&mut bytes, &[4, 3], x.as_slice().unwrap()).unwrap();
    assert_eq!(bytes, std::fs::read(fixture("import/f4.npy")).unwrap());
    let path = tmp("roundtrip.npy");
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(npy::read_matrix(&path).unwrap(), x);
}

#[test]
fn bad_npy_files_say_what_is_wrong() {
    let int = err(npy::read_matrix(&fixture("import/int64.npy")));
    assert!(int.contains("\"<i8\" is not a float array"), "{int}");
    let cube = err(npy::read_matrix(&fixture("import/three_d.npy")));
    assert!(
        cube.contains("expected a 2-D (items, dim) array, the shape is [2, 2, 2]"),
        "{cube}"
    );
    let flat = err(npy::read_vector(&fixture("import/f4.npy")));
    assert!(flat.contains("expected a 1-D"), "{flat}");
    let good = std::fs::read(fixture("import/f4.npy")).unwrap();
    let cut = tmp("cut.npy");
    std::fs::write(&cut, &good[..good.len() - 5]).unwrap();
    let msg = err(npy::read_matrix(&cut));
    assert!(
        msg.contains("needs 48 data bytes but the file has 43 (truncated)"),
        "{msg}"
    );
    let long = tmp("long.npy");
    std::fs::write(&long, [&good[..], &[0u8; 4]].concat()).unwrap();
    assert!(err(npy::read_matrix(&long)).contains("(trailing bytes)"));
    let text = tmp("text.npy");
    std::fs::write(&text, "item,f0\nk0,0.5\n").unwrap();
    assert!(err(npy::read_matrix(&text)).contains("not a .npy file"));
    let mut v9 = good.clone();
    v9[6] = 9;
    let v9p = tmp("v9.npy");
    std::fs::write(&v9p, v9).unwrap();
    assert!(err(npy::read_matrix(&v9p)).contains(".npy version 9.0 is not supported"));
}

fn le_bytes(dtype: Dtype, x: &Array2<f32>) -> Vec<u8> {
    x.iter()
        .flat_map(|&v| match dtype {
            Dtype::F64 => f64::from(v).to_le_bytes().to_vec(),
            Dtype::F16 => half::f16::from_f32(v).to_le_bytes().to_vec(),
            Dtype::BF16 => half::bf16::from_f32(v).to_le_bytes().to_vec(),
            Dtype::I32 => (v as i32).to_le_bytes().to_vec(),
            _ => v.to_le_bytes().to_vec(),
        })
        .collect()
}

/// A safetensors file written by the `safetensors` crate with `tensors` (name, dtype, shape).
fn safetensors_file(name: &str, tensors: &[(&str, Dtype, Vec<usize>)]) -> PathBuf {
    let x = expected();
    let data: Vec<(String, Vec<u8>, Dtype, Vec<usize>)> = tensors
        .iter()
        .map(|(n, d, s)| {
            let count: usize = s.iter().product();
            let flat = Array2::from_shape_fn((1, count), |(_, k)| x.as_slice().unwrap()[k % 12]);
            ((*n).to_owned(), le_bytes(*d, &flat), *d, s.clone())
        })
        .collect();
    let views: Vec<(String, TensorView<'_>)> = data
        .iter()
        .map(|(n, b, d, s)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    let bytes = safetensors::serialize(views, None).unwrap();
    let path = tmp(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn safetensors_floats_of_every_width_read_back() {
    for dtype in [Dtype::F32, Dtype::F64, Dtype::F16, Dtype::BF16] {
        let path = safetensors_file(
            &format!("{dtype:?}.safetensors"),
            &[
                ("item_factors", dtype, vec![4, 3]),
                ("bias", dtype, vec![4]),
            ],
        );
        assert_eq!(
            st::read_matrix(&path, None).unwrap(),
            expected(),
            "{dtype:?}"
        );
        assert_eq!(
            st::read_matrix(&path, Some("item_factors")).unwrap(),
            expected()
        );
    }
}

#[test]
fn bad_safetensors_imports_name_the_tensors_there_are() {
    let two = safetensors_file(
        "two.safetensors",
        &[
            ("user_factors", Dtype::F32, vec![2, 3]),
            ("item_factors", Dtype::F32, vec![4, 3]),
        ],
    );
    let msg = err(st::read_matrix(&two, None));
    assert!(msg.contains("2 2-D tensors, name one with --tensor: item_factors F32 [4, 3], user_factors F32 [2, 3]"), "{msg}");
    assert_eq!(
        st::read_matrix(&two, Some("item_factors")).unwrap(),
        expected()
    );
    let msg = err(st::read_matrix(&two, Some("items")));
    assert!(
        msg.contains("no tensor \"items\"; the file has: item_factors"),
        "{msg}"
    );
    let ints = safetensors_file("ints.safetensors", &[("f", Dtype::I32, vec![4, 3])]);
    assert!(
        err(st::read_matrix(&ints, None)).contains("is I32; factors must be F32, F64, F16 or BF16")
    );
    let flat = safetensors_file("flat.safetensors", &[("f", Dtype::F32, vec![12])]);
    assert!(err(st::read_matrix(&flat, None)).contains("no 2-D tensor; the file has: f F32 [12]"));
    let junk = tmp("junk.safetensors");
    std::fs::write(&junk, b"\xff\xff\xff\xff\xff\xff\xff\x7fnot json").unwrap();
    assert!(err(st::read_matrix(&junk, None)).contains("not a valid safetensors file"));
}

#[test]
fn keys_files_are_lines_or_a_json_array() {
    let lines = tmp("keys.txt");
    std::fs::write(&lines, "a\r\n b \nc").unwrap();
    assert_eq!(keys::read(&lines).unwrap(), ["a", "b", "c"]);
    let json = tmp("keys.json");
    std::fs::write(&json, r#"["a", "b", "c"]"#).unwrap();
    assert_eq!(keys::read(&json).unwrap(), ["a", "b", "c"]);
    std::fs::write(&lines, "a\n\nc\n").unwrap();
    assert!(err(keys::read(&lines)).contains("line 2 is empty (one key per line)"));
    std::fs::write(&lines, b"a\nb\xff\n").unwrap();
    assert!(err(keys::read(&lines)).contains("line 2 is not valid UTF-8"));
    std::fs::write(&json, r#"{"keys": ["a"]}"#).unwrap();
    assert!(err(keys::read(&json)).contains("not a JSON array of strings"));
}

fn factors(keys: &[&str], m: Array2<f32>) -> ImportedFactors {
    ImportedFactors {
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        factors: m,
        popularity: None,
    }
}

#[test]
fn invalid_imports_are_refused_with_the_offenders_named() {
    let ok = factors(&["a", "b"], array![[1.0, 0.0], [0.0, 1.0]]);
    assert!(ok.validate().is_ok());
    let dup = factors(&["a", "b", "a"], Array2::zeros((3, 2)));
    assert!(err(dup.validate()).contains("1 duplicate keys, e.g. \"a\" (rows 0 and 2)"));
    let nan = factors(&["a", "b"], array![[1.0, 0.0], [0.0, f32::NAN]]);
    assert!(err(nan.validate())
        .contains("1 factor values are NaN or infinite, the first NaN at row 1 (\"b\"), column 1"));
    let inf = factors(&["a", "b"], array![[f32::INFINITY, 0.0], [0.0, 1.0]]);
    assert!(err(inf.validate()).contains("the first inf at row 0"));
    let rows = factors(&["a", "b", "c"], Array2::zeros((2, 2)));
    assert!(err(rows.validate()).contains("the factor matrix has 2 rows but there are 3 keys"));
    assert!(err(factors(&[], Array2::zeros((0, 2))).validate()).contains("empty"));
    assert!(err(factors(&["a"], Array2::zeros((1, 0))).validate())
        .contains("dimension 0 is outside 1..=1024"));
    assert!(err(factors(&["a", " "], Array2::zeros((2, 1))).validate()).contains("key #1 is empty"));
    let mut pop = ok.clone();
    pop.popularity = Some(vec![1.0]);
    assert!(err(pop.validate()).contains("1 popularity values for 2 items"));
    pop.popularity = Some(vec![1.0, -2.0]);
    assert!(err(pop.validate()).contains("popularity of \"b\" (row 1) is -2"));
}

/// The catalogue at `path`, keys in column `key_col`, other columns by their default names.
fn small_catalogue() -> Catalogue {
    common::read_catalogue(fixture("import/catalog.csv"), "item_id").unwrap()
}

#[test]
fn packing_joins_the_catalogue_in_its_order_with_typed_attributes() {
    let x = expected();
    // Rows in another order than the catalogue, one catalogue item (k1) without factors, one
    // key the catalogue lacks.
    let f = factors(&["k3", "k0", "new", "k2"], x.clone());
    let packed = pack_imported(&f, &small_catalogue(), None, &ImportOptions::default()).unwrap();
    let m = &packed.model;
    let keys: Vec<&str> = m.keys.iter().collect();
    assert_eq!(keys, ["k0", "k2", "k3", "new"]);
    assert_eq!(m.meta.get(0, "title"), "Zero");
    assert_eq!(m.meta.get(0, "category"), "Saws");
    assert_eq!(
        m.meta.get(3, "title"),
        "new",
        "an unknown key is its own title"
    );
    assert_eq!(m.attribute(1, "price"), Some(AttrValue::Number(3.25)));
    assert_eq!(m.attribute(3, "price"), None);
    assert_eq!(packed.summary.catalogue_without_factors, 1);
    assert_eq!(packed.summary.unknown_kept, ["new"]);
    // Row k0 of the model is the import's row 1, quantised.
    let y = m.table.dequantised_row(0);
    for (a, b) in y.iter().zip(x.row(1)) {
        assert!((a - b).abs() <= 0.5 / 127.0, "{a} vs {b}");
    }
    let refuse = ImportOptions {
        unknown_items: UnknownItems::Refuse,
        ..ImportOptions::default()
    };
    let msg = err(pack_imported(&f, &small_catalogue(), None, &refuse));
    assert!(
        msg.contains(
            "1 of 4 imported keys are not in the catalogue, e.g. \"new\" (--unknown-items refuse"
        ),
        "{msg}"
    );
    let none = factors(&["1", "2", "3", "4"], x);
    let msg = err(pack_imported(
        &none,
        &small_catalogue(),
        None,
        &ImportOptions::default(),
    ));
    assert!(msg.contains("none of the 4 imported keys is in the catalogue (imported \"1\", \"2\", \"3\"; catalogue \"k0\", \"k1\", \"k2\")"), "{msg}");
}

#[test]
fn neighbour_lists_follow_their_items_into_the_models_order() {
    let f = factors(
        &["k3", "k0", "k2"],
        expected().slice(ndarray::s![..3, ..]).to_owned(),
    );
    // Import rows: k3 → k0, k0 → k2 and k3.
    let nb = Neighbours::new(
        vec![255],
        1.0,
        &[vec![(1, 9)], vec![(2, 5), (0, 4)], vec![]],
    )
    .unwrap();
    let packed =
        pack_imported(&f, &small_catalogue(), Some(&nb), &ImportOptions::default()).unwrap();
    let got = packed.model.extra.neighbours.unwrap();
    // Model rows: k0 = 0, k2 = 1, k3 = 2.
    assert_eq!(got.of(0), (&[1u32, 2][..], &[5u8, 4][..]));
    assert_eq!(got.of(1), (&[][..], &[][..]));
    assert_eq!(got.of(2), (&[0u32][..], &[9u8][..]));
}

fn top10(model: Model, history: &[&str]) -> Vec<String> {
    let backend = Backend::cpu(Requested::Cpu, "tests");
    let e = block_on(Engine::open(model, backend, MemoryStore::default(), 100)).unwrap();
    for (t, key) in history.iter().enumerate() {
        block_on(e.record(key, EventKind::View, t as f64)).unwrap();
    }
    block_on(e.recommend(RecommendOptions {
        k: 10,
        ..RecommendOptions::default()
    }))
    .unwrap()
    .into_iter()
    .map(|r| r.key)
    .collect()
}

#[test]
fn the_native_trainers_own_factors_pack_into_the_native_model() {
    let dir = fixture("store");
    let mut opts = StoreOptions::new(dir.join("events.csv"), Some(dir.join("products.csv")));
    opts.event_map = "view=view,addtocart=cart,transaction=purchase"
        .parse()
        .unwrap();
    let data = store::load(&opts, &mut |_, _, _| {}).unwrap();
    let params = TrainParams {
        dim: 16,
        iterations: 4,
        ..TrainParams::default()
    };
    for rows4 in [false, true] {
        let ship = ShipOptions {
            rows4,
            neighbours: None,
            // The imported factors are the ALS output before any placement.
            cold: localrank::train::cold::ColdOptions {
                placement: localrank::train::cold::Placement::None,
                ..Default::default()
            },
            within_sessions: false,
        };
        let native = from_store::train_store(&data, &params, &ship, &mut |_| {}).unwrap();
        // The same ALS run, its item factors exported as numpy would save them.
        let inter = Interactions::from_events(data.kind_sequences(), data.items(), &params);
        let trained = als::train(&inter, &params, &mut |_| {}).unwrap();
        let f32s = trained.items.mapv(|v| v as f32);
        let npy_path = tmp(&format!("native{rows4}.npy"));
        let mut bytes = Vec::new();
        npy::write_f32(
            &mut bytes,
            &[f32s.nrows(), f32s.ncols()],
            f32s.as_slice().unwrap(),
        )
        .unwrap();
        std::fs::write(&npy_path, bytes).unwrap();
        let imported = ImportedFactors {
            keys: data.keys.clone(),
            factors: npy::read_matrix(&npy_path).unwrap(),
            popularity: Some(inter.counts().iter().map(|&c| f64::from(c)).collect()),
        };
        let catalogue =
            common::read_catalogue(opts.catalog.as_ref().unwrap().path(), "item_id").unwrap();
        let import_opts = ImportOptions {
            params,
            rows4,
            unknown_items: UnknownItems::Keep,
        };
        let packed = pack_imported(&imported, &catalogue, None, &import_opts).unwrap();
        let m = packed.model;
        assert_eq!(m.keys, native.keys);
        assert_eq!(
            m.table, native.table,
            "rows, scales and bias (rows4 {rows4})"
        );
        assert_eq!(m.fold, native.fold);
        assert_eq!(m.meta, native.meta);
        assert_eq!(m.extra.attributes, native.extra.attributes);
        assert_eq!(
            m.to_bytes(),
            native.to_bytes(),
            "the whole file (no PROV in either)"
        );
        let mut users: HashMap<usize, Vec<&str>> = HashMap::new();
        for (u, seq) in data.sequences.iter().enumerate().take(20) {
            users.insert(
                u,
                seq.iter()
                    .map(|e| data.keys[e.item as usize].as_str())
                    .collect(),
            );
        }
        users.insert(usize::MAX, vec![]);
        for history in users.values() {
            assert_eq!(top10(m.clone(), history), top10(native.clone(), history));
        }
    }
}

/// docs/SCALE.md's bytes-per-item formulas, checked on a packed file large enough for `NBRS`'s
/// u32 targets (N > 65,536): every section is exactly what docs/FORMAT.md says.
#[test]
fn section_sizes_follow_the_format_formulas_docs_scale_uses() {
    let n = 70_000;
    let (d, k) = (6, 3);
    let keys: Vec<String> = (0..n).map(|i| format!("item-{i:07}")).collect(); // 12 bytes
    let catalog = tmp("scale_catalog.csv");
    std::fs::write(&catalog, format!("item_id\n{}\n", keys.join("\n"))).unwrap();
    let catalogue = common::read_catalogue(&catalog, "item_id").unwrap();
    let f = ImportedFactors {
        keys,
        factors: Array2::from_shape_fn((n, d), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 5.0),
        popularity: None,
    };
    let lists: Vec<Vec<(u32, u8)>> = (0..n)
        .map(|i| (1..=k).map(|s| (((i + s) % n) as u32, 9)).collect())
        .collect();
    let nb = Neighbours::new(vec![255, 128], 1.0, &lists).unwrap();
    for rows4 in [false, true] {
        let opts = ImportOptions {
            rows4,
            ..ImportOptions::default()
        };
        let model = pack_imported(&f, &catalogue, Some(&nb), &opts)
            .unwrap()
            .model;
        let bytes = model.to_bytes();
        let sizes: HashMap<String, usize> = localrank::model::container::parse(&bytes)
            .unwrap()
            .iter()
            .map(|s| (s.id_str(), s.bytes.len()))
            .collect();
        let rows = if rows4 {
            ("QI4R", n * (4 + d.div_ceil(2)))
        } else {
            ("QI8R", n * (4 + d))
        };
        assert_eq!(sizes[rows.0], rows.1);
        assert_eq!(sizes["BIAS"], 4 * n);
        assert_eq!(sizes["KEYS"], 4 + 4 * (n + 1) + 12 * n);
        assert_eq!(sizes["FOLD"], 16 + 4 * 3 + 4 * d * d);
        assert_eq!(sizes["NBRS"], 4 + 2 + 4 + n + n * k * (4 + 1));
        // META: titles are the keys, category and brand empty.
        let fields = 4 + 4 * 4 + "titlecategorybrand".len();
        assert_eq!(sizes["META"], fields + 4 + 4 * (3 * n + 1) + 12 * n);
    }
}

#[test]
fn a_catalogue_without_the_key_column_is_refused_naming_its_columns() {
    let msg = err(common::read_catalogue(fixture("import/catalog.csv"), "sku"));
    assert!(msg.contains("sku") && msg.contains("item_id"), "{msg}");
}
