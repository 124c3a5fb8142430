//! Attribute defaults (`localrank train --attr-default NAME=VALUE`): a typed `ATTR` field that
//! every item without a value gets `VALUE` for — a column the catalogue lacks, or the gaps of one
//! it has. For what the page changes live and the data does not carry: the bundled Scientific
//! data has no stock levels, so the demo model declares `in_stock` true for every item and the
//! page sets sold-out items with `setAttributes` (README "Filters, live stock and prices").
//!
//! Not a way to invent per-item data: one value for all the items that have none. The value is
//! typed as a catalogue cell is (`true`/`false`, a plain number, else text); a field the
//! catalogue has keeps its type, and a display field of `META` (title, category, brand) is
//! refused, as `setAttributes` refuses it.

use std::str::FromStr;

use super::store::catalog;
use super::store::table::Cell;
use crate::live::OwnedValue;
use crate::model::{AttrValues, Attribute, Attributes, Metadata};
use crate::{Error, Result};

/// One `NAME=VALUE` default.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrDefault {
    pub name: String,
    pub value: OwnedValue,
}

impl FromStr for AttrDefault {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = |why: &str| Error::InvalidArgument(format!("attribute default {s:?}: {why}"));
        let (name, value) = s
            .split_once('=')
            .ok_or_else(|| bad("expected NAME=VALUE"))?;
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() || value.is_empty() {
            return Err(bad("the name and the value must not be empty"));
        }
        let cell = Cell::Text(value.to_owned());
        let value = match (catalog::boolean(&cell), catalog::number(&cell)) {
            (Some(b), _) => OwnedValue::Bool(b),
            (None, Some(x)) => OwnedValue::Number(x),
            (None, None) => OwnedValue::Text(value.to_owned()),
        };
        Ok(Self {
            name: name.to_owned(),
            value,
        })
    }
}

impl std::fmt::Display for AttrDefault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            OwnedValue::Text(t) => write!(f, "{}={t}", self.name),
            OwnedValue::Number(x) => write!(f, "{}={x}", self.name),
            OwnedValue::Bool(b) => write!(f, "{}={b}", self.name),
        }
    }
}

/// Gives every item of `attrs` (`n` items) without a value of each default's field that value,
/// adding the field (in name order, as the catalogue's are) when there is none. Returns how many
/// values each default filled. Refuses a name given twice, a `META` display field, or a value
/// whose type differs from the field's.
pub fn apply(
    attrs: &mut Attributes,
    meta: &Metadata,
    defaults: &[AttrDefault],
    n: usize,
) -> Result<Vec<usize>> {
    let bad = |d: &AttrDefault, why: String| {
        Error::InvalidArgument(format!("attribute default \"{}\": {why}", d.name))
    };
    let mut filled = Vec::with_capacity(defaults.len());
    for (i, d) in defaults.iter().enumerate() {
        if defaults[..i].iter().any(|e| e.name == d.name) {
            return Err(bad(d, "given twice".into()));
        }
        if meta.field_index(&d.name).is_some() {
            return Err(bad(d, "a display field of the model's metadata".into()));
        }
        let field = match attrs.fields.iter().position(|f| f.name == d.name) {
            Some(p) => &mut attrs.fields[p],
            None => {
                let at = attrs.fields.partition_point(|f| f.name < d.name);
                attrs.fields.insert(at, empty(&d.name, &d.value, n));
                &mut attrs.fields[at]
            }
        };
        d.value
            .check(field.kind(), &format!("the catalogue's \"{}\"", d.name))
            .map_err(|e| bad(d, e.to_string()))?;
        filled.push(fill(field, &d.value));
    }
    attrs
        .validate(n)
        .map_err(|e| Error::InvalidArgument(format!("attribute defaults: {e}")))?;
    Ok(filled)
}

