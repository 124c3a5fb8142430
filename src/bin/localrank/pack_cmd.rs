//! `localrank pack`: item factors trained elsewhere (`.npy` or `safetensors`, rows named by a
//! keys file) + the store's catalogue → a `.lrm` model, through the same packer as `train`
//! (src/train/import/). Writes the model, its provenance and `STEM.report.{json,md}`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use localrank::train::import::{
    self, keys, npy, safetensors, Catalogue, ImportOptions, ImportedFactors,
};
use localrank::train::report::Size;
use localrank::train::store::options::{BadRowLimit, Encoding, EventColumns, UnknownItems};
use localrank::train::store::Source;
use localrank::train::TrainParams;
use localrank::{Error, Result};

use crate::args::CatalogFlags;
use crate::train_cmd::created_unix;
use crate::{invalid, progress, write_file};

#[derive(Args, Debug)]
pub struct PackArgs {
    /// Item factors, items × dim: `.npy` (f2/f4/f8) or `.safetensors` (F32/F64/F16/BF16)
    #[arg(long, value_name = "FILE")]
    factors: PathBuf,
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
    /// Where to write the model
    #[arg(long, value_name = "FILE.lrm")]
    out: PathBuf,
    /// Row format: 8 (int8) or 4 (4-bit); 32 (f32) is not a format of the model file
    #[arg(long, default_value = "8", value_parser = ["8", "4", "32", "int8", "int4", "f32"])]
    rows: String,
    /// Ridge regulariser of fold-in: the λ the factors were trained with
    #[arg(long, default_value_t = TrainParams::default().lambda)]
    lambda: f32,
    /// Confidence scale of fold-in, c = 1 + alpha·w
    #[arg(long, default_value_t = TrainParams::default().alpha)]
    alpha: f32,
    /// Recency decay per position, newest first
    #[arg(long, default_value_t = TrainParams::default().decay)]
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
    let factors = read_factors(&args.factors, args.tensor.as_deref())?;
    let keys = match &args.keys {
        Some(path) => keys::read(path)?,
        None if factors.nrows() == catalogue.keys().len() => catalogue.keys().to_vec(),
        None => {
            return Err(invalid(format!(
                "{} has {} rows and the catalogue {} items: give --keys (one key per factor row)",
                args.factors.display(),
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
    let mut packed = import::pack_imported(&imported, &catalogue, None, &opts)?;
    eprintln!("{}", packed.summary);
    let mut inputs: Vec<(&str, &Path)> = vec![("factors", &args.factors)];
    if let Some(k) = &args.keys {
        inputs.push(("keys", k));
    }
    if let Some(p) = &args.popularity {
        inputs.push(("popularity", p));
    }
    inputs.push(("catalog", &args.catalog));
    packed.model.extra.provenance = Some(import::provenance(
        &inputs,
        &catalogue,
        &packed,
        &opts,
        created_unix()?,
    )?);
    let model = &packed.model;
    let bytes = model.to_bytes();
    write_file(&args.out, &bytes)?;
    if !args.no_report {
        let report = import::PackReport::new(
            &bytes,
            &packed,
            &catalogue,
            &opts,
            start.elapsed().as_secs_f64(),
        )?;
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
