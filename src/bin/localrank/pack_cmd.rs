//! `localrank pack`: item factors trained elsewhere (`.npy` or `safetensors`, rows named by a
//! keys file) + the store's catalogue → a `.lrm` model, through the same packer as `train`
//! (src/train/import/). Writes the model, its provenance and `STEM.report.{json,md}`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use localrank::train::import::{
    self, keys, npy, safetensors, spark, Catalogue, ImportOptions, ImportedFactors,
};
use localrank::train::report::Size;
use localrank::train::store::options::{BadRowLimit, Encoding, EventColumns, UnknownItems};
use localrank::train::store::Source;
use localrank::train::transitions::NeighbourParams;
use localrank::train::TrainParams;
use localrank::{Error, Result};

use crate::args::{AttrDefaultFlags, CatalogFlags};
use crate::train_cmd::created_unix;
use crate::{invalid, progress, write_file};

#[derive(Args, Debug)]
pub struct PackArgs {
    /// Item factors, items × dim: `.npy` (f2/f4/f8) or `.safetensors` (F32/F64/F16/BF16)
    #[arg(long, value_name = "FILE", required_unless_present = "from_spark")]
    factors: Option<PathBuf>,
    /// The output directory of spark/train.py (factors, popularity, NBRS lists and the fold-in
    /// settings the job trained with; docs/SCALE.md) instead of --factors
    #[arg(long, value_name = "DIR", conflicts_with_all = ["factors", "keys", "tensor", "popularity"])]
    from_spark: Option<PathBuf>,
    /// With --from-spark: NBRS position weight decay on the device (round(255·recency^r))
    #[arg(long, default_value_t = NeighbourParams::default().recency)]
    nbr_recency: f32,
    /// With --from-spark: weight of the neighbour term relative to the dense score
    #[arg(long, default_value_t = NeighbourParams::default().mix)]
    nbr_mix: f32,
    /// Keys of the factor rows: one per line, or a `.json` array [the catalogue's order; the
    /// row count must then equal its item count]
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// The safetensors tensor holding the factors [the file's only 2-D tensor]
    #[arg(long, value_name = "NAME")]
    tensor: Option<String>,
    /// Per-item popularity (event counts or weights, ≥ 0), a 1-D `.npy` in the factors' row
    /// order: the popularity bias (docs/FORMAT.md § 2.2) [none: no bias]
    #[arg(long, value_name = "FILE.npy")]
    popularity: Option<PathBuf>,
    /// The store's catalogue (item key plus any attributes): CSV/TSV, JSON Lines or Parquet
    #[arg(long, value_name = "FILE")]
    catalog: PathBuf,
    #[command(flatten)]
    catalog_flags: CatalogFlags,
    #[command(flatten)]
    defaults: AttrDefaultFlags,
    /// Where to write the model
    #[arg(long, value_name = "FILE.lrm")]
    out: PathBuf,
    /// Row format: 8 (int8) or 4 (4-bit); 32 (f32) is not a format of the model file
    #[arg(long, default_value = "8", value_parser = ["8", "4", "32", "int8", "int4", "f32"])]
    rows: String,
    /// Ridge regulariser of fold-in: the λ the factors were trained with
    #[arg(long, default_value_t = TrainParams::default().lambda, conflicts_with = "from_spark")]
    lambda: f32,
    /// Confidence scale of fold-in, c = 1 + alpha·w
    #[arg(long, default_value_t = TrainParams::default().alpha, conflicts_with = "from_spark")]
    alpha: f32,
    /// Recency decay per position, newest first
    #[arg(long, default_value_t = TrainParams::default().decay, conflicts_with = "from_spark")]
    decay: f32,
    /// Popularity bias scale (with --popularity)
    #[arg(long, default_value_t = TrainParams::default().pop_weight)]
    pop_weight: f32,
    /// Imported keys the catalogue lacks: keep (key as title) or refuse (an error)
    #[arg(long, default_value = "keep", value_parser = ["keep", "refuse"])]
    unknown_items: String,
    /// Most unusable catalogue rows before packing stops: N rows or P%
    #[arg(long, default_value = "1%")]
    max_bad_rows: BadRowLimit,
    /// Do not write STEM.report.json / STEM.report.md
    #[arg(long)]
    no_report: bool,
}

