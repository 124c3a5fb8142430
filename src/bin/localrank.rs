//! `localrank`: native tools around the `.lrm` model — train one from the Scientific data,
//! check it leave-last-out, inspect a file, and ask it for recommendations as the device would.
//! Arguments are parsed by hand (a handful of flags do not need a parser crate).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use localrank::history::{Event, EventKind, History, DEFAULT_CAP};
use localrank::model::container;
use localrank::rank::top_k;
use localrank::score::{user, QuantisedUser, Scorer};
use localrank::train::{als, evaluate, train_model, Dataset, TrainParams};
use localrank::{Error, Model, Result};

const USAGE: &str = "\
localrank — train, check and inspect on-device recommendation models

USAGE:
  localrank train --data DIR --out FILE.lrm [TRAINING FLAGS]
  localrank eval --data DIR [--users N] [--k 10] [TRAINING FLAGS]
  localrank inspect FILE.lrm
  localrank recommend FILE.lrm KEY [KEY...] [--k 10]

TRAINING FLAGS (defaults in brackets):
  --dim N          embedding dimension [64]
  --iters N        ALS sweeps [15]
  --lambda X       ridge regulariser, also used by fold-in [1]
  --alpha X        confidence scale, c = 1 + alpha·w [20]
  --decay X        recency decay per position, newest first [0.9]
  --pop-weight X   popularity bias scale [0.02]
  --seed N         initialisation seed [42]

`train` fits implicit ALS on every user's full sequence and writes the model.
`eval` holds out each user's last item, trains on the rest and reports HR@k / NDCG@k of
device-style fold-in scoring next to a popularity baseline (--users N: first N users only).
`recommend` folds the KEYs in as views (oldest first) and prints the top k unseen items.";

/// Flags and positional arguments of one command line.
struct Args {
    positional: Vec<String>,
    flags: BTreeMap<String, String>,
}

impl Args {
    fn parse(raw: &[String]) -> Result<Self> {
        let mut positional = Vec::new();
        let mut flags = BTreeMap::new();
        let mut it = raw.iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                let value = it
                    .next()
                    .ok_or_else(|| invalid(format!("--{name} needs a value")))?;
                flags.insert(name.to_owned(), value.clone());
            } else {
                positional.push(a.clone());
            }
        }
        Ok(Self { positional, flags })
    }

    /// Takes a flag's value parsed as `T`, or `default` when absent.
    fn take<T: std::str::FromStr>(&mut self, name: &str, default: T) -> Result<T> {
        match self.flags.remove(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| invalid(format!("--{name}: cannot parse {v:?}"))),
        }
    }

    fn path(&mut self, name: &str) -> Result<PathBuf> {
        self.flags
            .remove(name)
            .map(PathBuf::from)
            .ok_or_else(|| invalid(format!("--{name} is required")))
    }

    /// Fails on any flag nobody took (a typo should not be silently ignored).
    fn finish(self) -> Result<Vec<String>> {
        match self.flags.keys().next() {
            Some(name) => Err(invalid(format!("unknown flag --{name} (see --help)"))),
            None => Ok(self.positional),
        }
    }

    fn train_params(&mut self) -> Result<TrainParams> {
        let d = TrainParams::default();
        let p = TrainParams {
            dim: self.take("dim", d.dim)?,
            iterations: self.take("iters", d.iterations)?,
            lambda: self.take("lambda", d.lambda)?,
            alpha: self.take("alpha", d.alpha)?,
            decay: self.take("decay", d.decay)?,
            pop_weight: self.take("pop-weight", d.pop_weight)?,
            seed: self.take("seed", d.seed)?,
        };
        p.validate()?;
        Ok(p)
    }
}

fn invalid(msg: String) -> Error {
    Error::InvalidArgument(msg)
}

fn print_progress(p: &als::Progress) {
    eprintln!(
        "iteration {}/{}  {:>7.1} s  loss {:.6e}",
        p.iteration,
        p.iterations,
        p.elapsed.as_secs_f64(),
        p.loss
    );
}

fn read_model(path: &Path) -> Result<(Vec<u8>, Model)> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let model = Model::from_bytes(&bytes)?;
    Ok((bytes, model))
}

