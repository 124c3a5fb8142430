//! Filters on catalogue attributes (`recommend({filter})`): which rows may be returned at all.
//! A [`Filter`] is plain data; [`Filter::rejected`] resolves it against a model and its live
//! values ([`crate::live`]) to the sorted rows that fail, which [`super::query::Query`] adds to
//! its exclusions. Both backends skip excluded rows *inside* their top-k, so k results come back
//! whenever k rows qualify (a filter applied after the top-k would return fewer).
//!
//! Conventional attribute names (what `localrank train` writes from a catalogue's columns):
//! [`CATEGORY`] (a path "A > B > C": the `ATTR` field when present, else the `META` display
//! string; a one-part filter also matches the shown category, a path's last part), [`PRICE`] (number), [`IN_STOCK`] (boolean) and [`TAGS`] (text, tags joined by
//! [`TAG_SEPARATOR`]). `where` covers any other attribute by equality or any-of. An item without
//! a value for a filtered attribute does not qualify. Unknown attributes and values of the wrong
//! type are refused with `InvalidArgument`; unknown item keys in `include`/`exclude` are not
//! (catalogues change; a key the model does not know simply cannot be returned).

use crate::live::{LiveAttributes, OwnedValue};
use crate::model::{AttrType, AttrValue, Model};
use crate::{Error, Result};

/// The category attribute: a path whose parts are joined by " > ".
pub const CATEGORY: &str = "category";
/// The price attribute (a number).
pub const PRICE: &str = "price";
/// The availability attribute (a boolean).
pub const IN_STOCK: &str = "in_stock";
/// The tags attribute (text; tags joined by [`TAG_SEPARATOR`]).
pub const TAGS: &str = "tags";
/// What separates tags in [`TAGS`] (lists in a catalogue are joined by it at training).
pub const TAG_SEPARATOR: char = '|';

/// Which rows a request may return; the default lets every row through.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// A category path prefix: "A > B" matches "A > B" and "A > B > C", not "A > Bc"; one part
    /// also matches the category results show (a path's last part).
    pub category: Option<String>,
    /// Lowest price, inclusive.
    pub price_min: Option<f64>,
    /// Highest price, inclusive.
    pub price_max: Option<f64>,
    /// `true`: only items in stock; `false`: only items out of stock.
    pub in_stock: Option<bool>,
    /// Items with any of these tags.
    pub tags: Option<Vec<String>>,
    /// Only these item keys.
    pub include: Option<Vec<String>>,
    /// Never these item keys.
    pub exclude: Vec<String>,
    /// Attribute → accepted values (equality, or any of several).
    pub where_: Vec<(String, Vec<OwnedValue>)>,
}

/// Where a filtered attribute's values come from (the precedence of [`crate::results`]:
/// a `META` display string wins a name both sections have).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Column {
    Meta(usize),
    Attr(usize, AttrType),
}

impl Column {
    /// The column of attribute `name`, `None` when the model has no such attribute.
    pub(crate) fn of(model: &Model, name: &str) -> Option<Self> {
        if let Some(p) = model.meta.field_index(name) {
            return Some(Column::Meta(p));
        }
        let fields = &model.attributes().fields;
        let p = fields.iter().position(|f| f.name == name)?;
        Some(Column::Attr(p, fields[p].kind()))
    }

    /// The category column: the `ATTR` path when present (a `META` category is only its last
    /// part), else `META`'s.
    pub(crate) fn category(model: &Model) -> Option<Self> {
        let fields = &model.attributes().fields;
        match fields.iter().position(|f| f.name == CATEGORY) {
            Some(p) if fields[p].kind() == AttrType::Text => Some(Column::Attr(p, AttrType::Text)),
            _ => model.meta.field_index(CATEGORY).map(Column::Meta),
        }
    }

    fn kind(self) -> AttrType {
        match self {
            Column::Meta(_) => AttrType::Text,
            Column::Attr(_, k) => k,
        }
    }

