//! The Markdown page of a [`ModelReport`]: tables a person reads before deciding to ship.

use std::fmt::Write;

use super::{DataStats, Figures, Imported, ModelReport, Size};

/// Renders the report. Writing into a `String` cannot fail, so results are ignored.
pub fn write(r: &ModelReport) -> String {
    let mut s = String::from("# Model report\n\n");
    if let Some(i) = &r.import {
        imported(&mut s, i);
    }
    s += "## Data\n\n";
    match &r.data {
        Some(d) => data_table(&mut s, d),
        None => s +=
            "Not known: the factors were trained elsewhere, from events this tool did not read.\n",
    }
    s += "\n## Rows not used\n\n";
    if r.inputs.is_empty() {
        s += "No input files were reported.\n";
    }
    for f in &r.inputs {
        let total: u64 = f.dropped.iter().map(|d| d.count).sum();
        let _ = writeln!(s, "`{}`: {} rows read, {total} not used.\n", f.path, f.rows);
        if f.dropped.is_empty() {
            continue;
        }
        s += "| reason | rows | first examples |\n|---|---|---|\n";
        for d in &f.dropped {
            let ex: Vec<String> = d
                .examples
                .iter()
                .map(|(line, m)| format!("line {line}: {}", m.replace('|', "\\|")))
                .collect();
            let _ = writeln!(s, "| {} | {} | {} |", d.reason, d.count, ex.join("; "));
        }
        s += "\n";
    }
    let _ = writeln!(s, "\n## Settings\n\nSplit: {}.", r.split);
    if let Some(t) = &r.tuning {
        let _ = writeln!(s, "Tuning: {t}.");
    }
    s += "\n| setting | value |\n|---|---|\n";
    for x in &r.settings {
        let _ = writeln!(s, "| {} | {} |", x.name, x.value);
    }
    s += "\n## Quality\n\n";
    if r.validation.is_empty() {
        let _ = writeln!(s, "Not measured: {}.", r.split);
    } else {
        let users = r.validation[0].1.users;
        let _ = writeln!(
            s,
            "Validation ({users} users):\n\n| model | HR@10 | NDCG@10 |\n|---|---|---|"
        );
        for (name, f) in &r.validation {
            let _ = writeln!(s, "| {name} | {:.4} | {:.4} |", f.hr10, f.ndcg10);
        }
    }
    if let Some(t) = &r.test {
        let fit = match r.tuning {
            Some(_) => "the settings refitted without each user's last event",
            None => "scored with the validation refit, which has seen neither held-out event",
        };
        let _ = writeln!(
            s,
            "\nTest ({} users, {fit}): HR@10 {:.4}, NDCG@10 {:.4}.",
            t.users, t.hr10, t.ndcg10
        );
    }
    s += "\n## Size and cost\n\n";
    size_table(&mut s, &r.size);
    let _ = write!(s, "\nTraining: {:.1} s", r.training_seconds);
    let phases: Vec<String> = r
        .phase_seconds
        .iter()
        .map(|(name, secs)| format!("{name} {secs:.1} s"))
        .collect();
    if !phases.is_empty() {
        let _ = write!(s, " ({})", phases.join(", "));
    }
    s += ".\n";
    match r.peak_memory_bytes {
        Some(b) => {
            let _ = writeln!(s, "Peak memory: {:.1} MiB.", b as f64 / (1 << 20) as f64);
        }
        None => s += "Peak memory: not available on this system.\n",
    }
    if let Some(b) = &r.baseline {
        side_by_side(&mut s, r, b);
    }
    s
}

fn data_table(s: &mut String, d: &DataStats) {
    *s += "| | |\n|---|---|\n";
    let rows = [
        ("users", d.users.to_string()),
        ("items", d.items.to_string()),
        ("items with events", d.items_with_events.to_string()),
        ("events", d.events.to_string()),
        (
            "events per user (mean / median / max)",
            format!(
                "{:.1} / {} / {}",
                d.events_per_user_mean, d.events_per_user_median, d.events_per_user_max
            ),
        ),
        ("density", format!("{:.3e}", d.density)),
    ];
    for (k, v) in rows {
        let _ = writeln!(s, "| {k} | {v} |");
    }
}

fn imported(s: &mut String, i: &Imported) {
    let _ = writeln!(s, "## Import\n\nTrained by {}. {}.", i.trainer, i.join);
    if !i.unknown_keys_examples.is_empty() {
        let _ = writeln!(
            s,
            "Keys not in the catalogue (kept, key as title), the first: {}.",
            i.unknown_keys_examples.join(", ")
        );
    }
    s.push_str("\n| provenance | value |\n|---|---|\n");
    for (k, v) in &i.provenance {
        let _ = writeln!(s, "| {k} | {} |", v.replace('|', "\\|"));
    }
    s.push('\n');
}

fn size_table(s: &mut String, z: &Size) {
    let _ = writeln!(
        s,
        "{} bytes, {} items: {:.1} bytes per item, {:.1} of them for scoring.\n",
        z.bytes, z.items, z.bytes_per_item, z.scoring_bytes_per_item
    );
    *s += "| section | bytes | per item |\n|---|---|---|\n";
    for (id, b) in &z.sections {
        let _ = writeln!(
            s,
            "| {id} | {b} | {:.1} |",
            *b as f64 / z.items.max(1) as f64
        );
    }
}

fn side_by_side(s: &mut String, r: &ModelReport, b: &super::BaselineModel) {
    let none = Figures {
        users: 0,
        hr10: 0.0,
        ndcg10: 0.0,
    };
    let ours = r.validation.first().map(|v| v.1).or(r.test).unwrap_or(none);
    let test = r.test.unwrap_or(none);
    let _ = writeln!(
        s,
        "\n## Against the model in production (`{}`)\n\nScored as it is, not refitted: it may \
         have been trained on some of these events, which flatters it. It does not know {} of \
         this data's items (they rank last for it).\n\n| | this model | production |\n|---|---|---|",
        b.name, b.unknown_items
    );
    let fig = |f: &Figures| format!("{:.4} / {:.4}", f.hr10, f.ndcg10);
    let rows = [
        ("validation HR@10 / NDCG@10", fig(&ours), fig(&b.validation)),
        ("test HR@10 / NDCG@10", fig(&test), fig(&b.test)),
        ("bytes", r.size.bytes.to_string(), b.size.bytes.to_string()),
        ("items", r.size.items.to_string(), b.size.items.to_string()),
        (
            "scoring bytes per item",
            format!("{:.1}", r.size.scoring_bytes_per_item),
            format!("{:.1}", b.size.scoring_bytes_per_item),
        ),
    ];
    for (k, a, c) in rows {
        let _ = writeln!(s, "| {k} | {a} | {c} |");
    }
}
