//! Filters, live attribute values and merchandising rules, natively: every filter kind against a
//! brute-force reference over the CPU's full score array, k results whenever k items qualify,
//! typed errors for unknown attributes and wrong types, live values seen by filters and rules,
//! and (with a GPU) identical ids from both backends.

mod common;

use futures::executor::block_on;
use localrank::history::store::MemoryStore;
use localrank::history::EventKind;
use localrank::live::OwnedValue;
use localrank::model::{AttrValues, Attribute, Attributes, Model};
use localrank::rank::Ranked;
use localrank::score::backend::{Backend, Requested};
use localrank::score::filter::Filter;
use localrank::score::query::Query;
use localrank::score::rules::{Boost, Pin, Rules, Target};
use localrank::{Engine, Error, RecommendOptions};

const N: usize = 600;

fn category(i: usize) -> String {
    format!("Dept{} > Sub{}", i % 3, i % 5)
}

/// The synthetic model with typed attributes: a category path, a price (absent for every 17th
/// item), `in_stock` (every third item out), tags and a brand.
fn model() -> Model {
    let mut m = common::synthetic_model(N, 8, 7);
    let text = |name: &str, v: Vec<String>| Attribute {
        name: name.into(),
        present: vec![true; N],
        values: AttrValues::Text(v.iter().map(String::as_str).collect()),
    };
    m.extra.attributes = Attributes {
        fields: vec![
            text("brand", (0..N).map(|i| format!("B{}", i % 6)).collect()),
            text("category", (0..N).map(category).collect()),
            Attribute {
                name: "in_stock".into(),
                present: vec![true; N],
                values: AttrValues::Bool((0..N).map(|i| i % 3 != 0).collect()),
            },
            Attribute {
                name: "price".into(),
                present: (0..N).map(|i| i % 17 != 0).collect(),
                values: AttrValues::Number((0..N).map(|i| (i % 50) as f64 + 0.5).collect()),
            },
            text(
                "tags",
                (0..N)
                    .map(|i| format!("t{}|t{}", i % 4, 4 + i % 7))
                    .collect(),
            ),
        ],
    };
    m
}

fn engine_with(m: &Model, backend: Backend) -> Engine<MemoryStore> {
    let e = block_on(Engine::open(
        m.clone(),
        backend,
        MemoryStore::default(),
        500,
    ))
    .unwrap();
    for (t, i) in [3, 17, 250, 17, 41].into_iter().enumerate() {
        block_on(e.record(&format!("item-{i}"), EventKind::View, t as f64)).unwrap();
    }
    e
}

fn engine(m: &Model) -> Engine<MemoryStore> {
    engine_with(m, Backend::cpu(Requested::Cpu, "reference"))
}

fn opts(k: usize) -> RecommendOptions {
    RecommendOptions {
        k,
        exclude_seen: true,
        ..RecommendOptions::default()
    }
}

fn ask(e: &Engine<MemoryStore>, k: usize, f: &Filter) -> localrank::Result<Vec<Ranked>> {
    block_on(e.recommend_filtered(opts(k), f))
}

fn rows(r: &[Ranked]) -> Vec<u32> {
    r.iter().map(|x| x.index).collect()
}

/// The reference: every score by `Query::scores`, the seen items and those failing `pass` left
/// out, best first (higher score, then lower row).
fn reference(e: &Engine<MemoryStore>, k: usize, pass: impl Fn(usize) -> bool) -> Vec<u32> {
    let m = e.model();
    let q = Query::from_history(m, &e.history(), opts(k)).unwrap();
    let scores = q.scores(&m.table);
    let mut all: Vec<u32> = (0..N as u32)
        .filter(|&i| !q.is_excluded(i) && pass(i as usize))
        .collect();
    all.sort_by(|&a, &b| {
        scores[b as usize]
            .total_cmp(&scores[a as usize])
            .then(a.cmp(&b))
    });
    all.truncate(k);
    all
}

/// Which rows a case's filter must let through.
type Predicate = Box<dyn Fn(usize) -> bool>;

fn keys(list: &[usize]) -> Vec<String> {
    list.iter().map(|i| format!("item-{i}")).collect()
}