/// A field of `n` absent values of `value`'s type.
fn empty(name: &str, value: &OwnedValue, n: usize) -> Attribute {
    let values = match value {
        OwnedValue::Text(_) => AttrValues::Text(vec![String::new(); n].into()),
        OwnedValue::Number(_) => AttrValues::Number(vec![0.0; n]),
        OwnedValue::Bool(_) => AttrValues::Bool(vec![false; n]),
    };
    Attribute {
        name: name.to_owned(),
        present: vec![false; n],
        values,
    }
}

/// Sets `value` (of the field's type, checked) for every absent item; how many there were.
fn fill(field: &mut Attribute, value: &OwnedValue) -> usize {
    let absent: Vec<usize> = (0..field.present.len())
        .filter(|&j| !field.present[j])
        .collect();
    match (&mut field.values, value) {
        (AttrValues::Bool(v), OwnedValue::Bool(b)) => absent.iter().for_each(|&j| v[j] = *b),
        (AttrValues::Number(v), OwnedValue::Number(x)) => absent.iter().for_each(|&j| v[j] = *x),
        (AttrValues::Text(v), OwnedValue::Text(t)) => {
            let mut all: Vec<String> = v.iter().map(str::to_owned).collect();
            absent.iter().for_each(|&j| all[j] = t.clone());
            *v = all.into();
        }
        _ => return 0,
    }
    absent.iter().for_each(|&j| field.present[j] = true);
    absent.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AttrValue;

    fn parse(s: &str) -> AttrDefault {
        s.parse().unwrap()
    }

    fn meta() -> Metadata {
        Metadata {
            fields: vec!["title".into(), "category".into(), "brand".into()],
            values: vec![String::new(); 9].into(),
        }
    }

    #[test]
    fn a_value_is_typed_as_a_catalogue_cell() {
        assert_eq!(parse("in_stock=TRUE").value, OwnedValue::Bool(true));
        assert_eq!(parse("price = 9.5").value, OwnedValue::Number(9.5));
        assert_eq!(parse("label=a=b").value, OwnedValue::Text("a=b".into()));
        for bad in ["in_stock", "=true", "in_stock="] {
            assert!(bad.parse::<AttrDefault>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_missing_field_is_added_in_name_order_with_every_item_set() {
        let mut attrs = Attributes {
            fields: vec![empty("a", &OwnedValue::Number(0.0), 3)],
        };
        let filled = apply(&mut attrs, &meta(), &[parse("in_stock=true")], 3).unwrap();
        assert_eq!(filled, [3]);
        let names: Vec<_> = attrs.schema().map(|(n, _)| n).collect();
        assert_eq!(names, ["a", "in_stock"]);
        assert!((0..3).all(|j| attrs.get(j, "in_stock") == Some(AttrValue::Bool(true))));
    }

    #[test]
    fn only_the_gaps_of_an_existing_field_are_filled() {
        let mut field = empty("in_stock", &OwnedValue::Bool(false), 3);
        field.present[1] = true;
        let mut attrs = Attributes {
            fields: vec![field],
        };
        let filled = apply(&mut attrs, &meta(), &[parse("in_stock=true")], 3).unwrap();
        assert_eq!(filled, [2]);
        assert_eq!(attrs.get(0, "in_stock"), Some(AttrValue::Bool(true)));
        assert_eq!(attrs.get(1, "in_stock"), Some(AttrValue::Bool(false)));
    }

    #[test]
    fn a_wrong_type_a_display_field_and_a_repeated_name_are_refused() {
        let mut attrs = Attributes {
            fields: vec![empty("price", &OwnedValue::Number(0.0), 3)],
        };
        for defaults in [
            vec![parse("price=cheap")],
            vec![parse("brand=Acme")],
            vec![parse("x=1"), parse("x=2")],
        ] {
            let err = apply(&mut attrs.clone(), &meta(), &defaults, 3).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
        }
        assert!(apply(&mut attrs, &meta(), &[parse("price=0")], 3).is_ok());
    }
}
