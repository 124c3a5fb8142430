//! The catalogue → item keys in file order, `META` display strings (title, category, brand) and
//! typed `ATTR` attributes. A column's type is inferred from all its values: booleans
//! (`true`/`false`), numbers (finite), else text; lists become text joined by `|`. Columns
//! without any value are left out; the key and title columns are not attributes.

use super::events::ItemIndex;
use super::options::{CatalogColumns, FileOptions, StoreOptions};
use super::table::{self, Cell, ReadProgress, RowResult, Source, Wanted};
use super::{DropReason, FileReport};
use crate::model::{AttrValues, Attribute, Attributes, Metadata};
use crate::train::cold::ItemContent;
use crate::train::pack::META_FIELDS;
use crate::{Error, Result};

/// The catalogue as read: column names and each item's cells (rows in key order).
#[derive(Debug, Default)]
pub struct CatalogTable {
    pub names: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Columns holding the title, category and brand, when the file has them.
    pub title: Option<usize>,
    pub category: Option<usize>,
    pub brand: Option<usize>,
    pub key: usize,
}

/// Reads the catalogue from `source`, registering its keys in `items` in file order.
pub fn read(
    opts: &StoreOptions,
    source: Source<'_>,
    items: &mut ItemIndex,
    progress: &mut ReadProgress<'_>,
) -> Result<(CatalogTable, FileReport)> {
    let Some(file) = &opts.catalog else {
        return Ok((CatalogTable::default(), FileReport::default()));
    };
    let key_col = opts
        .catalog_columns
        .item
        .clone()
        .unwrap_or_else(|| opts.event_columns.item.clone());
    read_file(
        file,
        &opts.catalog_columns,
        &key_col,
        source,
        items,
        progress,
    )
}

/// Reads the catalogue `file`, whose key column is `key_col`, from `source` (without an event
/// file: imported factors are packed against it).
pub fn read_file(
    file: &FileOptions,
    cols: &CatalogColumns,
    key_col: &str,
    source: Source<'_>,
    items: &mut ItemIndex,
    progress: &mut ReadProgress<'_>,
) -> Result<(CatalogTable, FileReport)> {
    let mut report = FileReport::new(file.display());
    let mut table = CatalogTable::default();
    let mut sink = |names: &[String], line: u64, row: RowResult| {
        report.rows += 1;
        let cells = match row {
            Ok(cells) => cells,
            Err(e) => return report.drop_row(DropReason::Unparseable, line, e),
        };
        let key = names
            .iter()
            .position(|n| *n == key_col)
            .and_then(|k| cells[k].as_id());
        match key {
            None => report.drop_row(
                DropReason::MissingField,
                line,
                format!("no value in key column {key_col:?}"),
            ),
            Some(key) if items.get(&key).is_some() => report.drop_row(
                DropReason::DuplicateKey,
                line,
                format!("key {key:?} appeared on an earlier row (the first is kept)"),
            ),
            Some(key) => {
                items.insert(key);
                table.rows.push(cells);
            }
        }
    };
    let columns = table::read_from(file, source, Wanted::All, &mut sink, progress)?;
    table.names = columns.names;
    let find = |name: &str| table.names.iter().position(|n| n == name);
    table.key =
        find(key_col).ok_or_else(|| table::missing_column(file.path(), key_col, &table.names))?;
    table.title = match &cols.title {
        Some(t) => {
            Some(find(t).ok_or_else(|| table::missing_column(file.path(), t, &table.names))?)
        }
        None => find("title").or_else(|| find("name")),
    };
    table.category = find(&cols.category);
    table.brand = find(&cols.brand);
    Ok((table, report))
}

fn text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Absent | Cell::Null => None,
        Cell::Text(s) if s.trim().is_empty() => None,
        Cell::Text(s) => Some(s.clone()),
        Cell::Integer(i) => Some(i.to_string()),
        Cell::Number(x) => Some(x.to_string()),
        Cell::Bool(b) => Some(b.to_string()),
        Cell::List(l) if l.is_empty() => None,
        Cell::List(l) => Some(l.join("|")),
        Cell::TimeMs(ms) => Some(ms.to_string()),
    }
}