#[test]
fn each_filter_kind_returns_the_best_qualifying_items() {
    let m = model();
    let e = engine(&m);
    let price = |i: usize| (i % 17 != 0).then_some((i % 50) as f64 + 0.5);
    let cases: Vec<(Filter, Predicate)> = vec![
        (
            Filter {
                category: Some("Dept1".into()),
                ..Default::default()
            },
            Box::new(|i| i % 3 == 1),
        ),
        (
            Filter {
                category: Some("Dept1 > Sub2".into()),
                ..Default::default()
            },
            Box::new(|i| i % 3 == 1 && i % 5 == 2),
        ),
        (
            Filter {
                price_min: Some(10.0),
                price_max: Some(20.5),
                ..Default::default()
            },
            Box::new(move |i| price(i).is_some_and(|p| (10.0..=20.5).contains(&p))),
        ),
        (
            Filter {
                price_max: Some(5.0),
                ..Default::default()
            },
            Box::new(move |i| price(i).is_some_and(|p| p <= 5.0)),
        ),
        (
            Filter {
                in_stock: Some(true),
                ..Default::default()
            },
            Box::new(|i| i % 3 != 0),
        ),
        (
            Filter {
                in_stock: Some(false),
                ..Default::default()
            },
            Box::new(|i| i % 3 == 0),
        ),
        (
            Filter {
                tags: Some(vec!["t2".into(), "t9".into()]),
                ..Default::default()
            },
            Box::new(|i| i % 4 == 2 || 4 + i % 7 == 9),
        ),
        (
            Filter {
                include: Some(keys(&[5, 6, 7, 3, 9999])),
                ..Default::default()
            },
            Box::new(|i| [5, 6, 7].contains(&i)),
        ),
        (
            Filter {
                exclude: keys(&[0, 1, 2]),
                ..Default::default()
            },
            Box::new(|i| i > 2),
        ),
        (
            Filter {
                where_: vec![(
                    "brand".into(),
                    vec![OwnedValue::Text("B2".into()), OwnedValue::Text("B4".into())],
                )],
                ..Default::default()
            },
            Box::new(|i| i % 6 == 2 || i % 6 == 4),
        ),
        (
            Filter {
                where_: vec![("price".into(), vec![OwnedValue::Number(3.5)])],
                in_stock: Some(true),
                ..Default::default()
            },
            Box::new(move |i| price(i) == Some(3.5) && i % 3 != 0),
        ),
    ];
    for (f, pass) in cases {
        let got = ask(&e, 10, &f).unwrap();
        assert_eq!(rows(&got), reference(&e, 10, &pass), "{f:?}");
    }
}

#[test]
fn k_items_come_back_whenever_k_qualify() {
    let m = model();
    let e = engine(&m);
    // 40 qualify (Dept1 > Sub2 is 1 row in 15); every one of them when k is 40 or more.
    let f = Filter {
        category: Some("Dept1 > Sub2".into()),
        ..Default::default()
    };
    let qualifying = (0..N).filter(|i| i % 15 == 7).count();
    assert_eq!(ask(&e, 25, &f).unwrap().len(), 25);
    assert_eq!(ask(&e, 100, &f).unwrap().len(), qualifying);
    // In stock and a narrow price band: still k when k qualify.
    let f = Filter {
        in_stock: Some(true),
        price_min: Some(49.0),
        ..Default::default()
    };
    let got = ask(&e, 5, &f).unwrap();
    assert_eq!(got.len(), 5);
    assert!(got.iter().all(|r| r.index % 50 == 49 && r.index % 3 != 0));
}

#[test]
fn a_category_prefix_matches_whole_path_parts_only() {
    let m = model();
    let e = engine(&m);
    let f = Filter {
        category: Some("Dept".into()),
        ..Default::default()
    };
    assert!(ask(&e, 10, &f).unwrap().is_empty());
    let f = Filter {
        category: Some(" Dept2 >Sub4 ".into()),
        ..Default::default()
    };
    assert_eq!(
        rows(&ask(&e, 10, &f).unwrap()),
        reference(&e, 10, |i| i % 3 == 2 && i % 5 == 4)
    );
}

fn invalid(r: localrank::Result<Vec<Ranked>>, needle: &str) {
    match r {
        Err(Error::InvalidArgument(msg)) => assert!(msg.contains(needle), "{msg}"),
        other => panic!("expected InvalidArgument containing {needle:?}, got {other:?}"),
    }
}

