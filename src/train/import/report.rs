//! The report written next to an imported model (`STEM.report.json` / `.md`): what
//! [`crate::train::report`] says of a trained model as far as it applies without events —
//! the catalogue's rows, the join, the settings, bytes per item and per section, provenance,
//! time and peak memory. No validation figures: those need an event log.

use serde::Serialize;

use super::pack::settings_line;
use super::{Catalogue, ImportOptions, Packed};
use crate::train::report::{peak_memory_bytes, Size};
use crate::Result;

/// Everything the report of an imported model says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackReport {
    /// The catalogue file: rows read and dropped by reason.
    pub catalog: String,
    /// The join of imported keys and catalogue.
    pub import: String,
    /// Imported keys not in the catalogue (kept), the first few.
    pub unknown_keys_examples: Vec<String>,
    pub settings: String,
    pub size: Size,
    /// `PROV` as `(key, value)` pairs.
    pub provenance: Vec<(String, String)>,
    pub packing_seconds: f64,
    pub peak_memory_bytes: Option<u64>,
}

impl PackReport {
    /// The report of the model `bytes` (`packed.model` written out).
    pub fn new(
        bytes: &[u8],
        packed: &Packed,
        catalogue: &Catalogue,
        opts: &ImportOptions,
        seconds: f64,
    ) -> Result<Self> {
        let model = &packed.model;
        Ok(Self {
            catalog: catalogue.report.to_string(),
            import: packed.summary.to_string(),
            unknown_keys_examples: packed
                .summary
                .unknown_kept
                .iter()
                .take(10)
                .cloned()
                .collect(),
            settings: settings_line(opts, model.dim()),
            size: Size::of(bytes, model)?,
            provenance: model
                .extra
                .provenance
                .as_ref()
                .map(|p| p.entries.clone())
                .unwrap_or_default(),
            packing_seconds: seconds,
            peak_memory_bytes: peak_memory_bytes(),
        })
    }

    /// Pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Only strings, numbers and vectors: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A Markdown page for people.
    pub fn to_markdown(&self) -> String {
        let s = &self.size;
        let mut md = format!(
            "# Imported model\n\n{}\n\n## Catalogue\n\n```\n{}\n```\n\n## Settings\n\n`{}`\n\n## Size\n\n{} bytes, {} items: {:.1} bytes per item ({:.1} for scoring)\n\n| section | bytes |\n|---|---:|\n",
            self.import, self.catalog, self.settings, s.bytes, s.items, s.bytes_per_item, s.scoring_bytes_per_item
        );
        for (id, bytes) in &s.sections {
            md += &format!("| `{id}` | {bytes} |\n");
        }
        md += "\n## Provenance\n\n| key | value |\n|---|---|\n";
        for (k, v) in &self.provenance {
            md += &format!("| {k} | {v} |\n");
        }
        md += &format!("\nPacked in {:.1} s", self.packing_seconds);
        if let Some(b) = self.peak_memory_bytes {
            md += &format!(", peak memory {:.0} MiB", b as f64 / (1 << 20) as f64);
        }
        md + ".\n"
    }
}
