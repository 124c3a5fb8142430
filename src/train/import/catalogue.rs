//! The catalogue read on its own, without an event file: its keys in file order, and `META` and
//! `ATTR` for any selection of them (the items an import has factors for), typed as `train`
//! types them (src/train/store/catalog.rs does the reading and typing; nothing is copied here).

use crate::model::{Attributes, Metadata};
use crate::train::store::catalog::{self, CatalogTable};
use crate::train::store::events::ItemIndex;
use crate::train::store::options::{BadRowLimit, CatalogColumns, FileOptions};
use crate::train::store::{FileReport, Source};
use crate::Result;

/// A catalogue file as read: keys in file order, each row's cells, and what happened to the rows.
#[derive(Debug)]
pub struct Catalogue {
    table: CatalogTable,
    keys: Vec<String>,
    /// Rows read and dropped (missing key, duplicate key, unparseable), by reason.
    pub report: FileReport,
}

impl Catalogue {
    /// Reads `file` (key column `key_col`); fails when more rows are unusable than
    /// `max_bad_rows` allows, or when no row has a key.
    pub fn read(
        file: &FileOptions,
        columns: &CatalogColumns,
        key_col: &str,
        max_bad_rows: BadRowLimit,
        source: Source<'_>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Self> {
        let mut items = ItemIndex::default();
        let (table, report) =
            catalog::read_file(file, columns, key_col, source, &mut items, progress)?;
        report.check(max_bad_rows)?;
        if items.keys.is_empty() {
            return Err(crate::Error::Io {
                path: file.display(),
                reason: format!("the catalogue has no usable row\n{report}"),
            });
        }
        Ok(Self {
            table,
            keys: items.keys,
            report,
        })
    }

    /// Item keys in file order.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// `META` and `ATTR` for the catalogue rows `rows` (in that order) followed by `extra` keys
    /// that are not in the catalogue (their title is the key, their attributes absent).
    pub fn describe(&self, rows: &[usize], extra: &[String]) -> Result<(Metadata, Attributes)> {
        let table = CatalogTable {
            names: self.table.names.clone(),
            rows: rows
                .iter()
                .filter_map(|&r| self.table.rows.get(r).cloned())
                .collect(),
            title: self.table.title,
            category: self.table.category,
            brand: self.table.brand,
            key: self.table.key,
        };
        let keys: Vec<String> = rows
            .iter()
            .filter_map(|&r| self.keys.get(r).cloned())
            .chain(extra.iter().cloned())
            .collect();
        catalog::finish(&table, &keys)
    }
}