#[test]
fn unknown_attributes_and_wrong_types_are_invalid_arguments() {
    let m = model();
    let e = engine(&m);
    let w = |name: &str, v: OwnedValue| Filter {
        where_: vec![(name.into(), vec![v])],
        ..Default::default()
    };
    invalid(
        ask(&e, 5, &w("colour", OwnedValue::Text("red".into()))),
        "unknown attribute \"colour\"",
    );
    invalid(
        ask(&e, 5, &w("price", OwnedValue::Text("3.5".into()))),
        "is a number, got a string",
    );
    invalid(
        ask(&e, 5, &w("in_stock", OwnedValue::Number(1.0))),
        "is a boolean, got a number",
    );
    invalid(
        ask(&e, 5, &w("price", OwnedValue::Number(f64::NAN))),
        "finite",
    );
    let empty = Filter {
        where_: vec![("brand".into(), vec![])],
        ..Default::default()
    };
    invalid(ask(&e, 5, &empty), "at least one value");
    let crossed = Filter {
        price_min: Some(9.0),
        price_max: Some(3.0),
        ..Default::default()
    };
    invalid(ask(&e, 5, &crossed), "above");
    invalid(
        ask(
            &e,
            5,
            &Filter {
                price_min: Some(f64::INFINITY),
                ..Default::default()
            },
        ),
        "finite",
    );
    invalid(
        ask(
            &e,
            5,
            &Filter {
                category: Some("A >".into()),
                ..Default::default()
            },
        ),
        "category path",
    );
    // A model without the conventional attribute says which one it lacks.
    let mut bare = model();
    bare.extra
        .attributes
        .fields
        .retain(|f| f.name != "in_stock");
    let b = engine(&bare);
    invalid(
        ask(
            &b,
            5,
            &Filter {
                in_stock: Some(true),
                ..Default::default()
            },
        ),
        "\"in_stock\"",
    );
}

#[test]
fn live_values_are_what_filters_see() {
    let m = model();
    let e = engine(&m);
    let in_stock = Filter {
        in_stock: Some(true),
        ..Default::default()
    };
    let before = ask(&e, 10, &in_stock).unwrap();
    let top = before[0].index as usize;
    e.set_attributes(
        &format!("item-{top}"),
        &[("in_stock".into(), Some(OwnedValue::Bool(false)))],
    )
    .unwrap();
    let after = ask(&e, 10, &in_stock).unwrap();
    assert!(!rows(&after).contains(&(top as u32)));
    assert_eq!(rows(&after), reference(&e, 10, |i| i % 3 != 0 && i != top));
    // An out-of-stock item put back in stock and given a price now qualifies for both.
    e.set_attributes(
        "item-51",
        &[
            ("in_stock".into(), Some(OwnedValue::Bool(true))),
            ("price".into(), Some(OwnedValue::Number(999.0))),
        ],
    )
    .unwrap();
    let f = Filter {
        in_stock: Some(true),
        price_min: Some(500.0),
        ..Default::default()
    };
    assert_eq!(rows(&ask(&e, 10, &f).unwrap()), [51]);
    // `None` makes the value absent: no longer in a price range.
    e.set_attributes("item-51", &[("price".into(), None)])
        .unwrap();
    assert!(ask(&e, 10, &f).unwrap().is_empty());
    e.clear_attribute_overrides();
    assert_eq!(ask(&e, 10, &in_stock).unwrap(), before);
}

#[test]
fn bad_live_values_change_nothing() {
    let m = model();
    let e = engine(&m);
    let set = |key: &str, name: &str, v: OwnedValue| {
        e.set_attributes(
            key,
            &[
                ("in_stock".into(), Some(OwnedValue::Bool(false))),
                (name.into(), Some(v)),
            ],
        )
    };
    let msg = |r: localrank::Result<()>| match r {
        Err(Error::InvalidArgument(m)) => m,
        other => panic!("{other:?}"),
    };
    assert!(msg(set("nope", "price", OwnedValue::Number(1.0))).contains("unknown item key"));
    assert!(msg(set("item-1", "colour", OwnedValue::Number(1.0))).contains("unknown attribute"));
    assert!(
        msg(set("item-1", "price", OwnedValue::Bool(true))).contains("is a number, got a boolean")
    );
    assert!(msg(set("item-1", "price", OwnedValue::Number(f64::INFINITY))).contains("finite"));
    assert!(msg(set("item-1", "category", OwnedValue::Text("X".into()))).contains("display field"));
    assert!(
        e.live().is_empty(),
        "a refused call set nothing, not even its valid values"
    );
}

