//! Scale run of the trainer on a generated store (docs/TRAINING.md § Scale): generates the
//! events of [`localrank::train::synth`] in memory, then times ALS, the `NBRS` neighbour lists
//! and packing as `make model` configures them. Peak memory comes from `/usr/bin/time -v`.
//!
//! ```sh
//! cargo build --profile native --features train --example synth_store
//! /usr/bin/time -v target/native/examples/synth_store --events 20000000 [--threads N] [--csv FILE] [--catalog-out FILE]
//! ```
//! `--csv FILE` also writes the log as CSV and `--catalog-out FILE` the catalogue as JSON Lines
//! (item key, title, category, price, in stock), for the end-to-end `localrank train` from
//! files (scripts/scale_run.sh); `--csv-only` stops after writing them.

use std::time::Instant;

use localrank::train::als::{self, Interactions};
use localrank::train::pack::pack_plain;
use localrank::train::synth::{StoreShape, SynthStore};
use localrank::train::transitions;
use localrank::train::tune::Candidate;
use localrank::train::TrainParams;
use localrank::{Error, Result};

fn flag<T: std::str::FromStr>(args: &[String], name: &str) -> Result<Option<T>> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(k) => args
            .get(k + 1)
            .and_then(|v| v.parse().ok())
            .map(Some)
            .ok_or_else(|| Error::InvalidArgument(format!("{name} needs a value"))),
    }
}

/// Creates `path` and writes it through a buffer with `write`.
fn write_file(
    path: &str,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<usize>,
) -> Result<usize> {
    let io = |e: std::io::Error| Error::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    let n = write(&mut out)?;
    std::io::Write::flush(&mut out).map_err(io)?;
    Ok(n)
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let events: usize = flag(&args, "--events")?.unwrap_or(2_000_000);
    let mut shape = StoreShape::scaled(events);
    shape.users = flag(&args, "--users")?.unwrap_or(shape.users);
    shape.items = flag(&args, "--items")?.unwrap_or(shape.items);
    let params = TrainParams {
        threads: flag(&args, "--threads")?.unwrap_or(0),
        iterations: flag(&args, "--iters")?.unwrap_or(15),
        ..TrainParams::default()
    };
    let store = SynthStore::new(shape)?;
    let start = Instant::now();
    if let Some(path) = flag::<String>(&args, "--csv")? {
        let n = write_file(&path, |out| store.write_csv(out))?;
        let secs = start.elapsed().as_secs_f64();
        println!("wrote {path}: {n} events in {secs:.1} s");
    }
    if let Some(path) = flag::<String>(&args, "--catalog-out")? {
        let n = write_file(&path, |out| store.write_catalog_jsonl(out))?;
        println!("wrote {path}: {n} products");
    }
    if args.iter().any(|a| a == "--csv-only") {
        return Ok(());
    }
    let t = Instant::now();
    let sequences = store.sequences();
    let total: usize = sequences.iter().map(Vec::len).sum();
    let generate = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let inter = Interactions::from_sequences(&sequences, shape.items, &params);
    let weights = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let factors = als::train(&inter, &params, &mut |p| {
        eprintln!(
            "sweep {}/{} {:.1} s",
            p.iteration,
            p.iterations,
            p.elapsed.as_secs_f64()
        );
    })?;
    let als_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    // The shipped neighbour settings (the Makefile's MODEL_FLAGS), as `--tune` starts from.
    let nbr = Candidate::scientific().neighbours;
    let neighbours = transitions::build(&sequences, shape.items, &nbr)?;
    let nbr_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut model = pack_plain(&store.keys(), &factors.items, inter.counts(), &params, true)?;
    model.extra.neighbours = Some(neighbours);
    let bytes = model.to_bytes().len();
    let pack_secs = t.elapsed().as_secs_f64();
    let measured = weights + als_secs + nbr_secs + pack_secs;
    println!(
        "store: {} users, {} items, {total} events ({} pairs); generate {generate:.1} s, \
         weights {weights:.1} s, ALS {als_secs:.1} s, neighbours {nbr_secs:.1} s, pack {pack_secs:.1} s; \
         weights+ALS+neighbours+pack {measured:.1} s = {:.0} events/s; model {bytes} bytes",
        shape.users,
        shape.items,
        inter.pairs(),
        total as f64 / measured
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("synth_store: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
