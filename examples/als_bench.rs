//! One timed ALS fit on an evaluation dataset, for `scripts/als_vs_implicit.sh`
//! (docs/TRAINING.md): loads the data through [`SeqData`], builds the trainer's
//! [`Interactions`], trains with the given solver and threads and prints the ALS seconds
//! (loading excluded). `--export FILE` writes the same weighted matrix for `implicit`
//! (little-endian `u32 user, u32 item, f32 confidence = 1 + α·w` per pair) and exits.
//!
//! ```sh
//! cargo run --profile native --features train --example als_bench -- \
//!   --data ../shared/datasets/amazon-sports-toys-s3rec/Sports_and_Outdoors.txt --threads 1
//! ```

use std::path::PathBuf;
use std::time::Instant;

use localrank::train::als::{self, Interactions, Solver};
use localrank::train::seqdata::SeqData;
use localrank::train::TrainParams;
use localrank::{Error, Result};

/// CPU seconds of this process, all threads (utime + stime of `/proc/self/stat`, in the
/// kernel's 100 Hz ticks); `None` where that file is unavailable.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn flag(args: &[String], name: &str) -> Option<String> {
    let k = args.iter().position(|a| a == name)?;
    args.get(k + 1).cloned()
}

fn parsed<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T> {
    match flag(args, name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| Error::InvalidArgument(format!("{name}: cannot parse {v:?}"))),
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = flag(&args, "--data")
        .map(PathBuf::from)
        .ok_or_else(|| Error::InvalidArgument("--data is required".into()))?;
    let d = TrainParams::default();
    let params = TrainParams {
        dim: parsed(&args, "--dim", d.dim)?,
        iterations: parsed(&args, "--iters", d.iterations)?,
        threads: parsed(&args, "--threads", d.threads)?,
        solver: match flag(&args, "--solver") {
            Some(s) => s.parse::<Solver>()?,
            None => d.solver,
        },
        ..d
    };
    params.validate()?;
    let seq = SeqData::load(&data)?;
    let inter = Interactions::from_sequences(&seq.sequences, seq.items(), &params);
    if let Some(path) = flag(&args, "--export") {
        let mut bytes = Vec::with_capacity(inter.pairs() * 12);
        for (u, row) in inter.by_user.iter().enumerate() {
            for &(i, w) in row {
                bytes.extend((u as u32).to_le_bytes());
                bytes.extend(i.to_le_bytes());
                let c = 1.0 + f64::from(params.alpha) * w;
                bytes.extend((c as f32).to_le_bytes());
            }
        }
        std::fs::write(&path, bytes).map_err(|e| Error::Io {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        println!(
            "{} users, {} items, {} pairs -> {path}",
            seq.sequences.len(),
            seq.items(),
            inter.pairs()
        );
        return Ok(());
    }
    let (start, cpu0) = (Instant::now(), cpu_seconds());
    let f = als::train(&inter, &params, &mut |_| {})?;
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map_or(f64::NAN, |(b, a)| b - a);
    let norm: f64 = f.items.iter().map(|v| v * v).sum();
    println!(
        "localrank {:?} threads={} d={} iters={} seconds {secs:.3} cpu {cpu:.2} (|Y|² {norm:.4})",
        params.solver, params.threads, params.dim, params.iterations
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("als_bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
