//! The cost of filters and store rules on the CPU path, natively:
//! `cargo run --profile native --example filter_bench [N] [CASE]` (default N = 100000, d = 64,
//! k = 10; CASE: only the cases whose name contains it, besides the baseline).
//!
//! A synthetic model with the synthetic store's typed attributes (tests/common/store_attributes.rs:
//! a 3-level category path, price, in_stock, tags — the same rows bench/e2e.mjs filters in the
//! wasm package) and a 500-event history. Per case, the median and p95 of one request as the
//! engine's `recommend_filtered` runs it on the CPU backend, result objects aside: the query
//! built from the fold-in state (kept across calls, as the engine keeps it), restricted
//! ([`Query::restrict`]: the filter resolved to exclusions, the rules planned), answered by
//! [`cpu_top_k`] and re-ranked ([`rank_now`]: the default de-duplicates by title, over-fetching a
//! pool). Cases run round-robin (a burst of each in turn, several rounds) so that load on a shared
//! machine falls on all alike. "plain" (`dedupe` off) is the baseline the others are compared
//! with; "default" is the call without options.

use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;

use localrank::history::{Event, EventKind, History};
use localrank::live::LiveAttributes;
use localrank::model::Model;
use localrank::rank::diversity::{rank_now, Dedupe, Rerank};
use localrank::score::backend::cpu_top_k;
use localrank::score::filter::Filter;
use localrank::score::fold::{known_rows, FoldState};
use localrank::score::query::{Query, RecommendOptions};
use localrank::score::rules::{Boost, Pin, Rules, Target};

const D: usize = 64;
const ROUNDS: usize = 5;
const PER_ROUND: usize = 9;

/// The shared synthetic model (tests/common) with the synthetic store's typed attributes.
fn model(n: usize) -> Model {
    let mut m = common::synthetic_model(n, D, 11);
    m.extra.attributes = common::store_attributes::store_attributes(n);
    m
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    // Optional: only the cases whose name contains this (the baseline always runs).
    let only = std::env::args().nth(2).unwrap_or_default();
    let m = model(n);
    let mut history = History::new(500).unwrap_or_else(|e| panic!("{e}"));
    for t in 0..500 {
        history.push(
            Event::new(format!("item-{}", t * 977 % n), EventKind::View, t as f64)
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    let mut state = FoldState::rebuild(&m, &known_rows(&m, &history));
    let plain = RecommendOptions {
        rerank: Rerank {
            dedupe: Dedupe::Off,
            ..Rerank::default()
        },
        ..RecommendOptions::default()
    };
    let live = LiveAttributes::default();
    let default = RecommendOptions::default;
    let cases: Vec<(&str, RecommendOptions, Filter, Rules)> = vec![
        (
            "plain (dedupe off)",
            plain,
            Filter::default(),
            Rules::default(),
        ),
        (
            "default (dedupe: title)",
            default(),
            Filter::default(),
            Rules::default(),
        ),
        (
            "inStock",
            default(),
            Filter {
                in_stock: Some(true),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "category D1",
            default(),
            Filter {
                category: Some("D1".into()),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "category D1 > S11 > L111",
            default(),
            Filter {
                category: Some("D1 > S11 > L111".into()),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "inStock + price ≤ 500",
            default(),
            Filter {
                price_max: Some(500.0),
                in_stock: Some(true),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "tags any of 2",
            default(),
            Filter {
                tags: Some(vec!["t3".into(), "t7".into()]),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "include 100 keys",
            default(),
            Filter {
                include: Some((0..100).map(|i| format!("item-{}", i * 13)).collect()),
                ..Default::default()
            },
            Rules::default(),
        ),
        (
            "rules: 1 pin, boost 1 key",
            default(),
            Filter::default(),
            Rules {
                pins: vec![Pin {
                    key: "item-5".into(),
                    position: 0,
                }],
                boosts: vec![Boost {
                    target: Target::Key("item-6".into()),
                    weight: 0.05,
                }],
                bury: vec![],
            },
        ),
        (
            "rules: 2 pins, boost category D2, bury 1 key",
            default(),
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
    let cases: Vec<_> = cases
        .into_iter()
        .enumerate()
        .filter(|(i, c)| *i == 0 || c.0.contains(only.as_str()))
        .map(|(_, c)| c)
        .collect();
    // One row set: each case's filter resolved once, for the share of items that qualify.
    let qualify: Vec<f64> = cases
        .iter()
        .map(|(_, _, filter, _)| match filter.qualifying(&m, &live) {
            Ok(Some(mask)) => mask.iter().filter(|&&q| q).count() as f64 / n as f64,
            Ok(None) => 1.0,
            Err(e) => panic!("{e}"),
        })
        .collect();
    let mut ms = vec![Vec::with_capacity(ROUNDS * PER_ROUND); cases.len()];
    // Results per case: k, or fewer when fewer unseen items qualify (the narrow filters).
    let mut returned = vec![0; cases.len()];
    for _ in 0..ROUNDS {
        for (((_, opts, filter, rules), times), got) in cases.iter().zip(&mut ms).zip(&mut returned)
        {
            for _ in 0..PER_ROUND {
                let t = Instant::now();
                let mut q =
                    Query::new(&m, &mut state, opts.clone()).unwrap_or_else(|e| panic!("{e}"));
                q.restrict(&m, &live, filter, rules)
                    .unwrap_or_else(|e| panic!("{e}"));
                let top = rank_now(&m, &q, |q| cpu_top_k(&m.table, q));
                times.push(t.elapsed().as_secs_f64() * 1e3);
                *got = top.len();
                std::hint::black_box(top);
            }
        }
    }
    println!(
        "| case (N = {n}, d = {D}, k = 10) | qualify | results | median ms | p95 ms | × plain |"
    );
    println!("|---|---|---|---|---|---|");
    let mut base = 0.0;
    let rows = cases.iter().zip(&mut ms).zip(&qualify).zip(&returned);
    for ((((name, ..), times), share), got) in rows {
        times.sort_by(f64::total_cmp);
        let runs = times.len();
        let (med, p95) = (times[runs / 2], times[(runs * 95).div_ceil(100) - 1]);
        if base == 0.0 {
            base = med;
        }
        println!(
            "| {name} | {:.1} % | {got} | {med:.3} | {p95:.3} | {:.2} |",
            share * 100.0,
            med / base
        );
    }
}
