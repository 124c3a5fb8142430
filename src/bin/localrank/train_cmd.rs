//! `localrank train`: from a store's event log and catalogue (`--events`, `--catalog`), or from
//! the bundled Scientific data (`--data`), to a `.lrm` file — with progress, every dropped row
//! reported by reason, and the provenance record.

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::Args;
use localrank::train::cold::{self, ColdOptions, ColdReport, Placement};
use localrank::train::experiment::RowFormat;
use localrank::train::from_store::{self, Phase, ShipOptions};
use localrank::train::store::options::{
    parse_delimiter, BadRowLimit, Encoding, EventColumns, EventMap, FileOptions, Format,
    StoreOptions, TimeUnit, UnknownItems,
};
use localrank::train::store::{self, Reading, StoreData};
use localrank::train::{train_model_report, Dataset, TrainParams};
use localrank::{Error, Model, Result};

use crate::args::{AttrDefaultFlags, CatalogFlags, List, NbrFlags, TrainFlags};
use crate::tune_cmd::{self, TuneFlags};
use crate::{invalid, progress, write_file};

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// The store's event log: CSV/TSV, JSON Lines or Parquet
    #[arg(long, value_name = "FILE", required_unless_present = "data")]
    events: Option<PathBuf>,
    /// The store's catalogue (item key plus any attributes)
    #[arg(long, value_name = "FILE", conflicts_with = "data")]
    catalog: Option<PathBuf>,
    /// The bundled Scientific data (a RecBole directory) instead of --events
    #[arg(long, value_name = "DIR", conflicts_with = "events")]
    data: Option<PathBuf>,
    /// Where to write the model
    #[arg(long, value_name = "FILE.lrm")]
    out: PathBuf,
    /// Row format: 8 (int8) or 4 (4-bit)
    #[arg(long, default_value = "8", value_parser = ["8", "4", "int8", "int4"])]
    rows: String,
    #[command(flatten)]
    defaults: AttrDefaultFlags,
    #[command(flatten)]
    store: StoreFlags,
    #[command(flatten)]
    catalog_flags: CatalogFlags,
    #[command(flatten)]
    train: TrainFlags,
    #[command(flatten)]
    nbr: NbrFlags,
    #[command(flatten)]
    tune: TuneFlags,
    #[command(flatten)]
    cold: ColdFlags,
}

/// Cold start: catalogue items with too few events (README § Cold start).
#[derive(Args, Debug)]
pub struct ColdFlags {
    /// How items with fewer than --cold-min-events events get their vector: content (the
    /// nearest trained items by title words, category path and brand), popularity (the
    /// count-weighted mean of trained items) or none (as trained: zero without events)
    #[arg(
        long,
        default_value = "content",
        value_name = "none|content|popularity"
    )]
    cold_placement: Placement,
    /// Items with fewer events than this are placed (1: only items without any event)
    #[arg(long, default_value_t = cold::DEFAULT_MIN_EVENTS, value_name = "N")]
    cold_min_events: u32,
    /// Content neighbours averaged per placed item
    #[arg(long, default_value_t = cold::DEFAULT_NEIGHBOURS, value_name = "M")]
    cold_neighbours: usize,
}

impl ColdFlags {
    fn options(&self) -> Result<ColdOptions> {
        let o = ColdOptions {
            placement: self.cold_placement,
            min_events: self.cold_min_events,
            neighbours: self.cold_neighbours,
        };
        o.validate()?;
        Ok(o)
    }
}

/// How to read the store's files (with --events only).
#[derive(Args, Debug)]
#[group(requires = "events", multiple = true)]
pub struct StoreFlags {
    /// Event file format [from the extension]
    #[arg(long, value_name = "csv|tsv|jsonl|parquet")]
    events_format: Option<Format>,
    /// Event file CSV delimiter (one character or `tab`) [`,`; tab for .tsv]
    #[arg(long, value_parser = parse_delimiter, value_name = "C")]
    events_delimiter: Option<u8>,
    /// Column names of a headerless event file (comma-separated)
    #[arg(long, value_name = "A,B,…")]
    events_columns: Option<List<String>>,
    /// Text encoding of both files: utf-8 or latin-1
    #[arg(long, default_value = "utf-8")]
    encoding: Encoding,
    /// User id column
    #[arg(long, default_value = "user_id")]
    user_col: String,
    /// Item key column, in the events and (unless --catalog-item-col) the catalogue
    #[arg(long, default_value = "item_id")]
    item_col: String,
    /// Timestamp column: Unix s/ms/µs/ns or ISO 8601
    #[arg(long, default_value = "timestamp")]
    time_col: String,
    /// Event-type column; without this flag a file lacking `event_type` is all views
    #[arg(long)]
    event_col: Option<String>,
    /// Session-id column [`session_id` when the file has it]; naming it makes it required
    #[arg(long)]
    session_col: Option<String>,
    /// Count next-item pairs only within a session (needs a session column)
    #[arg(long)]
    nbr_within_sessions: bool,
    /// Event types → kinds (view, cart, purchase), e.g. view=view,addtocart=cart,transaction=purchase
    #[arg(long, default_value = "view=view,cart=cart,purchase=purchase")]
    event_map: EventMap,
    /// Unit of numeric timestamps: auto (by magnitude: < 1e11 s, < 1e14 ms, < 1e17 µs, else ns), s, ms, us, ns
    #[arg(long, default_value = "auto")]
    time_unit: TimeUnit,
    /// Most unusable rows per file before training stops: N rows or P%
    #[arg(long, default_value = "1%")]
    max_bad_rows: BadRowLimit,
    /// Events for items the catalogue lacks: keep (key as title) or refuse (dropped, counted)
    #[arg(long, default_value = "keep", value_parser = ["keep", "refuse"])]
    unknown_items: String,
}