impl PackArgs {
    fn options(&self) -> Result<ImportOptions> {
        let rows4 = match self.rows.as_str() {
            "4" | "int4" => true,
            "8" | "int8" => false,
            _ => {
                return Err(invalid(
                    "--rows 32: the model file stores int8 (QI8R) or 4-bit (QI4R) rows only (docs/FORMAT.md § 1.3, 1.7); give 8 or 4".into(),
                ))
            }
        };
        let params = TrainParams {
            lambda: self.lambda,
            alpha: self.alpha,
            decay: self.decay,
            pop_weight: self.pop_weight,
            ..TrainParams::default()
        };
        Ok(ImportOptions {
            params,
            rows4,
            unknown_items: self.unknown_items.parse::<UnknownItems>()?,
        })
    }
}

/// Reads the factor matrix by the file's extension.
pub fn read_factors(path: &Path, tensor: Option<&str>) -> Result<ndarray::Array2<f32>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "npy" if tensor.is_some() => Err(invalid(
            "--tensor names a safetensors tensor; a .npy file holds one array".into(),
        )),
        "npy" => npy::read_matrix(path),
        "safetensors" | "st" => safetensors::read_matrix(path, tensor),
        _ => Err(Error::Io {
            path: path.display().to_string(),
            reason: "cannot tell the factor format from the extension (.npy or .safetensors)"
                .into(),
        }),
    }
}

fn read_catalogue(args: &PackArgs) -> Result<Catalogue> {
    let file = args
        .catalog_flags
        .file(args.catalog.clone(), Encoding::Utf8);
    let columns = args.catalog_flags.columns();
    let key_col = columns
        .item
        .clone()
        .unwrap_or_else(|| EventColumns::default().item);
    let rows =
        file.resolved_format().ok() == Some(localrank::train::store::options::Format::Parquet);
    let bar = progress::reading(&file.display(), rows);
    let catalogue = Catalogue::read(
        &file,
        &columns,
        &key_col,
        args.max_bad_rows,
        Source::File,
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    );
    bar.finish_and_clear();
    let catalogue = catalogue?;
    eprintln!("{}", catalogue.report);
    Ok(catalogue)
}

pub fn run(args: PackArgs) -> Result<()> {
    let start = Instant::now();
    let opts = args.options()?;
    let catalogue = read_catalogue(&args)?;
    if let Some(dir) = &args.from_spark {
        return run_spark(&args, dir, opts, &catalogue, start);
    }
    let factors_path = args
        .factors
        .as_ref()
        .ok_or_else(|| invalid("give --factors FILE or --from-spark DIR".into()))?;
    let factors = read_factors(factors_path, args.tensor.as_deref())?;
    let keys = match &args.keys {
        Some(path) => keys::read(path)?,
        None if factors.nrows() == catalogue.keys().len() => catalogue.keys().to_vec(),
        None => {
            return Err(invalid(format!(
                "{} has {} rows and the catalogue {} items: give --keys (one key per factor row)",
                factors_path.display(),
                factors.nrows(),
                catalogue.keys().len()
            )))
        }
    };
    let popularity = match &args.popularity {
        Some(path) => Some(
            npy::read_vector(path)?
                .iter()
                .map(|&v| f64::from(v))
                .collect(),
        ),
        None => None,
    };
    let imported = ImportedFactors {
        keys,
        factors,
        popularity,
    };
    let packed = import::pack_imported(&imported, &catalogue, None, &opts)?;
    let mut inputs: Vec<(&str, &Path)> = vec![("factors", factors_path)];
    if let Some(k) = &args.keys {
        inputs.push(("keys", k));
    }
    if let Some(p) = &args.popularity {
        inputs.push(("popularity", p));
    }
    inputs.push(("catalog", &args.catalog));
    finish(&args, packed, &inputs, &opts, &catalogue, None, start)
}