/// A `true`/`false` cell (any case), as a boolean column's values are read.
pub(crate) fn boolean(cell: &Cell) -> Option<bool> {
    match cell {
        Cell::Bool(b) => Some(*b),
        Cell::Text(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Cell::Text(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A finite number cell, or text that is only a plain number, as a number column's are read.
pub(crate) fn number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Integer(i) => Some(*i as f64),
        Cell::Number(x) => Some(*x).filter(|x| x.is_finite()),
        Cell::Text(s) => {
            let s = s.trim();
            let plain = s.bytes().any(|b| b.is_ascii_digit())
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
            s.parse::<f64>().ok().filter(|x| plain && x.is_finite())
        }
        _ => None,
    }
}

/// A category path `A > B > C` (or a list) → its last part, what `META` shows.
fn leaf(cell: &Cell) -> String {
    match cell {
        Cell::List(l) => l.last().cloned().unwrap_or_default(),
        other => text(other)
            .and_then(|t| t.rsplit('>').next().map(|p| p.trim().to_owned()))
            .unwrap_or_default(),
    }
}

/// Each item's content for cold-start placement ([`crate::train::cold`]): title, category
/// path (a list's parts, or a text split at `>`) and brand. Event-only items have none.
pub fn content(table: &CatalogTable, n: usize) -> Vec<ItemContent> {
    let cell = |row: usize, col: Option<usize>| col.and_then(|c| table.rows.get(row)?.get(c));
    (0..n)
        .map(|row| ItemContent {
            title: cell(row, table.title).and_then(text).unwrap_or_default(),
            category_path: match cell(row, table.category) {
                Some(Cell::List(l)) => l.clone(),
                Some(c) => text(c)
                    .map(|t| t.split('>').map(|p| p.trim().to_owned()).collect())
                    .unwrap_or_default(),
                None => Vec::new(),
            },
            brand: cell(row, table.brand).and_then(text).unwrap_or_default(),
        })
        .collect()
}

/// One column of `n` items (rows past the catalogue's are absent), or `None` when it has no
/// value at all.
fn attribute(name: &str, column: Vec<&Cell>, n: usize) -> Option<Attribute> {
    let values: Vec<&Cell> = column.iter().copied().filter(|c| !c.is_empty()).collect();
    if values.is_empty() {
        return None;
    }
    let mut present: Vec<bool> = column.iter().map(|c| !c.is_empty()).collect();
    present.resize(n, false);
    let values = if values.iter().all(|c| boolean(c).is_some()) {
        let mut v: Vec<bool> = column.iter().map(|c| boolean(c).unwrap_or(false)).collect();
        v.resize(n, false);
        AttrValues::Bool(v)
    } else if values.iter().all(|c| number(c).is_some()) {
        let mut v: Vec<f64> = column.iter().map(|c| number(c).unwrap_or(0.0)).collect();
        v.resize(n, 0.0);
        AttrValues::Number(v)
    } else {
        let mut v: Vec<String> = column.iter().map(|c| text(c).unwrap_or_default()).collect();
        v.resize(n, String::new());
        AttrValues::Text(v.into())
    };
    Some(Attribute {
        name: name.to_owned(),
        present,
        values,
    })
}

/// `META` and `ATTR` for `keys` (the catalogue's rows first, then event-only items, whose
/// title is their key).
pub fn finish(table: &CatalogTable, keys: &[String]) -> Result<(Metadata, Attributes)> {
    let n = keys.len();
    let cell = |row: usize, col: Option<usize>| col.and_then(|c| table.rows.get(row)?.get(c));
    let mut values = Vec::with_capacity(n * META_FIELDS.len());
    for (row, key) in keys.iter().enumerate() {
        values.push(
            cell(row, table.title)
                .and_then(text)
                .unwrap_or_else(|| key.clone()),
        );
        values.push(cell(row, table.category).map(leaf).unwrap_or_default());
        values.push(cell(row, table.brand).and_then(text).unwrap_or_default());
    }
    let meta = Metadata {
        fields: META_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
        values: values.into(),
    };
    let mut order: Vec<usize> = (0..table.names.len())
        .filter(|&c| c != table.key && Some(c) != table.title)
        .collect();
    order.sort_by(|&a, &b| table.names[a].cmp(&table.names[b]));
    let absent = Cell::Absent;
    let fields: Vec<Attribute> = order
        .into_iter()
        .filter_map(|c| {
            let column = table
                .rows
                .iter()
                .map(|r| r.get(c).unwrap_or(&absent))
                .collect();
            attribute(&table.names[c], column, n)
        })
        .collect();
    let attrs = Attributes { fields };
    attrs
        .validate(n)
        .map_err(|e| Error::InvalidArgument(format!("catalogue attributes: {e}")))?;
    Ok((meta, attrs))
}