impl TrainArgs {
    fn store_options(&self, events: PathBuf) -> Result<StoreOptions> {
        let s = &self.store;
        let file = |path: PathBuf, format, delimiter, columns: &Option<List<String>>, encoding| {
            FileOptions {
                path,
                format,
                delimiter,
                columns: columns.as_ref().map(|c| c.0.clone()),
                encoding,
            }
        };
        Ok(StoreOptions {
            events: file(
                events,
                s.events_format,
                s.events_delimiter,
                &s.events_columns,
                s.encoding,
            ),
            catalog: self
                .catalog
                .clone()
                .map(|c| self.catalog_flags.file(c, s.encoding)),
            event_columns: EventColumns {
                user: s.user_col.clone(),
                item: s.item_col.clone(),
                time: s.time_col.clone(),
                event: s
                    .event_col
                    .clone()
                    .unwrap_or_else(|| EventColumns::default().event),
                event_explicit: s.event_col.is_some(),
                session: s
                    .session_col
                    .clone()
                    .unwrap_or_else(|| EventColumns::default().session),
                session_explicit: s.session_col.is_some(),
            },
            catalog_columns: self.catalog_flags.columns(),
            event_map: s.event_map.clone(),
            time_unit: s.time_unit,
            max_bad_rows: s.max_bad_rows,
            unknown_items: s.unknown_items.parse::<UnknownItems>()?,
        })
    }

    fn ship(&self) -> Result<ShipOptions> {
        let rows4 = match RowFormat::parse(&self.rows)? {
            RowFormat::Int4 => true,
            RowFormat::Int8 => false,
            RowFormat::F32 => return Err(invalid("--rows f32 is not a shipping format".into())),
        };
        Ok(ShipOptions {
            rows4,
            neighbours: self.nbr.single()?,
            within_sessions: self.store.nbr_within_sessions,
            cold: self.cold.options()?,
        })
    }
}

/// The creation time recorded in the model: `SOURCE_DATE_EPOCH` when set (reproducible
/// builds), else now.
pub fn created_unix() -> Result<i64> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|_| invalid(format!("SOURCE_DATE_EPOCH {v:?} is not a Unix time"))),
        Err(_) => Ok(SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)),
    }
}

/// Reads the store's files with a progress bar each, then prints what happened to the rows.
fn read_store(opts: &StoreOptions) -> Result<StoreData> {
    let bars = [
        opts.catalog.as_ref().map(|c| {
            let rows = c.resolved_format().ok() == Some(Format::Parquet);
            progress::reading(&c.display(), rows)
        }),
        Some({
            let rows = opts.events.resolved_format().ok() == Some(Format::Parquet);
            progress::reading(&opts.events.display(), rows)
        }),
    ];
    let data = store::load(opts, &mut |file, done, total| {
        let bar = match file {
            Reading::Catalog => &bars[0],
            Reading::Events => &bars[1],
        };
        if let Some(bar) = bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    });
    bars.iter().flatten().for_each(|b| b.finish_and_clear());
    let data = data?;
    if let Some(r) = &data.catalog_report {
        eprintln!("{r}");
    }
    eprintln!("{}", data.events_report);
    Ok(data)
}

/// Wall-clock seconds per phase, printed at the end and recorded in the report.
#[derive(Default)]
struct Phases {
    done: Vec<(String, f64)>,
    mark: Option<Instant>,
}

impl Phases {
    /// Ends the running phase as `name` and starts the next one.
    fn end(&mut self, name: &str) {
        let now = Instant::now();
        let start = self.mark.replace(now).unwrap_or(now);
        self.done
            .push((name.to_owned(), now.duration_since(start).as_secs_f64()));
    }

    /// `phases: read 1.0 s, ALS 2.0 s, …` (what scripts/scale_run.sh reads).
    fn line(&self) -> String {
        let parts: Vec<String> = self
            .done
            .iter()
            .map(|(n, s)| format!("{n} {s:.1} s"))
            .collect();
        format!("phases: {}", parts.join(", "))
    }
}