fn rules_engine(rules: Rules) -> Engine<MemoryStore> {
    let e = engine(&model());
    e.set_rules(rules).unwrap();
    e
}

/// item-10 pinned at position 2, item-11 at 50 (past any list here: it goes last).
fn two_pins() -> Engine<MemoryStore> {
    rules_engine(Rules {
        pins: vec![
            Pin {
                key: "item-10".into(),
                position: 2,
            },
            Pin {
                key: "item-11".into(),
                position: 50,
            },
        ],
        ..Default::default()
    })
}

#[test]
fn a_pin_shows_the_item_at_its_position_if_it_passes_the_filter() {
    let e = two_pins();
    let got = rows(&ask(&e, 6, &Filter::default()).unwrap());
    let plain = reference(&e, 6, |i| i != 10 && i != 11);
    assert_eq!(got, [plain[0], plain[1], 10, plain[2], plain[3], 11]);
    // item-10 is out of stock (10 % 3 ≠ 0 → in stock; item-12 is out): filtered pins vanish.
    e.set_rules(Rules {
        pins: vec![Pin {
            key: "item-12".into(),
            position: 0,
        }],
        ..Default::default()
    })
    .unwrap();
    let f = Filter {
        in_stock: Some(true),
        ..Default::default()
    };
    assert_eq!(
        rows(&ask(&e, 6, &f).unwrap()),
        reference(&e, 6, |i| i % 3 != 0)
    );
}

#[test]
fn boosts_add_their_weight_to_the_score() {
    let e = rules_engine(Rules {
        boosts: vec![
            Boost {
                target: Target::Category("Dept2".into()),
                weight: 0.05,
            },
            Boost {
                target: Target::Key("item-100".into()),
                weight: 10.0,
            },
            Boost {
                target: Target::Key("item-7".into()),
                weight: -10.0,
            },
        ],
        ..Default::default()
    });
    let m = e.model();
    let q = Query::from_history(m, &e.history(), opts(10)).unwrap();
    let mut scores = q.scores(&m.table);
    for (i, s) in scores.iter_mut().enumerate() {
        *s += if i % 3 == 2 { 0.05 } else { 0.0 };
        *s += match i {
            100 => 10.0,
            7 => -10.0,
            _ => 0.0,
        };
    }
    let mut want: Vec<u32> = (0..N as u32).filter(|&i| !q.is_excluded(i)).collect();
    want.sort_by(|&a, &b| {
        scores[b as usize]
            .total_cmp(&scores[a as usize])
            .then(a.cmp(&b))
    });
    want.truncate(10);
    let got = ask(&e, 10, &Filter::default()).unwrap();
    assert_eq!(got[0].index, 100);
    assert_eq!(rows(&got), want);
    assert!(got
        .iter()
        .all(|r| (r.score - scores[r.index as usize]).abs() < 1e-5));
}

#[test]
fn buried_items_come_after_every_other_item() {
    let e = rules_engine(Rules {
        bury: vec![
            Target::Category("Dept0".into()),
            Target::Key("item-5".into()),
        ],
        ..Default::default()
    });
    let got = rows(&ask(&e, 10, &Filter::default()).unwrap());
    assert_eq!(got, reference(&e, 10, |i| i % 3 != 0 && i != 5));
    // Only buried items qualify: they fill the list, best first.
    let f = Filter {
        category: Some("Dept0 > Sub1".into()),
        ..Default::default()
    };
    assert_eq!(
        rows(&ask(&e, 4, &f).unwrap()),
        reference(&e, 4, |i| i % 15 == 6)
    );
    // Fewer others than k: the others first, then the buried.
    let f = Filter {
        include: Some(keys(&[5, 6, 7, 8])),
        ..Default::default()
    };
    let got = rows(&ask(&e, 4, &f).unwrap());
    let mut others = reference(&e, 4, |i| [7, 8].contains(&i));
    others.extend(reference(&e, 4, |i| [5, 6].contains(&i)));
    assert_eq!(got, others);
}