    /// True for every row whose live value passes `test` (rows without a value fail).
    pub(crate) fn mask(
        self,
        model: &Model,
        live: &LiveAttributes,
        test: impl Fn(AttrValue<'_>) -> bool,
    ) -> Vec<bool> {
        let n = model.len();
        match self {
            Column::Meta(p) => (0..n)
                .map(|i| test(AttrValue::Text(model.meta.value(i, p))))
                .collect(),
            Column::Attr(p, _) => {
                let Some(field) = model.attributes().fields.get(p) else {
                    return vec![false; n];
                };
                let mut out: Vec<bool> = (0..n).map(|i| field.get(i).is_some_and(&test)).collect();
                // The few live overrides replace the model's value.
                for row in live.rows_of(p) {
                    if let Some(o) = out.get_mut(row as usize) {
                        *o = live.value(model, p, row).is_some_and(&test);
                    }
                }
                out
            }
        }
    }
}

/// The parts of a category path, trimmed ("A > B" → ["A", "B"]).
fn path_parts(path: &str) -> impl Iterator<Item = &str> {
    path.split('>').map(str::trim)
}

/// A category prefix, checked: non-empty parts.
pub(crate) fn category_prefix(path: &str, what: &str) -> Result<Vec<String>> {
    let parts: Vec<String> = path_parts(path).map(str::to_owned).collect();
    if parts.iter().any(String::is_empty) {
        return Err(Error::InvalidArgument(format!(
            "{what} must be a category path such as \"A > B\", got \"{path}\""
        )));
    }
    Ok(parts)
}

/// The rows in category `prefix` (a path prefix, or, for one part, also the shown `META`
/// category: what `item(key).category` displays is a path's last part, and a page that offers
/// the categories it shows must be able to filter by them); `None` without a category attribute.
pub(crate) fn category_mask(
    model: &Model,
    live: &LiveAttributes,
    prefix: &[String],
) -> Option<Vec<bool>> {
    let col = Column::category(model)?;
    let mut mask = col.mask(model, live, |v| in_category(v, prefix));
    if let (Column::Attr(..), [leaf]) = (col, prefix) {
        if let Some(p) = model.meta.field_index(CATEGORY) {
            let shown = Column::Meta(p).mask(model, live, |v| v == AttrValue::Text(leaf));
            mask.iter_mut().zip(shown).for_each(|(m, s)| *m |= s);
        }
    }
    Some(mask)
}

/// True when `value` is the category `prefix` or one below it.
pub(crate) fn in_category(value: AttrValue<'_>, prefix: &[String]) -> bool {
    let AttrValue::Text(path) = value else {
        return false;
    };
    let mut parts = path_parts(path);
    prefix.iter().all(|p| parts.next() == Some(p.as_str()))
}

fn no_attribute(name: &str, option: &str, kind: AttrType) -> Error {
    Error::InvalidArgument(format!(
        "filter.{option} needs a {} attribute \"{name}\", and this model has none \
         (`attributes()` lists the model's attributes)",
        kind.as_str()
    ))
}

/// The column of a conventional attribute, checked to exist with type `kind`.
fn conventional(model: &Model, name: &str, option: &str, kind: AttrType) -> Result<Column> {
    match Column::of(model, name) {
        Some(c) if c.kind() == kind => Ok(c),
        Some(c) => Err(Error::InvalidArgument(format!(
            "filter.{option}: attribute \"{name}\" is a {}, not a {}",
            c.kind().as_str(),
            kind.as_str()
        ))),
        None => Err(no_attribute(name, option, kind)),
    }
}

fn and(mask: &mut [bool], other: &[bool]) {
    mask.iter_mut().zip(other).for_each(|(m, o)| *m &= *o);
}

impl Filter {
    /// True when the filter lets every row through.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Which rows qualify: `None` when every row does (an empty filter), else one flag per row.
    /// Refuses unknown attributes, values of the wrong type, non-finite or crossed price bounds.
    pub fn qualifying(&self, model: &Model, live: &LiveAttributes) -> Result<Option<Vec<bool>>> {
        if self.is_empty() {
            return Ok(None);
        }
        let n = model.len();
        let mut mask = match &self.include {
            Some(keys) => {
                let mut m = vec![false; n];
                for row in keys.iter().filter_map(|k| model.keys.index_of(k)) {
                    m[row as usize] = true;
                }
                m
            }
            None => vec![true; n],
        };
        for row in self.exclude.iter().filter_map(|k| model.keys.index_of(k)) {
            mask[row as usize] = false;
        }
        if let Some(path) = &self.category {
            let prefix = category_prefix(path, "filter.category")?;
            let rows = category_mask(model, live, &prefix)
                .ok_or_else(|| no_attribute(CATEGORY, "category", AttrType::Text))?;
            and(&mut mask, &rows);
        }
        if self.price_min.is_some() || self.price_max.is_some() {
            let (lo, hi) = self.price_bounds()?;
            let option = if self.price_min.is_some() {
                "priceMin"
            } else {
                "priceMax"
            };
            let col = conventional(model, PRICE, option, AttrType::Number)?;
            let test = |v: AttrValue<'_>| matches!(v, AttrValue::Number(x) if x >= lo && x <= hi);
            and(&mut mask, &col.mask(model, live, test));
        }
        if let Some(want) = self.in_stock {
            let col = conventional(model, IN_STOCK, "inStock", AttrType::Bool)?;
            and(
                &mut mask,
                &col.mask(model, live, |v| v == AttrValue::Bool(want)),
            );
        }
        if let Some(tags) = &self.tags {
            let col = conventional(model, TAGS, "tags", AttrType::Text)?;
            let test = |v: AttrValue<'_>| match v {
                AttrValue::Text(t) => t
                    .split(TAG_SEPARATOR)
                    .any(|tag| tags.iter().any(|w| w == tag.trim())),
                _ => false,
            };
            and(&mut mask, &col.mask(model, live, test));
        }
        for (name, accepted) in &self.where_ {
            let col = self.where_column(model, name, accepted)?;
            let test = |v: AttrValue<'_>| accepted.iter().any(|a| a.as_value() == v);
            and(&mut mask, &col.mask(model, live, test));
        }
        Ok(Some(mask))
    }

