//! Cold start on a held-out-items split (docs/QUALITY.md § Cold start):
//!
//! `cargo run --profile native --features train --example cold_start [-- DIR [PERCENT] [SEED]]`
//!
//! DIR is the Scientific RecBole directory (default `data/scientific`), PERCENT the share of
//! items held out (default 10), SEED their draw (default 1). The protocol is the test split of
//! docs/QUALITY.md (train on `seq[:-1]`, ask for `seq[-1]`), with the shipped settings (4-bit
//! rows, `NBRS`), except that every event on a held-out item is removed from training: those
//! items reach the packer without events, as new catalogue items do. Each placement
//! (`--cold-placement none | popularity | content`) is then packed, shipped and scored as the
//! browser scores it, on the cases whose target is a held-out item and on all cases (inputs keep
//! the held-out items the shopper saw: the model knows their keys). The reference row is the
//! model trained with their events. A second table varies `--cold-min-events` on the plain test
//! split (no items held out): what replacing the vectors of rarely seen items costs.

use std::path::Path;

use localrank::model::Model;
use localrank::rng::SplitMix64;
use localrank::train::cold::{self, ColdOptions, ItemContent, Placement};
use localrank::train::experiment::{train_dense, Dense, Device};
use localrank::train::pack::pack_plain;
use localrank::train::protocol::{ranks, Phase, Quality, Split};
use localrank::train::transitions;
use localrank::train::tune::Candidate;
use localrank::train::Dataset;
use localrank::{Error, Result};

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> Result<T> {
    match args.get(i) {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| Error::InvalidArgument(format!("argument {}: {s:?}", i + 1))),
    }
}

/// The shipped model for `train` with the cold items of `dense` placed by `opts`.
fn shipped(
    data: &Dataset,
    train: &[Vec<u32>],
    dense: &Dense,
    content: &[ItemContent],
    opts: &ColdOptions,
) -> Result<(Model, cold::ColdReport)> {
    let c = Candidate::scientific();
    let mut items = dense.factors.items.clone();
    let report = cold::place(&mut items, &dense.counts, content, opts)?;
    let mut m = pack_plain(&data.keys, &items, &dense.counts, &c.train, true)?;
    m.extra.neighbours = Some(transitions::build(train, data.items(), &c.neighbours)?);
    Ok((Model::from_bytes(&m.to_bytes())?, report))
}

/// Quality on the cases `pick` selects.
fn quality(r: &[Option<usize>], pick: &dyn Fn(usize) -> bool) -> Quality {
    let chosen: Vec<Option<usize>> = (0..r.len()).filter(|&c| pick(c)).map(|c| r[c]).collect();
    Quality::from_ranks(&chosen)
}

fn run(args: &[String]) -> Result<()> {
    let dir: String = arg(args, 0, "data/scientific".to_owned())?;
    let percent: f64 = arg(args, 1, 10.0)?;
    let seed: u64 = arg(args, 2, 1)?;
    let data = Dataset::load(Path::new(&dir))?;
    let n = data.items();
    let content: Vec<ItemContent> = data.products.iter().map(ItemContent::from).collect();
    let params = Candidate::scientific().train;
    let split = Split::new(&data.sequences, Phase::Test);

    // Held-out items: a seeded shuffle's first PERCENT %.
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut rng = SplitMix64(seed);
    for i in (1..n).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut held = vec![false; n];
    for &i in &order[..((n as f64 * percent / 100.0).round() as usize).min(n)] {
        held[i as usize] = true;
    }
    let cold_train: Vec<Vec<u32>> = split
        .train
        .iter()
        .map(|s| s.iter().copied().filter(|&i| !held[i as usize]).collect())
        .collect();
    let cold_split = Split {
        train: cold_train.clone(),
        ..split.clone()
    };
    let target_held = |c: usize| held[split.cases[c].1 as usize];
    let held_cases = (0..split.cases.len()).filter(|&c| target_held(c)).count();
    println!(
        "{} items, {} held out (seed {seed}); {} test cases, {held_cases} with a held-out target",
        n,
        held.iter().filter(|h| **h).count(),
        split.cases.len()
    );

    let header = "| model | held-out targets HR@10 | NDCG@10 | all cases HR@10 | NDCG@10 | placed (content / popularity) |\n|---|---|---|---|---|---|";
    println!("\n{header}");
    let row = |name: &str, r: &[Option<usize>], placed: String| {
        let h = quality(r, &target_held);
        let a = quality(r, &|_| true);
        println!(
            "| {name} | {:.4} | {:.4} | {:.4} | {:.4} | {placed} |",
            h.hr10, h.ndcg10, a.hr10, a.ndcg10
        );
    };
    let dense = train_dense(&cold_split, n, &params, &mut |_| {})?;
    for placement in [Placement::None, Placement::Popularity, Placement::Content] {
        let opts = ColdOptions {
            placement,
            ..ColdOptions::default()
        };
        let (m, rep) = shipped(&data, &cold_train, &dense, &content, &opts)?;
        let r = ranks(&split, n, &Device(&m));
        let name = format!("held-out items placed by `{}`", placement.name());
        row(
            &name,
            &r,
            format!("{} / {}", rep.by_content, rep.by_popularity),
        );
    }
    let full = train_dense(&split, n, &params, &mut |_| {})?;
    let none = ColdOptions {
        placement: Placement::None,
        ..ColdOptions::default()
    };
    let (m, _) = shipped(&data, &split.train, &full, &content, &none)?;
    let reference = ranks(&split, n, &Device(&m));
    row(
        "reference: trained with their events",
        &reference,
        "–".into(),
    );

    println!("\nNo items held out; items with fewer than N training events placed by content:\n");
    println!("| --cold-min-events | items placed | test HR@10 | NDCG@10 | NDCG@10 vs none |\n|---|---|---|---|---|");
    let base = quality(&reference, &|_| true);
    println!("| (none) | 0 | {:.4} | {:.4} | – |", base.hr10, base.ndcg10);
    for min_events in [1, 2, 3, 5] {
        let opts = ColdOptions {
            min_events,
            ..ColdOptions::default()
        };
        let (m, rep) = shipped(&data, &split.train, &full, &content, &opts)?;
        let q = quality(&ranks(&split, n, &Device(&m)), &|_| true);
        println!(
            "| {min_events} | {} | {:.4} | {:.4} | {:+.2} % |",
            rep.cold,
            q.hr10,
            q.ndcg10,
            100.0 * (q.ndcg10 / base.ndcg10 - 1.0)
        );
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = run(&args) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
