//! Typed catalogue attributes (optional section `ATTR`, docs/FORMAT.md § 1.8): per item, values
//! of named fields that are text, numbers or booleans (price, availability, image URL, …), any of
//! them absent for any item. What filters, "in stock only", prices and images are built on; the
//! display strings of `META` stay as they are.

use super::cursor::{try_with_capacity, Cursor, Sink};
use super::{strings, Strings};
use crate::{Error, Result};

pub(crate) const ATTR: [u8; 4] = *b"ATTR";
/// Largest number of attribute fields a model may declare.
pub const MAX_ATTR_FIELDS: u32 = 64;

/// The type of one attribute field (its code in the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AttrType {
    /// UTF-8 text (code 0).
    Text = 0,
    /// A finite f64 (code 1).
    Number = 1,
    /// `true` / `false` (code 2).
    Bool = 2,
}

impl AttrType {
    /// The name the docs and JS use: `"string"`, `"number"` or `"boolean"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::Text => "string",
            AttrType::Number => "number",
            AttrType::Bool => "boolean",
        }
    }
}

/// One field's values for every item, by type (absent items hold `""`, `0` or `false`).
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValues {
    Text(Strings),
    Number(Vec<f64>),
    Bool(Vec<bool>),
}

/// One field: its name, which items have a value, and the values.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    /// `present[j]`: item j has a value.
    pub present: Vec<bool>,
    pub values: AttrValues,
}

impl Attribute {
    /// The field's type.
    pub fn kind(&self) -> AttrType {
        match self.values {
            AttrValues::Text(_) => AttrType::Text,
            AttrValues::Number(_) => AttrType::Number,
            AttrValues::Bool(_) => AttrType::Bool,
        }
    }

    /// Item `row`'s value, `None` when absent (or `row` out of range).
    pub fn get(&self, row: usize) -> Option<AttrValue<'_>> {
        if !*self.present.get(row)? {
            return None;
        }
        match &self.values {
            AttrValues::Text(s) => s.get(row).map(AttrValue::Text),
            AttrValues::Number(v) => v.get(row).copied().map(AttrValue::Number),
            AttrValues::Bool(v) => v.get(row).copied().map(AttrValue::Bool),
        }
    }
}

/// One attribute value of one item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AttrValue<'a> {
    Text(&'a str),
    Number(f64),
    Bool(bool),
}

/// Every attribute field of a model, in file order; empty when the model has no `ATTR`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attributes {
    pub fields: Vec<Attribute>,
}