    /// The rows that do not qualify, ascending (empty for an empty filter).
    pub fn rejected(&self, model: &Model, live: &LiveAttributes) -> Result<Vec<u32>> {
        Ok(match self.qualifying(model, live)? {
            None => Vec::new(),
            Some(mask) => (0..mask.len() as u32)
                .filter(|&i| !mask[i as usize])
                .collect(),
        })
    }

    fn price_bounds(&self) -> Result<(f64, f64)> {
        let lo = self.price_min.unwrap_or(f64::NEG_INFINITY);
        let hi = self.price_max.unwrap_or(f64::INFINITY);
        for (name, v) in [("priceMin", self.price_min), ("priceMax", self.price_max)] {
            if v.is_some_and(|x| !x.is_finite()) {
                return Err(Error::InvalidArgument(format!(
                    "filter.{name} must be a finite number"
                )));
            }
        }
        if lo > hi {
            return Err(Error::InvalidArgument(format!(
                "filter.priceMin ({}) is above filter.priceMax ({})",
                crate::error::show_number(lo),
                crate::error::show_number(hi)
            )));
        }
        Ok((lo, hi))
    }

    fn where_column(&self, model: &Model, name: &str, accepted: &[OwnedValue]) -> Result<Column> {
        let col = Column::of(model, name).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "filter.where: unknown attribute \"{name}\" (`attributes()` lists the model's attributes)"
            ))
        })?;
        if accepted.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "filter.where.{name} needs at least one value"
            )));
        }
        for v in accepted {
            v.check(
                col.kind(),
                &format!("filter.where.{name}: attribute \"{name}\""),
            )?;
        }
        Ok(col)
    }
}
