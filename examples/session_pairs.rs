//! Does cutting next-item pairs at session boundaries help? Reads a store's event log (any
//! format `localrank train --events` reads, with a `session_id` column), trains ALS once on the
//! leave-one-out validation split, and scores the shipped model with `NBRS` lists counted across
//! sessions and within sessions (docs/TRAINING.md § Sessions).
//!
//! ```sh
//! cargo build --profile native --features train --example session_pairs
//! target/native/examples/session_pairs events.csv [view=view,addtocart=cart,transaction=purchase]
//! ```

use localrank::train::experiment::{self, Device, RowFormat};
use localrank::train::protocol;
use localrank::train::splits::Splits;
use localrank::train::store::{self, StoreOptions};
use localrank::train::transitions;
use localrank::train::tune::Candidate;
use localrank::{Error, Model, Result};

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or_else(|| Error::InvalidArgument("usage: session_pairs EVENTS [EVENT_MAP]".into()))?;
    let mut opts = StoreOptions::new(path, None);
    if let Some(map) = args.get(1) {
        opts.event_map = map.parse()?;
    }
    let data = store::load(&opts, &mut |_, _, _| {})?;
    let sessions = data
        .session_sequences()
        .ok_or_else(|| Error::InvalidArgument(format!("{path} has no session_id column")))?;
    let sequences = data.item_sequences();
    let splits = Splits::leave_one_out(&sequences).sampled(10_000, 42);
    let c = Candidate::scientific();
    let n = data.items();
    let dense = experiment::train_dense(&splits.valid, n, &c.train, &mut |_| {})?;
    for (name, s) in [
        ("across sessions", None),
        ("within sessions", Some(&sessions[..])),
    ] {
        let (mut m, _) = experiment::ship(
            &data.keys,
            &splits.valid,
            &dense,
            &c.train,
            RowFormat::Int4,
            None,
        )?;
        let nb = transitions::build_in_sessions(&splits.valid.train, s, n, &c.neighbours)?;
        m.extra.neighbours = Some(nb);
        let m = Model::from_bytes(&m.to_bytes())?;
        let v = protocol::evaluate(&splits.valid, n, &Device(&m));
        let t = protocol::evaluate(&splits.test, n, &Device(&m));
        println!(
            "{name}: validation NDCG@10 {:.4} HR@10 {:.4} ({} users); test NDCG@10 {:.4} HR@10 {:.4}",
            v.ndcg10, v.hr10, v.cases, t.ndcg10, t.hr10
        );
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("session_pairs: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
