//! `localrank`: native tools around the `.lrm` model — train one from a store's event log and
//! catalogue (or the bundled Scientific data) or pack factors trained elsewhere, check it leave-one-out, inspect a file, and ask
//! it for recommendations as the device would. Arguments are parsed by `clap` (derive); the work
//! is done by the library (`localrank::train`), which needs no CLI.

mod args;
mod eval_cmd;
mod inspect_cmd;
mod pack_cmd;
mod progress;
mod train_cmd;
mod tune_cmd;

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use localrank::{Error, Model, Result};

/// Train, evaluate and inspect on-device recommendation models.
#[derive(Parser)]
#[command(name = "localrank", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fit implicit ALS on every user's full history and write the model.
    ///
    /// From a store's files: `--events events.csv --catalog products.jsonl --out store.lrm`
    /// (formats from the extensions). From the bundled Scientific data: `--data DIR`.
    /// `--rows 4` stores 4-bit rows; any --nbr-* flag adds the NBRS neighbour section
    /// (docs/FORMAT.md § 1.6–1.7).
    Train(Box<train_cmd::TrainArgs>),
    /// Pack item factors trained elsewhere (PyTorch, `implicit`, TensorFlow, Spark) into a model.
    ///
    /// `--factors item_factors.npy --keys item_ids.txt --catalog products.csv --out store.lrm`:
    /// row i of the factors is the i-th key; `.safetensors` files take `--tensor NAME`. The
    /// catalogue gives titles and typed attributes; the packer is `train`'s.
    Pack(Box<pack_cmd::PackArgs>),
    /// Leave-one-out, full-ranking evaluation (docs/QUALITY.md); comma-separated values of the
    /// training and neighbour flags form a grid.
    Eval(Box<eval_cmd::EvalArgs>),
    /// Write the validation and test training prefixes (one user a line, item rows) for the
    /// peer script.
    Splits(eval_cmd::SplitsArgs),
    /// Sections, parameters, attributes, provenance and categories of a model file.
    Inspect(inspect_cmd::InspectArgs),
    /// Fold the KEYs in as views (oldest first) and print the top k unseen items.
    Recommend(inspect_cmd::RecommendArgs),
}

/// An invalid-argument error.
pub fn invalid(msg: String) -> Error {
    Error::InvalidArgument(msg)
}

/// Reads and validates a model file.
pub fn read_model(path: &Path) -> Result<(Vec<u8>, Model)> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    let model = Model::from_bytes(&bytes)?;
    Ok((bytes, model))
}

/// An I/O error on `path`.
pub fn io(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Writes `bytes` to `path`, creating its folder.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| io(path, e))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(a) => train_cmd::run(*a),
        Command::Pack(a) => pack_cmd::run(*a),
        Command::Eval(a) => eval_cmd::eval(*a),
        Command::Splits(a) => eval_cmd::splits(a),
        Command::Inspect(a) => inspect_cmd::inspect(a),
        Command::Recommend(a) => inspect_cmd::recommend(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
