//! What callers see of an item: the fields of a recommendation (`key`, `score`, `title`,
//! `category` by default, other catalogue attributes on request) or of a catalogue entry. The
//! fields are resolved once per request ([`Fields`]) and read per item as borrowed [`Value`]s, so
//! a front end (the JS façade) copies each string once, straight into its own representation.
//!
//! Catalogue attributes today are the model's `META` text fields; typed attributes (numbers,
//! lists) plug in as new [`Source`]/[`Value`] variants without changing callers.

use crate::model::Model;
use crate::{Error, Result};

/// The attributes every recommendation carries besides `key` and `score`.
pub const DEFAULT_ATTRIBUTES: [&str; 2] = ["title", "category"];

/// One field's value for one item, borrowed from the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'m> {
    Text(&'m str),
    Number(f64),
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Key,
    Score,
    /// A `META` field, by position (`""` for items without it).
    Meta(usize),
    /// A default attribute the model does not have: `""`, as before metadata existed.
    Empty,
}

/// The fields of a result or catalogue request, in output order.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    names: Vec<String>,
    sources: Vec<Source>,
}

impl Fields {
    /// `key`, `score`, the default attributes, then `extra` (each a `META` field of `model`;
    /// an unknown name is refused, a repeated or default one ignored).
    pub fn recommendation(model: &Model, extra: &[String]) -> Result<Self> {
        Self::build(model, true, extra)
    }

    /// `key`, the default attributes and `extra`, as [`Self::recommendation`] without a score.
    pub fn catalogue(model: &Model, extra: &[String]) -> Result<Self> {
        Self::build(model, false, extra)
    }

    /// `key` and every attribute the model has (what `item(key)` returns).
    pub fn every_attribute(model: &Model) -> Self {
        let extra = &model.meta.fields;
        Self::build(model, false, extra).unwrap_or_else(|_| Self {
            names: vec!["key".into()],
            sources: vec![Source::Key],
        })
    }

    fn build(model: &Model, score: bool, extra: &[String]) -> Result<Self> {
        let mut f = Self {
            names: vec!["key".into()],
            sources: vec![Source::Key],
        };
        if score {
            f.push("score", Source::Score);
        }
        for name in DEFAULT_ATTRIBUTES {
            let source = model
                .meta
                .field_index(name)
                .map_or(Source::Empty, Source::Meta);
            f.push(name, source);
        }
        for name in extra {
            let Some(p) = model.meta.field_index(name) else {
                return Err(Error::InvalidArgument(format!(
                    "unknown attribute \"{name}\" (`item(key)` shows the model's attributes)"
                )));
            };
            if !f.names.iter().any(|n| n == name) {
                f.push(name, Source::Meta(p));
            }
        }
        Ok(f)
    }

    fn push(&mut self, name: &str, source: Source) {
        self.names.push(name.into());
        self.sources.push(source);
    }

    /// True when the second field is `score` (recommendations; catalogue entries have none).
    /// The fields always start `key`, [`score`], then [`DEFAULT_ATTRIBUTES`], then the extras.
    pub fn has_score(&self) -> bool {
        self.is_number(1)
    }

    /// The requested attributes after the default fields.
    pub fn extra(&self) -> &[String] {
        let defaults = 1 + usize::from(self.has_score()) + DEFAULT_ATTRIBUTES.len();
        self.names.get(defaults..).unwrap_or_default()
    }

    /// Field names, in output order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// True for the fields whose values are numbers (the rest are text).
    pub fn is_number(&self, field: usize) -> bool {
        matches!(self.sources.get(field), Some(Source::Score))
    }

    /// The value of field `field` for item `row` scored `score` (ignored by catalogue fields).
    pub fn value<'m>(&self, model: &'m Model, row: u32, score: f32, field: usize) -> Value<'m> {
        let i = row as usize;
        match self.sources.get(field) {
            Some(Source::Key) => Value::Text(model.keys.key(i)),
            Some(Source::Score) => Value::Number(f64::from(score)),
            Some(Source::Meta(p)) => Value::Text(model.meta.value(i, *p)),
            Some(Source::Empty) | None => Value::Text(""),
        }
    }
}