/// `--from-spark DIR`: the job's factors, counts and neighbour lists, packed with the λ, α and
/// decay it trained with and MLlib's per-item regulariser (`FREG`, docs/FORMAT.md § 1.11).
fn run_spark(
    args: &PackArgs,
    dir: &Path,
    mut opts: ImportOptions,
    catalogue: &Catalogue,
    start: Instant,
) -> Result<()> {
    let sm = spark::read(dir)?;
    let s = &sm.settings;
    opts.params = TrainParams {
        lambda: s.params.lambda,
        alpha: s.params.alpha,
        decay: s.params.decay,
        ..opts.params
    };
    eprintln!(
        "{}: Spark {}, {} items × dim {}, {} of {} event rows used; λ {} ({}), α {}, decay {}",
        dir.display(),
        s.spark,
        sm.keys.len(),
        s.params.dim,
        s.events_used,
        s.events_rows,
        s.params.lambda,
        s.regulariser.describe(),
        s.params.alpha,
        s.params.decay
    );
    if !sm.holdout.is_empty() {
        eprintln!(
            "{} held-out cases (the newest event of sampled users): the report scores the packed model on them",
            sm.holdout.len()
        );
    }
    let neighbours = sm.neighbour_section(args.nbr_recency, args.nbr_mix)?;
    let mut packed = import::pack_imported(&sm.imported(), catalogue, Some(&neighbours), &opts)?;
    packed.model.extra.fold_regulariser = s.regulariser;
    let manifest = dir.join(spark::MANIFEST);
    let inputs: Vec<(&str, &Path)> = vec![("spark", &manifest), ("catalog", &args.catalog)];
    finish(
        args,
        packed,
        &inputs,
        &opts,
        catalogue,
        Some((&sm, args.nbr_recency, args.nbr_mix)),
        start,
    )
}

/// The report's quality figures on the terminal (or why there are none).
fn print_quality(r: &localrank::train::report::ModelReport) {
    if r.validation.is_empty() {
        eprintln!("quality not measured: {}", r.split);
    }
    for (name, f) in &r.validation {
        eprintln!(
            "held out ({} users): {name} HR@10 {:.4}, NDCG@10 {:.4}",
            f.users, f.hr10, f.ndcg10
        );
    }
}

/// Provenance, the model file, its report and the summary lines.
fn finish(
    args: &PackArgs,
    mut packed: import::Packed,
    inputs: &[(&str, &Path)],
    opts: &ImportOptions,
    catalogue: &Catalogue,
    spark: Option<(&spark::SparkModel, f32, f32)>,
    start: Instant,
) -> Result<()> {
    eprintln!("{}", packed.summary);
    args.defaults.apply(&mut packed.model)?;
    let mut prov = import::provenance(inputs, catalogue, &packed, opts, created_unix()?)?;
    if let Some(d) = args.defaults.describe() {
        prov.set("attr_defaults", d);
    }
    packed.model.extra.provenance = Some(prov);
    let model = &packed.model;
    let bytes = model.to_bytes();
    write_file(&args.out, &bytes)?;
    if !args.no_report {
        let spinner = progress::spinner("scoring the report (model, popularity, item-KNN)");
        let report = import::model_report(import::ReportParts {
            bytes: &bytes,
            packed: &packed,
            catalogue,
            opts,
            spark,
            trainer: inputs.first().map_or_else(String::new, |(_, p)| {
                format!("factors from {}", p.display())
            }),
            packing_seconds: start.elapsed().as_secs_f64(),
        });
        spinner.finish_and_clear();
        let report = report?;
        print_quality(&report);
        let stem = args.out.with_extension("");
        write_file(
            &PathBuf::from(format!("{}.report.json", stem.display())),
            report.to_json().as_bytes(),
        )?;
        write_file(
            &PathBuf::from(format!("{}.report.md", stem.display())),
            report.to_markdown().as_bytes(),
        )?;
    }
    let size = Size::of(&bytes, model)?;
    println!(
        "wrote {}: {} items, dim {}, {} bytes ({:.1} per item), packed in {:.1} s",
        args.out.display(),
        model.len(),
        model.dim(),
        bytes.len(),
        size.bytes_per_item,
        start.elapsed().as_secs_f64()
    );
    let (sha_id, crc_id) = localrank::train::from_store::model_ids(&bytes);
    println!(
        "sha256 {}",
        localrank::train::from_store::sha256_hex(&bytes)
    );
    println!("model id {sha_id} (loaded with its sha256), {crc_id} (without)");
    Ok(())
}
