//! Progress on stderr (`indicatif`): a bar with ETA per file read and over the ALS sweeps, a
//! spinner for phases without a known length. Hidden when stderr is not a terminal.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use localrank::train::als;

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// A bar for reading `what`, in bytes (or rows for Parquet).
pub fn reading(what: &str, rows: bool) -> ProgressBar {
    let unit = if rows {
        "{pos}/{len} rows"
    } else {
        "{bytes}/{total_bytes}"
    };
    let bar = ProgressBar::new(0);
    bar.set_style(style(&format!(
        "{{msg:>12}} [{{bar:30}}] {unit} (ETA {{eta}})"
    )));
    bar.set_message(format!("reading {what}"));
    bar
}

/// A bar over ALS sweeps; `update` it with each sweep's report.
pub fn sweeps(iterations: usize) -> ProgressBar {
    let bar = ProgressBar::new(iterations as u64);
    bar.set_style(style(
        "{msg:>12} [{bar:30}] {pos}/{len} sweeps, {elapsed} (ETA {eta})",
    ));
    bar.set_message("ALS");
    bar
}

/// A bar over the trials of `--tune` (each trial fits and scores one candidate).
pub fn trials(budget: usize) -> ProgressBar {
    let bar = ProgressBar::new(budget as u64);
    bar.set_style(style(
        "{msg:>12} [{bar:30}] {pos}/{len} trials, {elapsed} (ETA {eta})",
    ));
    bar.set_message("tuning");
    bar
}

/// Advances a sweep bar; also logs the sweep when the bar is hidden (not a terminal).
pub fn sweep(bar: &ProgressBar, p: &als::Progress) {
    bar.set_position(p.iteration as u64);
    let line = format!(
        "iteration {}/{}  {:>7.1} s",
        p.iteration,
        p.iterations,
        p.elapsed.as_secs_f64()
    );
    // The full loss is not computed during training (it costs a sweep): `Progress::loss` on request.
    if bar.is_hidden() {
        eprintln!("{line}");
    }
}

/// A spinner for a phase of unknown length.
pub fn spinner(msg: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(style("{spinner} {msg} {elapsed}"));
    bar.set_message(msg.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
