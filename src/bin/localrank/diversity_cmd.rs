//! `localrank diversity`: NDCG@10, intra-list diversity, catalogue coverage and popularity of
//! the top 10 under a grid of re-ranking options (de-duplication, popularity damping, MMR
//! diversity), on the test split of the docs/QUALITY.md protocol, ranked as the browser ranks
//! (`localrank::train::diversity_eval`). The model is the test-phase one `localrank eval
//! --phase test --save FILE.lrm` writes (trained on every `seq[:-1]`).

use std::path::{Path, PathBuf};

use clap::Args;
use localrank::model::Metadata;
use localrank::rank::diversity::{Dedupe, Rerank};
use localrank::train::dataset::Dataset;
use localrank::train::diversity_eval::study;
use localrank::train::protocol::{Phase, Split};
use localrank::train::seqdata::SeqData;
use localrank::{Model, Result};

use crate::args::List;
use crate::{invalid, read_model};

#[derive(Args, Debug)]
pub struct DiversityArgs {
    /// The dataset the model was evaluated on (RecBole directory or S3-Rec file)
    #[arg(long)]
    data: PathBuf,
    /// The test-phase model (`localrank eval --phase test --save FILE.lrm`)
    #[arg(long, value_name = "FILE.lrm")]
    model: PathBuf,
    /// MMR diversity values, 0..=1
    #[arg(long, default_value = "0,0.1,0.3,0.5", value_name = "X[,X…]")]
    diversity: List<f32>,
    /// Popularity damping values, 0..=1
    #[arg(long, default_value = "0,0.1,0.3", value_name = "X[,X…]")]
    damping: List<f32>,
    /// De-duplication settings: title, off or an attribute name
    #[arg(long, default_value = "off,title", value_name = "D[,D…]")]
    dedupe: List<String>,
}

/// The model with the dataset's titles when it has none (evaluation models carry no texts).
fn with_titles(mut model: Model, data: &Path) -> Result<Model> {
    if model.meta.field_index("title").is_some() || !data.is_dir() {
        return Ok(model);
    }
    let d = Dataset::load(data)?;
    if d.keys.iter().ne(model.keys.iter()) {
        return Err(invalid(format!(
            "{} and the model list different items",
            data.display()
        )));
    }
    model.meta = Metadata {
        fields: vec!["title".to_owned()],
        values: d.products.iter().map(|p| p.title.clone()).collect(),
    };
    Ok(model)
}

pub fn run(args: DiversityArgs) -> Result<()> {
    let (_, model) = read_model(&args.model)?;
    let data = SeqData::load(&args.data)?;
    if data.keys.iter().ne(model.keys.iter()) {
        return Err(invalid(format!(
            "{} and {} list different items",
            args.data.display(),
            args.model.display()
        )));
    }
    let model = with_titles(model, &args.data)?;
    let mut settings = Vec::new();
    for dedupe in &args.dedupe.0 {
        for &popularity_damping in &args.damping.0 {
            for &diversity in &args.diversity.0 {
                settings.push(Rerank {
                    diversity,
                    dedupe: Dedupe::named(dedupe),
                    popularity_damping,
                });
            }
        }
    }
    let split = Split::new(&data.sequences, Phase::Test);
    let start = std::time::Instant::now();
    let rows = study(&model, &split, &settings)?;
    println!("| dedupe | damping | diversity | NDCG@10 | ILD@10 | coverage@10 | popularity@10 |");
    println!("|---|---|---|---|---|---|---|");
    for r in &rows {
        let dedupe = r.rerank.dedupe.name();
        println!(
            "| {dedupe} | {} | {} | {:.4} | {:.4} | {:.4} | {:.4} |",
            r.rerank.popularity_damping,
            r.rerank.diversity,
            r.ndcg10,
            r.ild10,
            r.coverage10,
            r.popularity10
        );
    }
    eprintln!(
        "{} cases, {} settings, {:.1} s",
        split.cases.len(),
        rows.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
