//! `localrank eval` (leave-one-out, full ranking: docs/QUALITY.md) over grids of settings, and
//! `localrank splits` (the training prefixes for the peer script).

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};
use localrank::train::baselines::{self, Ease, Factors, ItemKnn, Popularity};
use localrank::train::experiment::{self, Device, F32Als, RowFormat};
use localrank::train::protocol::{self, Phase, Quality, Ranker, Split};
use localrank::train::seqdata::SeqData;
use localrank::train::transitions::NeighbourParams;
use localrank::train::TrainParams;
use localrank::{Error, Result};

use crate::args::{GridFlags, List, NbrFlags};
use crate::{invalid, progress, write_file};

/// The models `eval` scores.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelArg {
    /// Popularity
    Pop,
    /// Item-KNN cosine
    Knn,
    /// Full EASE (--ease-lambda)
    Ease,
    /// localrank ALS (dense rows)
    Als,
    /// localrank ALS + NBRS neighbour lists (--nbr-*)
    Seq,
    /// Factors of scripts/peer_implicit.py (--factors)
    Peer,
}

impl ModelArg {
    fn name(self) -> &'static str {
        match self {
            ModelArg::Pop => "pop",
            ModelArg::Knn => "knn",
            ModelArg::Ease => "ease",
            ModelArg::Als => "als",
            ModelArg::Seq => "seq",
            ModelArg::Peer => "peer",
        }
    }
}

/// Which phases `eval` runs.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseArg {
    /// Every grid point on validation, the best NDCG@10 refitted and scored on test
    Both,
    /// Validation only
    Valid,
    /// Test only; several grid points are a study (each scored on test, no selection)
    Test,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// A RecBole directory (Scientific) or an S3-Rec `user item item ...` file
    #[arg(long)]
    data: PathBuf,
    /// The model to score
    #[arg(long, value_enum)]
    model: ModelArg,
    #[arg(long, value_enum, default_value = "both")]
    phase: PhaseArg,
    /// Dense row format(s) for als/seq: f32 | 8 | 4
    #[arg(long, default_value = "8", value_name = "F[,F…]")]
    rows: List<String>,
    /// Only grid points whose scoring sections take <= X bytes/item
    #[arg(long)]
    max_bytes: Option<f64>,
    /// EASE regulariser(s) [50,100,200,500,1000]
    #[arg(long, value_name = "L[,L…]")]
    ease_lambda: Option<List<f32>>,
    /// peer: DIR/{valid,test}_{users,items}.f32 from scripts/peer_implicit.py
    #[arg(long)]
    factors: Option<PathBuf>,
    /// Shuffle the order of every history (the order ablation)
    #[arg(long, value_name = "SEED")]
    shuffle: Option<u64>,
    /// als/seq: write the model scored on test (trained on seq[:-1])
    #[arg(long, value_name = "FILE.lrm")]
    save: Option<PathBuf>,
    /// First N users only
    #[arg(long, value_name = "N")]
    users: Option<usize>,
    #[command(flatten)]
    train: GridFlags,
    #[command(flatten)]
    nbr: NbrFlags,
}

impl EvalArgs {
    /// Refuses flags the chosen model does not use (a typo should not be silently ignored).
    fn check_flags(&self) -> Result<()> {
        let m = self.model;
        let unused = [
            ("--nbr-*", self.nbr.any() && m != ModelArg::Seq),
            (
                "--ease-lambda",
                self.ease_lambda.is_some() && m != ModelArg::Ease,
            ),
            ("--factors", self.factors.is_some() && m != ModelArg::Peer),
            (
                "--save",
                self.save.is_some() && !matches!(m, ModelArg::Als | ModelArg::Seq),
            ),
        ];
        match unused.iter().find(|(_, bad)| *bad) {
            Some((flag, _)) => Err(invalid(format!(
                "{flag} does not apply to --model {}",
                m.name()
            ))),
            None => Ok(()),
        }
    }
}

#[derive(Args, Debug)]
pub struct SplitsArgs {
    /// A RecBole directory or an S3-Rec file
    #[arg(long)]
    data: PathBuf,
    /// Output folder
    #[arg(long)]
    out: PathBuf,
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
fn phases(phase: PhaseArg) -> (bool, bool) {
    match phase {
        PhaseArg::Both => (true, true),
        PhaseArg::Valid => (true, false),
        PhaseArg::Test => (false, true),
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

/// `localrank eval`.
pub fn eval(args: EvalArgs) -> Result<()> {
    args.check_flags()?;
    let path = args.data.clone();
    let model = args.model.name();
    let users = args.users.unwrap_or(usize::MAX);
    let shuffle = args.shuffle;
    let max_bytes = args.max_bytes.unwrap_or(f64::INFINITY);
    let (valid, test) = phases(args.phase);
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
    match model {
        "pop" => {
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
            let lambdas = args.ease_lambda.as_ref().map_or_else(
                || vec![50.0f32, 100.0, 200.0, 500.0, 1000.0],
                |l| l.0.clone(),
            );
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
            let dir = args
                .factors
                .clone()
                .ok_or_else(|| invalid("--model peer needs --factors DIR".into()))?;
            let dim = List::or(&args.train.dim, TrainParams::default().dim)[0];
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
            let trains = args.train.grid()?;
            let formats = args
                .rows
                .0
                .iter()
                .map(|r| RowFormat::parse(r))
                .collect::<Result<Vec<_>>>()?;
            let nbrs: Vec<Option<NeighbourParams>> = if model == "seq" {
                args.nbr.grid()?.into_iter().map(Some).collect()
            } else {
                vec![None]
            };
            let save = args.save.clone();
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
                }
                s
            };
            let mut dense: Option<(Phase, TrainParams, experiment::Dense)> = None;
            let keys = ev.data.keys.clone();
            ev.run(&grid, label, |phase, split, (t, f, nb)| {
                if dense.as_ref().is_none_or(|d| d.0 != phase || d.1 != *t) {
                    let bar = progress::sweeps(t.iterations);
                    let d =
                        experiment::train_dense(split, n, t, &mut |p| progress::sweep(&bar, p))?;
                    bar.finish_and_clear();
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
                    write_file(path, &m.to_bytes())?;
                    eprintln!("wrote {} ({size} bytes)", path.display());
                }
                if bytes > max_bytes {
                    return Ok(None);
                }
                let (q, secs) = timed(split, n, &Device(&m));
                Ok(Some((q, bytes, secs)))
            })?;
        }
        _ => unreachable!("clap accepts only the models above"),
    }
    eprintln!("total {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// `localrank splits`: the training prefixes of both phases, one user a line (0-based rows).
pub fn splits(args: SplitsArgs) -> Result<()> {
    let (path, out) = (args.data, args.out);
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
    // The whole sequences: the input of a job that holds the newest event out itself
    // (spark/train.py --holdout-users all, docs/SCALE.md § 4).
    let full: String = data
        .sequences
        .iter()
        .map(|s| s.iter().map(u32::to_string).collect::<Vec<_>>().join(" ") + "\n")
        .collect();
    let file = out.join("full_train.txt");
    std::fs::write(&file, full).map_err(|e| Error::Io {
        path: file.display().to_string(),
        reason: e.to_string(),
    })?;
    std::fs::write(out.join("items.txt"), format!("{}\n", data.items())).map_err(|e| {
        Error::Io {
            path: out.display().to_string(),
            reason: e.to_string(),
        }
    })?;
    println!(
        "wrote {}/{{valid,test,full}}_train.txt and items.txt",
        out.display()
    );
    Ok(())
}
