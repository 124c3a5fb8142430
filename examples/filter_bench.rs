//! The cost of filters and store rules on the CPU path, natively:
//! `cargo run --profile native --example filter_bench [N]` (default N = 100000, d = 64, k = 10).
//!
//! A synthetic model with the conventional typed attributes (a 3-level category path, price,
//! in_stock, tags) and a 20-event history; per case, the median and p95 of a whole query as
//! `recommend` runs it: the query built and restricted ([`Query::restrict`]: the filter resolved
//! to exclusions, the rules planned) and answered by [`cpu_top_k`]. "none" is the unfiltered
//! query, the baseline the others are compared with.

use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;

use localrank::history::{Event, EventKind, History};
use localrank::live::LiveAttributes;
use localrank::model::{AttrValues, Attribute, Attributes, Model};
use localrank::score::backend::cpu_top_k;
use localrank::score::filter::Filter;
use localrank::score::query::{Query, RecommendOptions};
use localrank::score::rules::{Boost, Pin, Rules, Target};

const D: usize = 64;
const RUNS: usize = 41;

/// The shared synthetic model (tests/common) with the conventional typed attributes.
fn model(n: usize) -> Model {
    let mut m = common::synthetic_model(n, D, 11);
    let text = |name: &str, f: &dyn Fn(usize) -> String| Attribute {
        name: name.into(),
        present: vec![true; n],
        values: AttrValues::Text(
            (0..n)
                .map(f)
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect(),
        ),
    };
    m.extra.attributes = Attributes {
        fields: vec![
            text("category", &|i| {
                format!("D{} > S{} > L{}", i % 10, i % 100, i % 1000)
            }),
            Attribute {
                name: "in_stock".into(),
                present: vec![true; n],
                values: AttrValues::Bool((0..n).map(|i| i % 3 != 0).collect()),
            },
            Attribute {
                name: "price".into(),
                present: vec![true; n],
                values: AttrValues::Number((0..n).map(|i| (i % 1000) as f64 / 10.0).collect()),
            },
            text("tags", &|i| format!("t{}|u{}", i % 20, i % 50)),
        ],
    };
    m
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let m = model(n);
    let mut history = History::new(500).unwrap_or_else(|e| panic!("{e}"));
    for t in 0..20 {
        history.push(
            Event::new(format!("item-{}", t * 977 % n), EventKind::View, t as f64)
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    let live = LiveAttributes::default();
    let cases: Vec<(&str, Filter, Rules)> = vec![
        ("none", Filter::default(), Rules::default()),
        (
            "inStock (67 % qualify)",
            Filter {
                in_stock: Some(true),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "category D1 (10 %)",
            Filter {
                category: Some("D1".into()),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "category D1 > S11 > L111 (0.1 %)",
            Filter {
                category: Some("D1 > S11 > L111".into()),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "price 10–20 + inStock (7 %)",
            Filter {
                price_min: Some(10.0),
                price_max: Some(20.0),
                in_stock: Some(true),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "tags any of 2 (10 %)",
            Filter {
                tags: Some(vec!["t3".into(), "t7".into()]),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "include 100 keys",
            Filter {
                include: Some((0..100).map(|i| format!("item-{}", i * 13)).collect()),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "rules: 2 pins, boost category D2 (10 %), bury 1 key",
            Filter::default(),
            Rules {
                pins: vec![
                    Pin {
                        key: "item-5".into(),
                        position: 0,
                    },
                    Pin {
                        key: "item-6".into(),
                        position: 3,
                    },
                ],
                boosts: vec![Boost {
                    target: Target::Category("D2".into()),
                    weight: 0.05,
                }],
                bury: vec![Target::Key("item-7".into())],
            },
        ),
    ];
    println!("| case (N = {n}, d = {D}, k = 10) | median ms | p95 ms | × none |");
    println!("|---|---|---|---|");
    let mut base = 0.0;
    for (name, filter, rules) in cases {
        let mut ms = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let mut q = Query::from_history(&m, &history, RecommendOptions::default())
                .unwrap_or_else(|e| panic!("{e}"));
            q.restrict(&m, &live, &filter, &rules)
                .unwrap_or_else(|e| panic!("{e}"));
            let top = cpu_top_k(&m.table, &q);
            ms.push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(top);
        }
        ms.sort_by(f64::total_cmp);
        let (med, p95) = (ms[RUNS / 2], ms[(RUNS * 95).div_ceil(100) - 1]);
        if base == 0.0 {
            base = med;
        }
        println!("| {name} | {med:.3} | {p95:.3} | {:.2} |", med / base);
    }
}