#[test]
fn bad_rules_are_refused_and_the_old_ones_stay() {
    let e = rules_engine(Rules {
        bury: vec![Target::Key("item-1".into())],
        ..Default::default()
    });
    let bad = [
        Rules {
            pins: vec![Pin {
                key: "nope".into(),
                position: 0,
            }],
            ..Default::default()
        },
        Rules {
            pins: vec![Pin {
                key: "item-1".into(),
                position: 10_000,
            }],
            ..Default::default()
        },
        Rules {
            pins: vec![
                Pin {
                    key: "item-1".into(),
                    position: 0,
                },
                Pin {
                    key: "item-1".into(),
                    position: 3,
                },
            ],
            ..Default::default()
        },
        Rules {
            boosts: vec![Boost {
                target: Target::Key("item-1".into()),
                weight: f32::NAN,
            }],
            ..Default::default()
        },
        Rules {
            bury: vec![Target::Category(" > ".into())],
            ..Default::default()
        },
    ];
    for r in bad {
        assert!(
            matches!(e.set_rules(r.clone()), Err(Error::InvalidArgument(_))),
            "{r:?}"
        );
    }
    assert_eq!(e.rules().bury, [Target::Key("item-1".into())]);
}

/// Filters and rules through both backends: identical ids (tolerance as tests/gpu.rs states,
/// never needed here: the scores are well apart).
#[cfg(feature = "gpu")]
#[test]
fn the_gpu_returns_the_cpus_ids_under_filters_and_rules() {
    use localrank::score::gpu::GpuScorer;
    let m = model();
    let gpu = match block_on(GpuScorer::new(&m.table, Default::default())) {
        Ok(g) => Backend::with_gpu(Requested::Gpu, g),
        Err(e) if std::env::var_os("LOCALRANK_REQUIRE_GPU").is_none() => {
            eprintln!("SKIPPED (no GPU): {e}");
            return;
        }
        Err(e) => panic!("LOCALRANK_REQUIRE_GPU is set but no GPU: {e}"),
    };
    let (g, c) = (engine_with(&m, gpu), engine(&m));
    assert_eq!(g.backend().name(), "webgpu");
    let rules = Rules {
        pins: vec![Pin {
            key: "item-30".into(),
            position: 1,
        }],
        boosts: vec![Boost {
            target: Target::Category("Dept1".into()),
            weight: 0.05,
        }],
        bury: vec![Target::Key("item-2".into())],
    };
    for e in [&g, &c] {
        e.set_rules(rules.clone()).unwrap();
        e.set_attributes(
            "item-4",
            &[("in_stock".into(), Some(OwnedValue::Bool(false)))],
        )
        .unwrap();
    }
    let filters = [
        Filter::default(),
        Filter {
            in_stock: Some(true),
            ..Default::default()
        },
        Filter {
            category: Some("Dept1 > Sub3".into()),
            price_max: Some(30.0),
            ..Default::default()
        },
        Filter {
            tags: Some(vec!["t1".into()]),
            exclude: keys(&[1, 5, 9]),
            ..Default::default()
        },
    ];
    for f in &filters {
        for k in [1, 10, 64] {
            assert_eq!(
                rows(&ask(&g, k, f).unwrap()),
                rows(&ask(&c, k, f).unwrap()),
                "{f:?} k={k}"
            );
        }
    }
}

#[test]
fn pins_keep_their_positions_when_the_list_is_re_ranked() {
    // The re-ranking over-fetches a pool; a pin is a position in the list the caller sees, so
    // it is placed after the pool is re-ranked (a pool-level pin at 50 would fall off a list of 6).
    let e = two_pins();
    let mut opts = opts(6);
    opts.rerank.diversity = 0.5;
    let got = rows(&block_on(e.recommend_filtered(opts, &Filter::default())).unwrap());
    assert_eq!(got.len(), 6);
    assert_eq!((got[2], got[5]), (10, 11), "{got:?}");
    assert_eq!(got.iter().filter(|&&r| r == 10 || r == 11).count(), 2);
}
