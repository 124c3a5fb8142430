//! Flag groups shared by commands: ALS training flags (one value in `train`, comma-separated
//! lists forming a grid in `eval`), the neighbour-list flags, how to read the catalogue and
//! attribute defaults (`train` and `pack`).

use std::path::PathBuf;
use std::str::FromStr;

use clap::Args;
use localrank::train::als::Solver;
use localrank::train::attr_defaults::{self, AttrDefault};
use localrank::train::store::options::{
    parse_delimiter, CatalogColumns, Encoding, FileOptions, Format,
};
use localrank::train::transitions::NeighbourParams;
use localrank::train::TrainParams;
use localrank::{Model, Result};

use crate::invalid;

/// How to read the catalogue (with --catalog only).
#[derive(Args, Debug, Clone)]
#[group(requires = "catalog", multiple = true)]
pub struct CatalogFlags {
    /// Catalogue format [from the extension]
    #[arg(long, value_name = "csv|tsv|jsonl|parquet")]
    pub catalog_format: Option<Format>,
    /// Catalogue CSV delimiter (one character or `tab`) [`,`; tab for .tsv]
    #[arg(long, value_parser = parse_delimiter, value_name = "C")]
    pub catalog_delimiter: Option<u8>,
    /// Column names of a headerless catalogue (comma-separated)
    #[arg(long, value_name = "A,B,…")]
    pub catalog_columns: Option<List<String>>,
    /// Text encoding of the catalogue: utf-8 or latin-1 [train: --encoding; pack: utf-8]
    #[arg(long)]
    pub catalog_encoding: Option<Encoding>,
    /// Item key column of the catalogue [train: --item-col; pack: item_id]
    #[arg(long)]
    pub catalog_item_col: Option<String>,
    /// Title column [`title`, else `name`, else the key]
    #[arg(long)]
    pub title_col: Option<String>,
    /// Category column; a path `A > B > C` shows its last part
    #[arg(long, default_value = "category")]
    pub category_col: String,
    /// Brand column
    #[arg(long, default_value = "brand")]
    pub brand_col: String,
}

impl CatalogFlags {
    /// How to read the catalogue at `path` (`encoding` unless --catalog-encoding).
    pub fn file(&self, path: PathBuf, encoding: Encoding) -> FileOptions {
        FileOptions {
            path,
            format: self.catalog_format,
            delimiter: self.catalog_delimiter,
            columns: self.catalog_columns.as_ref().map(|c| c.0.clone()),
            encoding: self.catalog_encoding.unwrap_or(encoding),
        }
    }

    /// The catalogue's column names.
    pub fn columns(&self) -> CatalogColumns {
        CatalogColumns {
            item: self.catalog_item_col.clone(),
            title: self.title_col.clone(),
            category: self.category_col.clone(),
            brand: self.brand_col.clone(),
        }
    }
}

/// Attributes the data lacks (`train`, `pack`; src/train/attr_defaults.rs).
#[derive(Args, Debug, Clone)]
pub struct AttrDefaultFlags {
    /// An attribute every item without a value gets, NAME=VALUE (repeatable; typed as a
    /// catalogue cell): a column the data lacks, e.g. in_stock=true, which the page then sets
    /// live with setAttributes
    #[arg(long, value_name = "NAME=VALUE")]
    pub attr_default: Vec<AttrDefault>,
}

impl AttrDefaultFlags {
    /// Applies the defaults to `model`, printing how many items each one set.
    pub fn apply(&self, model: &mut Model) -> Result<()> {
        let n = model.len();
        let defaults = &self.attr_default;
        let filled = attr_defaults::apply(&mut model.extra.attributes, &model.meta, defaults, n)?;
        for (d, f) in defaults.iter().zip(filled) {
            eprintln!("attribute default {d}: {f} of {n} items had no value and got it");
        }
        Ok(())
    }

    /// The defaults as the provenance records them (`in_stock=true price=0`); `None` without.
    pub fn describe(&self) -> Option<String> {
        let shown: Vec<String> = self.attr_default.iter().map(|d| d.to_string()).collect();
        (!shown.is_empty()).then(|| shown.join(" "))
    }
}