fn train(mut args: Args) -> Result<()> {
    let data_dir = args.path("data")?;
    let out = args.path("out")?;
    let params = args.train_params()?;
    args.finish()?;
    let data = Dataset::load(&data_dir)?;
    eprintln!(
        "{} items, {} users; {params:?}",
        data.items(),
        data.sequences.len()
    );
    let start = Instant::now();
    let model = train_model(&data, &params, &mut print_progress)?;
    let bytes = model.to_bytes();
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    std::fs::write(&out, &bytes).map_err(|e| Error::Io {
        path: out.display().to_string(),
        reason: e.to_string(),
    })?;
    println!(
        "wrote {}: {} items, dim {}, {} bytes, trained in {:.1} s",
        out.display(),
        model.len(),
        model.dim(),
        bytes.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn eval(mut args: Args) -> Result<()> {
    let data_dir = args.path("data")?;
    let users: usize = args.take("users", usize::MAX)?;
    let k: usize = args.take("k", 10)?;
    let params = args.train_params()?;
    args.finish()?;
    if k == 0 {
        return Err(invalid("--k must be ≥ 1".into()));
    }
    let data = Dataset::load(&data_dir)?.first_users(users);
    let start = Instant::now();
    let r = evaluate::leave_last_out(&data, &params, k, &mut print_progress)?;
    println!("{params:?}");
    println!("users evaluated: {}", r.model.users);
    println!(
        "model:      HR@{k} {:.4}  NDCG@{k} {:.4}",
        r.model.hit_rate, r.model.ndcg
    );
    println!(
        "popularity: HR@{k} {:.4}  NDCG@{k} {:.4}",
        r.popularity.hit_rate, r.popularity.ndcg
    );
    println!("({:.1} s)", start.elapsed().as_secs_f64());
    Ok(())
}

fn inspect(args: Args) -> Result<()> {
    let [path] = args
        .finish()?
        .try_into()
        .map_err(|_| invalid("inspect takes exactly one model file".into()))?;
    let (bytes, model) = read_model(Path::new(&path))?;
    println!("{path}: {} bytes", bytes.len());
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
        "fold-in: lambda {} alpha {} decay {} kind weights {:?}",
        f.lambda, f.alpha, f.decay, f.kind_weights
    );
    println!("metadata fields: {:?}", model.meta.fields);
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

fn recommend(mut args: Args) -> Result<()> {
    let k: usize = args.take("k", 10)?;
    let positional = args.finish()?;
    let Some((path, keys)) = positional.split_first() else {
        return Err(invalid("recommend needs a model file and item keys".into()));
    };
    let (_, model) = read_model(Path::new(path))?;
    for key in keys.iter().filter(|key| model.keys.index_of(key).is_none()) {
        eprintln!("warning: the model does not know {key:?}; ignored");
    }
    let events = keys
        .iter()
        .enumerate()
        .map(|(t, key)| Event::new(key.as_str(), EventKind::View, t as f64))
        .collect::<Result<Vec<_>>>()?;
    let history = History::from_events(DEFAULT_CAP, events)?;
    let u = QuantisedUser::new(&user::fold_in(&model, &history));
    let scores = Scorer::default().scores(&model.table, &u).to_vec();
    let seen: HashSet<u32> = keys.iter().filter_map(|k| model.keys.index_of(k)).collect();
    for (n, r) in top_k(&scores, k, |i| seen.contains(&i)).iter().enumerate() {
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

fn run(raw: &[String]) -> Result<()> {
    let Some((command, rest)) = raw.split_first() else {
        println!("{USAGE}");
        return Ok(());
    };
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let args = Args::parse(rest)?;
    match command.as_str() {
        "train" => train(args),
        "eval" => eval(args),
        "inspect" => inspect(args),
        "recommend" => recommend(args),
        "--help" | "-h" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(invalid(format!("unknown command {other:?} (see --help)"))),
    }
}

fn main() -> ExitCode {
    // `args()` would panic on an argument that is not UTF-8; say so instead.
    let raw = std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string()
                .map_err(|a| invalid(format!("argument {a:?} is not valid UTF-8")))
        })
        .collect::<Result<Vec<String>>>();
    match raw.and_then(|raw| run(&raw)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
