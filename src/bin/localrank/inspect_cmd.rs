//! `localrank inspect` (sections, parameters, attributes, provenance, categories of a model)
//! and `localrank recommend` (fold-in from given keys, then the top k, as the device computes).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use localrank::history::{Event, EventKind, History, DEFAULT_CAP};
use localrank::model::container;
use localrank::rank::diversity::{self, Dedupe, Rerank};
use localrank::rank::Ranked;
use localrank::score::backend::cpu_top_k;
use localrank::score::query::{Query, RecommendOptions};
use localrank::train::from_store::{model_ids, sha256_hex};
use localrank::{Model, Result};

use crate::read_model;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The model file
    #[arg(value_name = "FILE.lrm")]
    path: PathBuf,
}

#[derive(Args, Debug)]
pub struct RecommendArgs {
    /// The model file
    #[arg(value_name = "FILE.lrm")]
    path: PathBuf,
    /// Item keys viewed, oldest first
    #[arg(value_name = "KEY", required = true)]
    keys: Vec<String>,
    /// How many items to print
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    k: u32,
    #[command(flatten)]
    rerank: RerankFlags,
}

/// The re-ranking options of a request (`recommend({diversity, dedupe, popularityDamping})`).
#[derive(Args, Debug, Clone)]
pub struct RerankFlags {
    /// MMR diversity weight, 0..=1 (0 = pure relevance)
    #[arg(long, default_value_t = 0.0)]
    diversity: f32,
    /// Group near-identical items: "title" (default), "off", or an attribute name such as parent
    #[arg(long, default_value = "title", value_name = "title|off|ATTRIBUTE")]
    dedupe: String,
    /// Popularity damping, 0..=1 (0 = none)
    #[arg(long, default_value_t = 0.0)]
    popularity_damping: f32,
}

impl RerankFlags {
    /// The library's options (ranges are checked against the model when the query is built).
    pub fn rerank(&self) -> Rerank {
        Rerank {
            diversity: self.diversity,
            dedupe: Dedupe::named(&self.dedupe),
            popularity_damping: self.popularity_damping,
        }
    }
}

pub fn inspect(args: InspectArgs) -> Result<()> {
    let (bytes, model) = read_model(&args.path)?;
    println!("{}: {} bytes", args.path.display(), bytes.len());
    let (sha_id, crc_id) = model_ids(&bytes);
    println!("sha256 {}", sha256_hex(&bytes));
    println!("model id {sha_id} (loaded with its sha256), {crc_id} (without)");
    println!("items {}, dim {}", model.len(), model.dim());
    for s in container::parse(&bytes)? {
        let req = if s.required { "required" } else { "optional" };
        println!(
            "  section {} {:>10} bytes ({req})",
            s.id_str(),
            s.bytes.len()
        );
    }
    let f = &model.fold;
    println!(
        "fold-in: lambda {} ({}) alpha {} decay {} kind weights {:?}",
        f.lambda,
        model.extra.fold_regulariser.describe(),
        f.alpha,
        f.decay,
        f.kind_weights
    );
    println!("metadata fields: {:?}", model.meta.fields);
    if !model.attributes().is_empty() {
        println!("attributes:");
        for a in &model.attributes().fields {
            let n = a.present.iter().filter(|p| **p).count();
            println!("  {:<20} {:<8} {n} items", a.name, a.kind().as_str());
        }
    }
    if let Some(p) = model.provenance() {
        println!("provenance:");
        for (k, v) in &p.entries {
            println!("  {k}: {v}");
        }
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..model.len() {
        *counts.entry(model.meta.get(i, "category")).or_insert(0) += 1;
    }
    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    println!("categories ({}):", counts.len());
    for (c, n) in counts {
        println!("  {n:>6}  {c}");
    }
    Ok(())
}

/// The engine's query for a history of views (fold-in, exclusions, the optional NBRS term) and
/// its CPU answer: the one place the CLI calls the query pipeline.
fn recommend_views(
    model: &Model,
    keys: &[String],
    k: usize,
    rerank: Rerank,
) -> Result<Vec<Ranked>> {
    let events = keys
        .iter()
        .enumerate()
        .map(|(t, key)| Event::new(key.as_str(), EventKind::View, t as f64))
        .collect::<Result<Vec<_>>>()?;
    let history = History::from_events(DEFAULT_CAP, events)?;
    let opts = RecommendOptions {
        k,
        exclude_seen: true,
        rerank,
    };
    let query = Query::from_history(model, &history, opts)?;
    Ok(diversity::rank_now(model, &query, |q| {
        cpu_top_k(&model.table, q)
    }))
}

pub fn recommend(args: RecommendArgs) -> Result<()> {
    let (_, model) = read_model(&args.path)?;
    for key in args
        .keys
        .iter()
        .filter(|key| model.keys.index_of(key).is_none())
    {
        eprintln!("warning: the model does not know {key:?}; ignored");
    }
    for (n, r) in recommend_views(&model, &args.keys, args.k as usize, args.rerank.rerank())?
        .iter()
        .enumerate()
    {
        let i = r.index as usize;
        println!(
            "{:>3}. {} {:>8.4}  [{}] {}",
            n + 1,
            model.keys.key(i),
            r.score,
            model.meta.get(i, "category"),
            model.meta.get(i, "title")
        );
    }
    Ok(())
}