/// ALS flags of `train` (defaults in brackets).
#[derive(Args, Debug, Clone)]
pub struct TrainFlags {
    /// Embedding dimension
    #[arg(long, default_value_t = TrainParams::default().dim)]
    pub dim: usize,
    /// ALS sweeps
    #[arg(long, default_value_t = TrainParams::default().iterations)]
    pub iters: usize,
    /// Ridge regulariser, also used by fold-in
    #[arg(long, default_value_t = TrainParams::default().lambda)]
    pub lambda: f32,
    /// Confidence scale, c = 1 + alpha·w
    #[arg(long, default_value_t = TrainParams::default().alpha)]
    pub alpha: f32,
    /// Recency decay per position, newest first
    #[arg(long, default_value_t = TrainParams::default().decay)]
    pub decay: f32,
    /// Popularity bias scale
    #[arg(long, default_value_t = TrainParams::default().pop_weight)]
    pub pop_weight: f32,
    /// Initialisation seed
    #[arg(long, default_value_t = TrainParams::default().seed)]
    pub seed: u64,
    #[command(flatten)]
    pub engine: EngineFlags,
}

/// How ALS runs, not what it fits (the model does not depend on `--threads`).
#[derive(Args, Debug, Clone)]
pub struct EngineFlags {
    /// ALS row solver: cg (3 conjugate-gradient steps, as `implicit`), cg:N or cholesky
    #[arg(long, default_value = "cg", value_parser = parse_solver)]
    pub solver: Solver,
    /// ALS threads, 0 = one per core (the model is the same for any count)
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

fn parse_solver(s: &str) -> std::result::Result<Solver, String> {
    s.parse().map_err(|e: localrank::Error| e.to_string())
}

impl TrainFlags {
    /// The parameters, validated.
    pub fn params(&self) -> Result<TrainParams> {
        let p = TrainParams {
            dim: self.dim,
            iterations: self.iters,
            lambda: self.lambda,
            alpha: self.alpha,
            decay: self.decay,
            pop_weight: self.pop_weight,
            seed: self.seed,
            solver: self.engine.solver,
            threads: self.engine.threads,
        };
        p.validate()?;
        Ok(p)
    }
}

/// Neighbour-list flags (src/train/transitions.rs); in `train` any of them adds `NBRS`, in
/// `eval --model seq` comma-separated lists form a grid.
#[derive(Args, Debug, Clone, Default)]
pub struct NbrFlags {
    #[arg(long, value_name = "N[,N…]")]
    pub nbr_top: Option<List<usize>>,
    #[arg(long, value_name = "N[,N…]")]
    pub nbr_window: Option<List<usize>>,
    #[arg(long, value_name = "X[,X…]")]
    pub nbr_decay: Option<List<f32>>,
    #[arg(long, value_name = "X[,X…]")]
    pub nbr_backward: Option<List<f32>>,
    #[arg(long, value_name = "X[,X…]")]
    pub nbr_source_norm: Option<List<f32>>,
    #[arg(long, value_name = "X[,X…]")]
    pub nbr_target_norm: Option<List<f32>>,
    #[arg(long, value_name = "X[,X…]")]
    pub nbr_recency: Option<List<f32>>,
    #[arg(long, value_name = "X[,X…]")]
    pub nbr_mix: Option<List<f32>>,
    /// Privacy (docs/PRIVACY.md): keep a next-item pair only when at least K distinct users made
    /// it [3]
    #[arg(long, value_name = "K[,K…]")]
    pub nbr_min_users: Option<List<u32>>,
    /// Bound on one user's total contribution to the pair counts; `inf` = no bound [inf]
    #[arg(long, value_name = "X[,X…]")]
    pub nbr_user_cap: Option<List<f32>>,
    /// Laplace noise on the kept counts with this ε (needs a finite --nbr-user-cap); 0 = none [0]
    #[arg(long, value_name = "X[,X…]")]
    pub nbr_dp_epsilon: Option<List<f32>>,
    /// Seed of the noise [0]
    #[arg(long, value_name = "N[,N…]")]
    pub nbr_dp_seed: Option<List<u64>>,
}

impl NbrFlags {
    /// Whether any neighbour flag was given.
    pub fn any(&self) -> bool {
        self.nbr_top.is_some()
            || self.nbr_window.is_some()
            || self.nbr_decay.is_some()
            || self.nbr_backward.is_some()
            || self.nbr_source_norm.is_some()
            || self.nbr_target_norm.is_some()
            || self.nbr_recency.is_some()
            || self.nbr_mix.is_some()
            || self.nbr_min_users.is_some()
            || self.nbr_user_cap.is_some()
            || self.nbr_dp_epsilon.is_some()
            || self.nbr_dp_seed.is_some()
    }