fn train_store(args: &TrainArgs, events: PathBuf, params: &TrainParams) -> Result<Model> {
    let start = Instant::now();
    let mut phases = Phases {
        mark: Some(start),
        ..Phases::default()
    };
    let opts = args.store_options(events)?;
    let mut ship = args.ship()?;
    let data = read_store(&opts)?;
    phases.end("read");
    let with_events = data.sequences.iter().flatten().map(|e| e.item as usize);
    let mut has_events = vec![false; data.items()];
    with_events.for_each(|i| has_events[i] = true);
    let cold = has_events.iter().filter(|h| !**h).count();
    eprintln!(
        "{} items ({cold} without events), {} users, {} events",
        data.items(),
        data.sequences.len(),
        data.events()
    );
    let sequences = data.item_sequences();
    let splits = tune_cmd::splits(&args.tune, &data, &sequences)?;
    phases.end("prepare");
    let mut params = *params;
    let tuned = if args.tune.tune {
        let from = tune_cmd::start(&params, ship.neighbours);
        let t = tune_cmd::search(
            &args.tune, &data.keys, &sequences, &splits, from, ship.rows4,
        )?;
        // The chosen settings, refitted on every event with its kind (the search scores views).
        params = t.chosen.candidate.train;
        ship.neighbours = Some(t.chosen.candidate.neighbours);
        phases.end("tune");
        Some(t)
    } else {
        None
    };
    eprintln!("training: {params:?}");
    let bar = progress::sweeps(params.iterations);
    let mut spinner = None;
    let trained = from_store::train_store_report(&data, &params, &ship, &mut |phase| match phase {
        Phase::Sweep(p) => progress::sweep(&bar, p),
        Phase::Pack => phases.end("ALS"),
        Phase::Neighbours => {
            phases.end("pack");
            bar.finish_and_clear();
            spinner = Some(progress::spinner("counting next-item neighbours"));
        }
    });
    bar.finish_and_clear();
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let (mut model, cold) = trained?;
    args.defaults.apply(&mut model)?;
    phases.end(if ship.neighbours.is_some() {
        "neighbours"
    } else {
        "pack"
    });
    report_cold(&cold);
    let mut prov = from_store::provenance(&opts, &data, &params, &ship, created_unix()?)?;
    prov.set("cold_start", cold.describe());
    if let Some(d) = args.defaults.describe() {
        prov.set("attr_defaults", d);
    }
    model.extra.provenance = Some(prov);
    if !args.tune.no_report {
        let candidate = tune_cmd::start(&params, ship.neighbours);
        tune_cmd::write_report(
            &args.tune,
            &data,
            &sequences,
            &data.keys,
            &splits,
            tune_cmd::Written {
                out: &args.out,
                model: &model.to_bytes(),
                candidate: &candidate,
                rows4: ship.rows4,
                tuned: tuned.as_ref(),
                seconds: start.elapsed().as_secs_f64(),
                phases: phases.done.clone(),
            },
        )?;
        phases.end("report");
    }
    eprintln!("{}", phases.line());
    Ok(model)
}

fn train_scientific(args: &TrainArgs, dir: PathBuf, params: &TrainParams) -> Result<Model> {
    let ship = args.ship()?;
    let data = Dataset::load(&dir)?;
    eprintln!(
        "{} items, {} users; {params:?}",
        data.items(),
        data.sequences.len()
    );
    let bar = progress::sweeps(params.iterations);
    let trained = train_model_report(&data, params, &ship, &mut |p| progress::sweep(&bar, p));
    bar.finish_and_clear();
    let (mut model, cold) = trained?;
    args.defaults.apply(&mut model)?;
    report_cold(&cold);
    Ok(model)
}

/// Prints what cold-start placement did.
fn report_cold(cold: &ColdReport) {
    eprintln!("cold start: {}", cold.describe());
}

pub fn run(args: TrainArgs) -> Result<()> {
    let params = args.train.params()?;
    let start = Instant::now();
    let model = match (args.events.clone(), args.data.clone()) {
        (Some(events), None) => train_store(&args, events, &params)?,
        (None, Some(dir)) => train_scientific(&args, dir, &params)?,
        _ => return Err(Error::InvalidArgument("give --events or --data".into())),
    };
    let bytes = model.to_bytes();
    write_file(&args.out, &bytes)?;
    println!(
        "wrote {}: {} items, dim {}, {} bytes, trained in {:.1} s",
        args.out.display(),
        model.len(),
        model.dim(),
        bytes.len(),
        start.elapsed().as_secs_f64()
    );
    // What a page passes to `Recommender.load(bytes, {sha256})`, and the id it then reports.
    let (sha_id, crc_id) = from_store::model_ids(&bytes);
    println!("sha256 {}", from_store::sha256_hex(&bytes));
    println!("model id {sha_id} (loaded with its sha256), {crc_id} (without)");
    Ok(())
}
