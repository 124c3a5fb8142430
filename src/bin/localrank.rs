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
use localrank::score::{pipeline, Scorer};
use localrank::train::baselines::{self, Ease, Factors, ItemKnn, Popularity};
use localrank::train::experiment::{self, Device, F32Als, RowFormat};
use localrank::train::protocol::{self, Phase, Quality, Ranker, Split};
use localrank::train::seqdata::SeqData;
use localrank::train::transitions::NeighbourParams;
use localrank::train::{als, train_model_with, Dataset, TrainParams};
use localrank::{Error, Model, Result};

const USAGE: &str = "\
localrank — train, evaluate and inspect on-device recommendation models

USAGE:
  localrank train --data DIR --out FILE.lrm [TRAINING FLAGS] [--rows 8|4] [NEIGHBOUR FLAGS]
  localrank eval --data PATH --model MODEL [EVAL FLAGS] [TRAINING FLAGS] [NEIGHBOUR FLAGS]
  localrank splits --data PATH --out DIR
  localrank inspect FILE.lrm
  localrank recommend FILE.lrm KEY [KEY...] [--k 10]

TRAINING FLAGS (defaults in brackets; in `eval`, comma-separated lists form a grid):
  --dim N          embedding dimension [64]
  --iters N        ALS sweeps [15]
  --lambda X       ridge regulariser, also used by fold-in [1]
  --alpha X        confidence scale, c = 1 + alpha·w [20]
  --decay X        recency decay per position, newest first [0.9]
  --pop-weight X   popularity bias scale [0.02]
  --seed N         initialisation seed [42]

EVAL (leave-one-out, full ranking; docs/QUALITY.md):
  PATH             a RecBole directory (Scientific) or an S3-Rec `user item item ...` file
  --model MODEL    pop | knn | ease | als | seq | peer
  --phase P        both | valid | test [both]: with `both`, every grid point is scored on
                   validation and the best NDCG@10 is refitted and scored on test; `test`
                   with several grid points scores each on test (a study, no selection)
  --rows F         dense row format(s) for als/seq: f32 | 8 | 4 [8]
  --max-bytes X    only grid points whose scoring sections take <= X bytes/item
  --ease-lambda L  EASE regulariser(s) [50,100,200,500,1000]
  --factors DIR    peer: DIR/{valid,test}_{users,items}.f32 from scripts/peer_implicit.py
  --shuffle SEED   shuffle the order of every history (the order ablation)
  --save FILE.lrm  als/seq: write the model scored on test (trained on seq[:-1])
  --users N        first N users only

NEIGHBOUR FLAGS (model seq; lists allowed; see src/train/transitions.rs):
  --nbr-top N --nbr-window N --nbr-decay X --nbr-backward X --nbr-source-norm X
  --nbr-target-norm X --nbr-recency X --nbr-mix X
  privacy (src/train/privacy.rs, docs/PRIVACY.md): --nbr-min-users K --nbr-user-cap X (inf:
  no bound) --nbr-dp-epsilon X (0: no noise; needs a finite cap) --nbr-dp-seed N

