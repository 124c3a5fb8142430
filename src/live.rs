//! Live catalogue values: attribute values the page sets after load (`setAttributes`), for what
//! changes faster than the model is retrained (stock, price). An override replaces one item's
//! value of one typed `ATTR` field; filters, merchandising rules, `items()`, `item()` and the
//! attributes of recommendations all read through it ([`LiveAttributes::get`]). The model itself
//! is never changed, so `clear` brings back exactly the shipped values.
//!
//! What it is not: a way to add fields or items (unknown names and keys are refused), nor to
//! change the display strings of `META` (title, the shown category), which belong to the model.

use std::collections::BTreeMap;

use crate::model::{AttrType, AttrValue, Model};
use crate::{Error, Result};

/// An attribute value owned by the caller (a filter operand or a live override).
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedValue {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl OwnedValue {
    /// The borrowed form the model's values have.
    pub fn as_value(&self) -> AttrValue<'_> {
        match self {
            OwnedValue::Text(t) => AttrValue::Text(t),
            OwnedValue::Number(x) => AttrValue::Number(*x),
            OwnedValue::Bool(b) => AttrValue::Bool(*b),
        }
    }

    /// The value's type.
    pub fn kind(&self) -> AttrType {
        match self {
            OwnedValue::Text(_) => AttrType::Text,
            OwnedValue::Number(_) => AttrType::Number,
            OwnedValue::Bool(_) => AttrType::Bool,
        }
    }

    /// Refuses a value that is not of `kind` (or a number that is not finite), naming `what`.
    pub fn check(&self, kind: AttrType, what: &str) -> Result<()> {
        if self.kind() != kind {
            return Err(Error::InvalidArgument(format!(
                "{what} is a {}, got a {}",
                kind.as_str(),
                self.kind().as_str()
            )));
        }
        match self {
            OwnedValue::Number(x) if !x.is_finite() => Err(Error::InvalidArgument(format!(
                "{what} must be a finite number, got {}",
                crate::error::show_number(*x)
            ))),
            _ => Ok(()),
        }
    }
}

/// The live overrides of one engine: `(field, row) → value`, `None` meaning "absent now".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveAttributes {
    values: BTreeMap<(usize, u32), Option<OwnedValue>>,
}

/// The `ATTR` field a live value may be set for: typed, and not shadowed by a `META` display
/// string (those are what results show, and the model owns them).
pub fn settable_field(model: &Model, name: &str) -> Result<(usize, AttrType)> {
    let fields = &model.attributes().fields;
    let Some(p) = fields.iter().position(|f| f.name == name) else {
        return Err(Error::InvalidArgument(format!(
            "unknown attribute \"{name}\" (`attributes()` lists the model's attributes)"
        )));
    };
    if model.meta.field_index(name).is_some() {
        return Err(Error::InvalidArgument(format!(
            "attribute \"{name}\" is a display field of the model's metadata and cannot be set live"
        )));
    }
    Ok((p, fields[p].kind()))
}

impl LiveAttributes {
    /// Sets item `key`'s values (`None`: the item has no value now). Every name and type is
    /// checked first: on any error nothing changes.
    pub fn set(
        &mut self,
        model: &Model,
        key: &str,
        values: &[(String, Option<OwnedValue>)],
    ) -> Result<()> {
        let Some(row) = model.keys.index_of(key) else {
            return Err(Error::InvalidArgument(format!(
                "unknown item key \"{key}\" (setAttributes changes items of the model only)"
            )));
        };
        let mut checked = Vec::with_capacity(values.len());
        for (name, value) in values {
            let (field, kind) = settable_field(model, name)?;
            if let Some(v) = value {
                v.check(kind, &format!("attribute \"{name}\""))?;
            }
            checked.push(((field, row), value.clone()));
        }
        self.values.extend(checked);
        Ok(())
    }

    /// Forgets every override: the model's values again.
    pub fn clear(&mut self) {
        self.values.clear();
    }

    /// Number of overridden `(item, field)` values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True without overrides.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The override of `ATTR` field `field` for `row`: `None` when there is none, `Some(None)`
    /// when the value was set absent.
    pub fn get(&self, field: usize, row: u32) -> Option<Option<AttrValue<'_>>> {
        self.values
            .get(&(field, row))
            .map(|v| v.as_ref().map(OwnedValue::as_value))
    }

    /// Item `row`'s live value of `ATTR` field `field`: the override, else the model's.
    pub fn value<'a>(&'a self, model: &'a Model, field: usize, row: u32) -> Option<AttrValue<'a>> {
        match self.get(field, row) {
            Some(v) => v,
            None => model.attributes().fields.get(field)?.get(row as usize),
        }
    }

    /// The rows of field `field` that have an override, ascending.
    pub fn rows_of(&self, field: usize) -> impl Iterator<Item = u32> + '_ {
        self.values
            .range((field, 0)..=(field, u32::MAX))
            .map(|((_, row), _)| *row)
    }
}