    /// Every combination of the lists (defaults where absent), validated.
    pub fn grid(&self) -> Result<Vec<NeighbourParams>> {
        let d = NeighbourParams::default();
        let mut out = vec![d];
        macro_rules! expand {
            ($flag:ident, $($field:ident).+) => {
                if let Some(list) = &self.$flag {
                    out = out
                        .iter()
                        .flat_map(|p| {
                            list.0.iter().map(move |v| {
                                let mut q = *p;
                                q.$($field).+ = *v;
                                q
                            })
                        })
                        .collect();
                }
            };
        }
        expand!(nbr_top, top);
        expand!(nbr_window, window);
        expand!(nbr_decay, distance_decay);
        expand!(nbr_backward, backward);
        expand!(nbr_source_norm, source_norm);
        expand!(nbr_target_norm, target_norm);
        expand!(nbr_recency, recency);
        expand!(nbr_mix, mix);
        expand!(nbr_min_users, privacy.min_users);
        expand!(nbr_user_cap, privacy.user_cap);
        expand!(nbr_dp_epsilon, privacy.dp_epsilon);
        expand!(nbr_dp_seed, privacy.dp_seed);
        for p in &out {
            p.validate()?;
        }
        Ok(out)
    }

    /// The one setting `train` takes, or `None` without neighbour flags.
    pub fn single(&self) -> Result<Option<NeighbourParams>> {
        if !self.any() {
            return Ok(None);
        }
        match self.grid()?.as_slice() {
            [one] => Ok(Some(*one)),
            _ => Err(invalid("train takes one value per --nbr-* flag".into())),
        }
    }
}

/// A comma-separated list flag (`--dim 32,64`).
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<T: FromStr> FromStr for List<T> {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        s.split(',')
            .map(|x| x.trim().parse().map_err(|_| format!("cannot parse {x:?}")))
            .collect::<std::result::Result<Vec<T>, String>>()
            .map(List)
    }
}

impl<T: Clone> List<T> {
    /// The values, or `[default]` when the flag is absent.
    pub fn or(list: &Option<List<T>>, default: T) -> Vec<T> {
        list.as_ref().map_or_else(|| vec![default], |l| l.0.clone())
    }
}

/// ALS flags of `eval`: comma-separated lists form a grid.
#[derive(Args, Debug, Clone)]
pub struct GridFlags {
    /// Embedding dimension(s) [64]
    #[arg(long, value_name = "N[,N…]")]
    pub dim: Option<List<usize>>,
    /// ALS sweeps [15]
    #[arg(long, value_name = "N[,N…]")]
    pub iters: Option<List<usize>>,
    /// Ridge regulariser(s) [1]
    #[arg(long, value_name = "X[,X…]")]
    pub lambda: Option<List<f32>>,
    /// Confidence scale(s) [20]
    #[arg(long, value_name = "X[,X…]")]
    pub alpha: Option<List<f32>>,
    /// Recency decay(s) [0.9]
    #[arg(long, value_name = "X[,X…]")]
    pub decay: Option<List<f32>>,
    /// Popularity bias scale(s) [0.02]
    #[arg(long, value_name = "X[,X…]")]
    pub pop_weight: Option<List<f32>>,
    /// Initialisation seed [42]
    #[arg(long, default_value_t = TrainParams::default().seed)]
    pub seed: u64,
    #[command(flatten)]
    pub engine: EngineFlags,
}

impl GridFlags {
    /// Every combination of the lists, validated.
    pub fn grid(&self) -> Result<Vec<TrainParams>> {
        let d = TrainParams::default();
        let mut out = Vec::new();
        for dim in List::or(&self.dim, d.dim) {
            for iterations in List::or(&self.iters, d.iterations) {
                for lambda in List::or(&self.lambda, d.lambda) {
                    for alpha in List::or(&self.alpha, d.alpha) {
                        for decay in List::or(&self.decay, d.decay) {
                            for pop_weight in List::or(&self.pop_weight, d.pop_weight) {
                                let p = TrainParams {
                                    dim,
                                    iterations,
                                    lambda,
                                    alpha,
                                    decay,
                                    pop_weight,
                                    seed: self.seed,
                                    solver: self.engine.solver,
                                    threads: self.engine.threads,
                                };
                                p.validate()?;
                                out.push(p);
                            }
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}