`train` fits implicit ALS on every user's full sequence and writes the model; --rows 4 stores
4-bit rows and any --nbr-* flag adds the NBRS neighbour section (docs/FORMAT.md § 1.6–1.7).
`splits` writes the validation and test training prefixes (one user a line, item rows) for
the peer script. `recommend` folds the KEYs in as views (oldest first) and prints the top k
unseen items.";

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

    /// A comma-separated list flag, or `[default]` when absent.
    fn list<T: std::str::FromStr + Clone>(&mut self, name: &str, default: T) -> Result<Vec<T>> {
        match self.flags.remove(name) {
            None => Ok(vec![default]),
            Some(v) => v
                .split(',')
                .map(|x| {
                    x.trim()
                        .parse()
                        .map_err(|_| invalid(format!("--{name}: cannot parse {x:?}")))
                })
                .collect(),
        }
    }

    /// Every combination of the training flags' lists.
    fn train_grid(&mut self) -> Result<Vec<TrainParams>> {
        let d = TrainParams::default();
        let dims = self.list("dim", d.dim)?;
        let iters = self.list("iters", d.iterations)?;
        let lambdas = self.list("lambda", d.lambda)?;
        let alphas = self.list("alpha", d.alpha)?;
        let decays = self.list("decay", d.decay)?;
        let pops = self.list("pop-weight", d.pop_weight)?;
        let seed = self.take("seed", d.seed)?;
        let mut out = Vec::new();
        for &dim in &dims {
            for &iterations in &iters {
                for &lambda in &lambdas {
                    for &alpha in &alphas {
                        for &decay in &decays {
                            for &pop_weight in &pops {
                                let p = TrainParams {
                                    dim,
                                    iterations,
                                    lambda,
                                    alpha,
                                    decay,
                                    pop_weight,
                                    seed,
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

    /// Every combination of the neighbour flags' lists.
    fn neighbour_grid(&mut self) -> Result<Vec<NeighbourParams>> {
        let d = NeighbourParams::default();
        let top = self.list("nbr-top", d.top)?;
        let window = self.list("nbr-window", d.window)?;
        let decay = self.list("nbr-decay", d.distance_decay)?;
        let back = self.list("nbr-backward", d.backward)?;
        let sn = self.list("nbr-source-norm", d.source_norm)?;
        let tn = self.list("nbr-target-norm", d.target_norm)?;
        let rec = self.list("nbr-recency", d.recency)?;
        let mix = self.list("nbr-mix", d.mix)?;
        let min_users = self.list("nbr-min-users", d.privacy.min_users)?;
        let user_cap = self.list("nbr-user-cap", d.privacy.user_cap)?;
        let dp_epsilon = self.list("nbr-dp-epsilon", d.privacy.dp_epsilon)?;
        let dp_seed = self.list("nbr-dp-seed", d.privacy.dp_seed)?;
        let mut out = vec![d];
        macro_rules! expand {
            ($vals:expr, $($field:ident).+) => {
                out = out
                    .iter()
                    .flat_map(|p| {
                        $vals.iter().map(move |v| {
                            let mut q = *p;
                            q.$($field).+ = *v;
                            q
                        })
                    })
                    .collect();
            };
        }
        expand!(top, top);
        expand!(window, window);
        expand!(decay, distance_decay);
        expand!(back, backward);
        expand!(sn, source_norm);
        expand!(tn, target_norm);
        expand!(rec, recency);
        expand!(mix, mix);
        expand!(min_users, privacy.min_users);
        expand!(user_cap, privacy.user_cap);
        expand!(dp_epsilon, privacy.dp_epsilon);
        expand!(dp_seed, privacy.dp_seed);
        for p in &out {
            p.validate()?;
        }
        Ok(out)
    }

    /// A comma-separated list flag, or `default` when absent.
    fn list_or<T: std::str::FromStr + Clone>(
        &mut self,
        name: &str,
        default: &[T],
    ) -> Result<Vec<T>> {
        if self.flags.contains_key(name) {
            self.list(name, default[0].clone())
        } else {
            Ok(default.to_vec())
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
    let rows: String = args.take("rows", "8".to_owned())?;
    let rows4 = match RowFormat::parse(&rows)? {
        RowFormat::Int8 => false,
        RowFormat::Int4 => true,
        RowFormat::F32 => return Err(invalid("--rows f32 is not a shipping format".into())),
    };
    let neighbours = if args.flags.keys().any(|k| k.starts_with("nbr-")) {
        match args.neighbour_grid()?.as_slice() {
            [one] => Some(*one),
            _ => return Err(invalid("train takes one value per --nbr-* flag".into())),
        }
    } else {
        None
    };
    args.finish()?;
    let data = Dataset::load(&data_dir)?;
    eprintln!(
        "{} items, {} users; {params:?}",
        data.items(),
        data.sequences.len()
    );
    let start = Instant::now();
    let model = train_model_with(
        &data,
        &params,
        rows4,
        neighbours.as_ref(),
        &mut print_progress,
    )?;
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

/// One result line; `RESULT` lines are what docs/QUALITY.md tabulates.
fn report(tag: &str, phase: Phase, label: &str, q: &Quality, bytes: f64, secs: f64) {
    println!(
        "{tag} {:<5} {label}  HR@10 {:.4}  NDCG@10 {:.4}  HR@20 {:.4}  NDCG@20 {:.4}  \
         bytes/item {bytes:.1}  cases {}  scored in {secs:.1} s",
        phase.name(),
        q.hr10,
        q.ndcg10,
        q.hr20,
        q.ndcg20,
        q.cases
    );
}

fn timed(split: &Split, items: usize, ranker: &dyn Ranker) -> (Quality, f64) {
    let start = Instant::now();
    let q = protocol::evaluate(split, items, ranker);
    (q, start.elapsed().as_secs_f64())
}

/// One candidate of a grid: a label, its validation quality and bytes per item.
struct Scored<C> {
    config: C,
    label: String,
    quality: Quality,
}

/// Picks the best validation NDCG@10 (first wins ties), announcing it.
fn best<C: Clone>(scored: &[Scored<C>]) -> Result<C> {
    let b = scored
        .iter()
        .reduce(|a, b| {
            if b.quality.ndcg10 > a.quality.ndcg10 {
                b
            } else {
                a
            }
        })
        .ok_or_else(|| invalid("no grid point fits --max-bytes".into()))?;
    println!("chosen on validation: {}", b.label);
    Ok(b.config.clone())
}

/// Which phases run: validation (grid) and/or test (refit with the chosen point).
fn phases(phase: &str) -> Result<(bool, bool)> {
    match phase {
        "both" => Ok((true, true)),
        "valid" => Ok((true, false)),
        "test" => Ok((false, true)),
        _ => Err(invalid(format!(
            "--phase must be both, valid or test, got {phase:?}"
        ))),
    }
}

struct Eval {
    data: SeqData,
    shuffle: Option<u64>,
    valid: bool,
    test: bool,
}

impl Eval {
    fn split(&self, phase: Phase) -> Split {
        let s = Split::new(&self.data.sequences, phase);
        match self.shuffle {
            Some(seed) => s.shuffled(seed),
            None => s,
        }
    }

    fn items(&self) -> usize {
        self.data.items()
    }

    /// Scores the grid on validation (when asked), then the chosen point on test.
    fn run<C: Clone>(
        &self,
        grid: &[C],
        label: impl Fn(&C) -> String,
        mut score: impl FnMut(Phase, &Split, &C) -> Result<Option<(Quality, f64, f64)>>,
    ) -> Result<()> {
        let chosen = if self.valid {
            let split = self.split(Phase::Validation);
            let mut scored = Vec::new();
            for c in grid {
                if let Some((q, bytes, secs)) = score(Phase::Validation, &split, c)? {
                    let l = label(c);
                    report("valid ", Phase::Validation, &l, &q, bytes, secs);
                    scored.push(Scored {
                        config: c.clone(),
                        label: l,
                        quality: q,
                    });
                }
            }
            best(&scored)?
        } else {
            match grid {
                [one] => one.clone(),
                _ => {
                    // A study, not a selection: every point on test, reported as `STUDY`.
                    let split = self.split(Phase::Test);
                    for c in grid {
                        if let Some((q, bytes, secs)) = score(Phase::Test, &split, c)? {
                            report("STUDY ", Phase::Test, &label(c), &q, bytes, secs);
                        }
                    }
                    return Ok(());
                }
            }
        };
        if self.test {
            let split = self.split(Phase::Test);
            if let Some((q, bytes, secs)) = score(Phase::Test, &split, &chosen)? {
                report("RESULT", Phase::Test, &label(&chosen), &q, bytes, secs);
            }
        }
        Ok(())
    }
}

fn factor_path(dir: &Path, phase: Phase, what: &str) -> PathBuf {
    dir.join(format!("{}_{what}.f32", phase.name()))
}

fn eval(mut args: Args) -> Result<()> {
    let path = args.path("data")?;
    let model = args
        .flags
        .remove("model")
        .ok_or_else(|| invalid("--model is required".into()))?;
    let phase: String = args.take("phase", "both".to_owned())?;
    let users: usize = args.take("users", usize::MAX)?;
    let shuffle: Option<u64> = match args.flags.remove("shuffle") {
        None => None,
        Some(v) => Some(
            v.parse()
                .map_err(|_| invalid("--shuffle: not a seed".into()))?,
        ),
    };
    let max_bytes: f64 = args.take("max-bytes", f64::INFINITY)?;
    let (valid, test) = phases(&phase)?;
    let start = Instant::now();
    let data = SeqData::load(&path)?.first_users(users);
    eprintln!(
        "{}: {} items, {} users, {} events",
        path.display(),
        data.items(),
        data.sequences.len(),
        data.events()
    );
    let ev = Eval {
        data,
        shuffle,
        valid,
        test,
    };
    let n = ev.items();
    match model.as_str() {
        "pop" => {
            args.finish()?;
            ev.run(
                &[()],
                |_| "popularity".into(),
                |_, split, _| {
                    let (q, t) = timed(split, n, &Popularity::fit(&split.train, n));
                    Ok(Some((q, 4.0, t)))
                },
            )?;
        }
        "knn" => {
            args.finish()?;
            ev.run(
                &[()],
                |_| "item-KNN cosine".into(),
                |_, split, _| {
                    let knn = ItemKnn::fit(&split.train, n);
                    let (q, t) = timed(split, n, &knn);
                    Ok(Some((q, 8.0 * knn.entries() as f64 / n as f64, t)))
                },
            )?;
        }
        "ease" => {
            let lambdas = args.list_or("ease-lambda", &[50.0f32, 100.0, 200.0, 500.0, 1000.0])?;
            args.finish()?;
            let mut gram: Option<(Phase, Vec<f32>)> = None;
            ev.run(
                &lambdas,
                |l| format!("EASE λ={l}"),
                |phase, split, &l| {
                    if gram.as_ref().is_none_or(|g| g.0 != phase) {
                        gram = Some((phase, baselines::gram(&split.train, n)));
                    }
                    let g = gram.as_ref().map(|g| g.1.as_slice()).unwrap_or(&[]);
                    let ease = Ease::fit(g, n, l)?;
                    let (q, t) = timed(split, n, &ease);
                    Ok(Some((q, ease.bytes() as f64 / n as f64, t)))
                },
            )?;
        }
        "peer" => {
            let dir = args.path("factors")?;
            let dim: usize = args.take("dim", 64)?;
            args.finish()?;
            ev.run(
                &[()],
                |_| format!("implicit ALS d={dim} (f32)"),
                |phase, split, _| {
                    let f = Factors::read(
                        &factor_path(&dir, phase, "users"),
                        &factor_path(&dir, phase, "items"),
                        dim,
                    )?;
                    if f.user_count() != split.train.len() || f.item_count() != n {
                        return Err(invalid(format!(
                            "peer factors: {} users × {} items, the split has {} × {n}",
                            f.user_count(),
                            f.item_count(),
                            split.train.len()
                        )));
                    }
                    let (q, t) = timed(split, n, &f);
                    Ok(Some((q, (4 * dim) as f64, t)))
                },
            )?;
        }
        "als" | "seq" => {
            let trains = args.train_grid()?;
            let formats = args
                .list("rows", "8".to_owned())?
                .iter()
                .map(|r| RowFormat::parse(r))
                .collect::<Result<Vec<_>>>()?;
            let nbrs: Vec<Option<NeighbourParams>> = if model == "seq" {
                args.neighbour_grid()?.into_iter().map(Some).collect()
            } else {
                vec![None]
            };
            let save: Option<PathBuf> = args.flags.remove("save").map(PathBuf::from);
            args.finish()?;
            let mut grid = Vec::new();
            for t in &trains {
                for f in &formats {
                    for nb in &nbrs {
                        if *f == RowFormat::F32 && nb.is_some() {
                            continue;
                        }
                        grid.push((*t, *f, *nb));
                    }
                }
            }
            let label = |(t, f, nb): &(TrainParams, RowFormat, Option<NeighbourParams>)| {
                let mut s = format!(
                    "ALS d={} iters={} λ={} α={} decay={} pop={} seed={} rows={}",
                    t.dim,
                    t.iterations,
                    t.lambda,
                    t.alpha,
                    t.decay,
                    t.pop_weight,
                    t.seed,
                    f.name()
                );
                if let Some(p) = nb {
                    s += &format!(
                        " + NBRS top={} window={} decay={} backward={} norm={}/{} recency={} \
                         mix={}",
                        p.top,
                        p.window,
                        p.distance_decay,
                        p.backward,
                        p.source_norm,
                        p.target_norm,
                        p.recency,
                        p.mix
                    );
                    let v = &p.privacy;
                    s += &format!(
                        " min_users={} user_cap={} dp_epsilon={} dp_seed={}",
                        v.min_users, v.user_cap, v.dp_epsilon, v.dp_seed
                    );
                }
                s
            };
            let mut dense: Option<(Phase, TrainParams, experiment::Dense)> = None;
            let keys = ev.data.keys.clone();
            ev.run(&grid, label, |phase, split, (t, f, nb)| {
                if dense.as_ref().is_none_or(|d| d.0 != phase || d.1 != *t) {
                    let d = experiment::train_dense(split, n, t, &mut print_progress)?;
                    dense = Some((phase, *t, d));
                }
                let Some((_, _, d)) = dense.as_ref() else {
                    return Ok(None);
                };
                if *f == RowFormat::F32 {
                    let (q, secs) = timed(split, n, &F32Als::new(d, t));
                    return Ok(Some((q, f.bytes_per_item(t.dim) as f64, secs)));
                }
                let (m, size) = experiment::ship(&keys, split, d, t, *f, nb.as_ref())?;
                let bytes = experiment::scoring_bytes_per_item(&m);
                if let (Phase::Test, Some(path)) = (phase, save.as_ref()) {
                    std::fs::write(path, m.to_bytes()).map_err(|e| Error::Io {
                        path: path.display().to_string(),
                        reason: e.to_string(),
                    })?;
                    eprintln!("wrote {} ({size} bytes)", path.display());
                }
                if bytes > max_bytes {
                    return Ok(None);
                }
                let (q, secs) = timed(split, n, &Device(&m));
                Ok(Some((q, bytes, secs)))
            })?;
        }
        other => return Err(invalid(format!("unknown --model {other:?} (see --help)"))),
    }
    eprintln!("total {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// `localrank splits`: the training prefixes of both phases, one user a line (0-based rows).
fn splits(mut args: Args) -> Result<()> {
    let path = args.path("data")?;
    let out = args.path("out")?;
    args.finish()?;
    let data = SeqData::load(&path)?;
    std::fs::create_dir_all(&out).map_err(|e| Error::Io {
        path: out.display().to_string(),
        reason: e.to_string(),
    })?;
    for phase in [Phase::Validation, Phase::Test] {
        let split = Split::new(&data.sequences, phase);
        let text: String = split
            .train
            .iter()
            .map(|s| {
                let items: Vec<String> = s.iter().map(u32::to_string).collect();
                items.join(" ") + "\n"
            })
            .collect();
        let file = out.join(format!("{}_train.txt", phase.name()));
        std::fs::write(&file, text).map_err(|e| Error::Io {
            path: file.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    std::fs::write(out.join("items.txt"), format!("{}\n", data.items())).map_err(|e| {
        Error::Io {
            path: out.display().to_string(),
            reason: e.to_string(),
        }
    })?;
    println!(
        "wrote {}/{{valid,test}}_train.txt and items.txt",
        out.display()
    );
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
    // Exactly the engine's scores: fold-in, dense scores and the optional NBRS term.
    let scores = pipeline::scores(&model, &Scorer::default(), &history).to_vec();
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
        "splits" => splits(args),
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