impl Attributes {
    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Field names and types, in order.
    pub fn schema(&self) -> impl ExactSizeIterator<Item = (&str, AttrType)> + '_ {
        self.fields.iter().map(|f| (f.name.as_str(), f.kind()))
    }

    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&Attribute> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Item `row`'s value of field `name`; `None` when the field is unknown or the value absent.
    pub fn get(&self, row: usize, name: &str) -> Option<AttrValue<'_>> {
        self.field(name)?.get(row)
    }

    /// Item `row`'s present values, in field order (what a result builder turns into an object).
    pub fn row(&self, row: usize) -> impl Iterator<Item = (&str, AttrValue<'_>)> + '_ {
        self.fields
            .iter()
            .filter_map(move |f| Some((f.name.as_str(), f.get(row)?)))
    }

    /// Checks `n` items per field, unique non-empty names, finite numbers and the field limit.
    pub fn validate(&self, n: usize) -> Result<()> {
        let bad = |reason: String| {
            Err(Error::Malformed {
                section: "ATTR",
                reason,
            })
        };
        if self.fields.len() > MAX_ATTR_FIELDS as usize {
            return Err(Error::TooLarge {
                what: "attribute field count",
                value: self.fields.len() as u64,
                max: MAX_ATTR_FIELDS.into(),
            });
        }
        for (i, f) in self.fields.iter().enumerate() {
            if f.name.is_empty() || self.fields[..i].iter().any(|g| g.name == f.name) {
                return bad(format!("field #{i} has an empty or repeated name"));
            }
            let len = match &f.values {
                AttrValues::Text(s) => s.len(),
                AttrValues::Number(v) => v.len(),
                AttrValues::Bool(v) => v.len(),
            };
            if len != n || f.present.len() != n {
                return bad(format!(
                    "field \"{}\" has {len} values for {n} items",
                    f.name
                ));
            }
            if let AttrValues::Number(v) = &f.values {
                if let Some(index) = v.iter().position(|x| !x.is_finite()) {
                    return Err(Error::NonFinite {
                        what: "attribute number",
                        index,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Writes the `ATTR` section body (callers write it only when there are fields).
pub(crate) fn encode(a: &Attributes) -> Vec<u8> {
    let mut out = Sink::default();
    out.u32(a.fields.len() as u32);
    strings::write(&mut out, a.fields.iter().map(|f| f.name.as_str()));
    for f in &a.fields {
        out.raw(&[f.kind() as u8]);
    }
    for f in &a.fields {
        let mut bits = vec![0u8; f.present.len().div_ceil(8)];
        for (j, _) in f.present.iter().enumerate().filter(|(_, p)| **p) {
            bits[j / 8] |= 1 << (j % 8);
        }
        out.raw(&bits);
        match &f.values {
            AttrValues::Text(s) => strings::write(&mut out, s.iter()),
            AttrValues::Number(v) => v.iter().for_each(|x| out.u64(x.to_bits())),
            AttrValues::Bool(v) => v.iter().for_each(|b| out.raw(&[u8::from(*b)])),
        }
    }
    out.bytes
}

/// Reads an `ATTR` section for `n` items; every length is checked before allocation.
pub(crate) fn decode(bytes: &[u8], n: usize) -> Result<Attributes> {
    let malformed = |reason: String| Error::Malformed {
        section: "ATTR",
        reason,
    };
    let mut cur = Cursor::new(bytes, "ATTR");
    let count = cur.u32()?;
    if count == 0 || count > MAX_ATTR_FIELDS {
        return Err(Error::TooLarge {
            what: "attribute field count",
            value: count.into(),
            max: MAX_ATTR_FIELDS.into(),
        });
    }
    let names = strings::read(&mut cur, "ATTR", Some(count as usize))?;
    let types = cur.take(count as usize)?;
    let mut fields = Vec::with_capacity(count as usize);
    for (name, &code) in names.iter().zip(types) {
        let bits = cur.take(n.div_ceil(8))?;
        let present: Vec<bool> = (0..n).map(|j| bits[j / 8] >> (j % 8) & 1 == 1).collect();
        if n % 8 != 0 && bits.last().is_some_and(|b| b >> (n % 8) != 0) {
            return Err(malformed(format!(
                "field \"{name}\": presence bits past item {n}"
            )));
        }
        let values = match code {
            0 => AttrValues::Text(strings::read(&mut cur, "ATTR", Some(n))?),
            1 => {
                let raw = cur.take(n.checked_mul(8).ok_or_else(|| malformed("size".into()))?)?;
                let mut v = try_with_capacity(n, "attribute numbers")?;
                v.extend(raw.chunks_exact(8).map(|c| {
                    f64::from_bits(u64::from_le_bytes([
                        c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
                    ]))
                }));
                AttrValues::Number(v)
            }
            2 => {
                let raw = cur.take(n)?;
                if raw.iter().any(|b| *b > 1) {
                    return Err(malformed(format!(
                        "field \"{name}\": a boolean is not 0 or 1"
                    )));
                }
                AttrValues::Bool(raw.iter().map(|b| *b == 1).collect())
            }
            other => return Err(malformed(format!("field \"{name}\": unknown type {other}"))),
        };
        fields.push(Attribute {
            name: name.to_owned(),
            present,
            values,
        });
    }
    if cur.remaining() != 0 {
        return Err(malformed(format!(
            "{} unexpected trailing bytes",
            cur.remaining()
        )));
    }
    let attrs = Attributes { fields };
    attrs.validate(n)?;
    Ok(attrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Attributes {
        Attributes {
            fields: vec![
                Attribute {
                    name: "price".into(),
                    present: vec![true, false, true],
                    values: AttrValues::Number(vec![19.99, 0.0, 5.0]),
                },
                Attribute {
                    name: "in_stock".into(),
                    present: vec![true, true, false],
                    values: AttrValues::Bool(vec![true, false, false]),
                },
                Attribute {
                    name: "image".into(),
                    present: vec![false, true, true],
                    values: AttrValues::Text(["", "b.png", "ç.png"].into_iter().collect()),
                },
            ],
        }
    }

    #[test]
    fn attributes_round_trip_with_absent_values() {
        let a = sample();
        let back = decode(&encode(&a), 3).unwrap();
        assert_eq!(back, a);
        assert_eq!(back.get(0, "price"), Some(AttrValue::Number(19.99)));
        assert_eq!(back.get(1, "price"), None);
        assert_eq!(back.get(1, "in_stock"), Some(AttrValue::Bool(false)));
        assert_eq!(back.get(2, "image"), Some(AttrValue::Text("ç.png")));
        assert_eq!(back.get(0, "nope"), None);
        let row: Vec<_> = back.row(2).map(|(k, _)| k).collect();
        assert_eq!(row, ["price", "image"]);
    }

    #[test]
    fn a_non_finite_number_is_refused() {
        let mut a = sample();
        a.fields[0].values = AttrValues::Number(vec![1.0, f64::NAN, 2.0]);
        let err = decode(&encode(&a), 3).unwrap_err();
        assert!(matches!(err, Error::NonFinite { index: 1, .. }), "{err}");
    }

    #[test]
    fn an_unknown_type_code_and_trailing_bytes_are_malformed() {
        let mut bytes = encode(&sample());
        let types_at = 4 + 4 + 4 * 4 + "priceIn_stockimage".len();
        bytes[types_at] = 7;
        assert!(matches!(decode(&bytes, 3), Err(Error::Malformed { .. })));
        let mut bytes = encode(&sample());
        bytes.push(0);
        assert!(matches!(decode(&bytes, 3), Err(Error::Malformed { .. })));
    }

    #[test]
    fn a_truncated_section_is_a_typed_error() {
        let bytes = encode(&sample());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], 3).is_err(), "cut at {cut}");
        }
    }
}
