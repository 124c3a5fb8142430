//! What callers see of an item: the fields of a recommendation (`key`, `score`, `title`,
//! `category` by default, other catalogue attributes on request) or of a catalogue entry. The
//! fields are resolved once per request ([`Fields`]) and read per item as borrowed [`Value`]s, so
//! a front end (the JS façade) copies each string once, straight into its own representation.
//!
//! Attributes come from two sections: the display strings of `META` and the typed values of
//! `ATTR` (text, number, boolean, each possibly absent for an item). **`META` wins** a name both
//! have: the trainer writes `category` and `brand` to both, and the shown `category` is `META`'s
//! display string (the last part of a path), not `ATTR`'s full path. `title` and `category` are
//! always text, from `META` or `""` (never from `ATTR`), so every result has them as strings.
//! Nothing here knows about JS.

use std::rc::Rc;

use crate::live::LiveAttributes;
use crate::model::{AttrType, AttrValue, Model};
use crate::{Error, Result};

/// The attributes every recommendation carries besides `key` and `score`.
pub const DEFAULT_ATTRIBUTES: [&str; 2] = ["title", "category"];

/// One field's value for one item, borrowed from the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'m> {
    Text(&'m str),
    Number(f64),
    Bool(bool),
    /// The item has no value for this field (an `ATTR` presence bit is off): callers leave the
    /// field out rather than show `""`, `0` or `false`.
    Absent,
}

impl<'m> From<AttrValue<'m>> for Value<'m> {
    fn from(v: AttrValue<'m>) -> Self {
        match v {
            AttrValue::Text(t) => Value::Text(t),
            AttrValue::Number(x) => Value::Number(x),
            AttrValue::Bool(b) => Value::Bool(b),
        }
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Key,
    Score,
    /// A `META` field, by position (`""` for items without it).
    Meta(usize),
    /// An `ATTR` field, by position, and its type.
    Attr(usize, AttrType),
    /// A default attribute the model does not have: `""`, as before metadata existed.
    Empty,
}

impl Source {
    /// The source of attribute `name` in `model` under the precedence of the module docs.
    fn of(model: &Model, name: &str) -> Option<Source> {
        if let Some(p) = model.meta.field_index(name) {
            return Some(Source::Meta(p));
        }
        if DEFAULT_ATTRIBUTES.contains(&name) {
            return Some(Source::Empty);
        }
        let fields = &model.attributes().fields;
        let p = fields.iter().position(|f| f.name == name)?;
        Some(Source::Attr(p, fields[p].kind()))
    }

    fn kind(self) -> AttrType {
        match self {
            Source::Score => AttrType::Number,
            Source::Attr(_, kind) => kind,
            Source::Key | Source::Meta(_) | Source::Empty => AttrType::Text,
        }
    }
}

/// Every attribute `model` offers with its type, in the order `item(key)` lists them: `title`,
/// `category`, the other `META` fields, then the `ATTR` fields `META` does not shadow.
pub fn schema(model: &Model) -> Vec<(&str, AttrType)> {
    let mut out: Vec<(&str, AttrType)> = DEFAULT_ATTRIBUTES
        .iter()
        .map(|n| (*n, AttrType::Text))
        .collect();
    for name in &model.meta.fields {
        if !DEFAULT_ATTRIBUTES.contains(&name.as_str()) {
            out.push((name, AttrType::Text));
        }
    }
    for (name, kind) in model.attributes().schema() {
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, kind));
        }
    }
    out
}

/// The fields of a result or catalogue request, in output order.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    names: Vec<String>,
    sources: Vec<Source>,
    /// Values set after load, read before the model's ([`Self::with_live`]).
    live: Option<Rc<LiveAttributes>>,
}

impl Fields {
    /// `key`, `score`, the default attributes, then `extra` (each a `META` or `ATTR` field of
    /// `model`; an unknown name is refused, a repeated or default one ignored).
    pub fn recommendation(model: &Model, extra: &[String]) -> Result<Self> {
        Self::build(model, true, extra)
    }

    /// `key`, the default attributes and `extra`, as [`Self::recommendation`] without a score.
    pub fn catalogue(model: &Model, extra: &[String]) -> Result<Self> {
        Self::build(model, false, extra)
    }

    /// `key` and every attribute of [`schema`] (what `item(key)` returns).
    pub fn every_attribute(model: &Model) -> Self {
        let mut f = Self::start(false);
        for (name, _) in schema(model) {
            f.push(name, Source::of(model, name).unwrap_or(Source::Empty));
        }
        f
    }

    fn start(score: bool) -> Self {
        let mut f = Self {
            names: vec!["key".into()],
            sources: vec![Source::Key],
            live: None,
        };
        if score {
            f.push("score", Source::Score);
        }
        f
    }

    fn build(model: &Model, score: bool, extra: &[String]) -> Result<Self> {
        let mut f = Self::start(score);
        for name in DEFAULT_ATTRIBUTES {
            f.push(name, Source::of(model, name).unwrap_or(Source::Empty));
        }
        for name in extra {
            let Some(source) = Source::of(model, name) else {
                return Err(Error::InvalidArgument(format!(
                    "unknown attribute \"{name}\" (`attributes()` lists the model's attributes)"
                )));
            };
            if !f.names.iter().any(|n| n == name) {
                f.push(name, source);
            }
        }
        Ok(f)
    }

    /// Reads typed attributes through `live` (values the page set after load) from now on.
    pub fn with_live(mut self, live: Rc<LiveAttributes>) -> Self {
        self.live = (!live.is_empty()).then_some(live);
        self
    }

    fn push(&mut self, name: &str, source: Source) {
        self.names.push(name.into());
        self.sources.push(source);
    }

    /// True when the second field is `score` (recommendations; catalogue entries have none).
    /// The fields always start `key`, [`score`], then [`DEFAULT_ATTRIBUTES`], then the extras.
    pub fn has_score(&self) -> bool {
        matches!(self.sources.get(1), Some(Source::Score))
    }

    /// The requested attributes after the default fields.
    pub fn extra(&self) -> &[String] {
        self.names.get(self.extra_start()..).unwrap_or_default()
    }

    /// The types of [`Self::extra`], in the same order.
    pub fn extra_kinds(&self) -> impl ExactSizeIterator<Item = AttrType> + '_ {
        let s = self.sources.get(self.extra_start()..).unwrap_or_default();
        s.iter().map(|s| s.kind())
    }

    fn extra_start(&self) -> usize {
        1 + usize::from(self.has_score()) + DEFAULT_ATTRIBUTES.len()
    }

    /// Field names, in output order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The type of field `field` (`key`, `title`, `category` and `META` fields are text,
    /// `score` a number). Every value of the field is of this type or [`Value::Absent`].
    pub fn kind(&self, field: usize) -> AttrType {
        self.sources.get(field).map_or(AttrType::Text, |s| s.kind())
    }

    /// The value of field `field` for item `row` scored `score` (ignored by catalogue fields).
    pub fn value<'m>(&'m self, model: &'m Model, row: u32, score: f32, field: usize) -> Value<'m> {
        let i = row as usize;
        match self.sources.get(field) {
            Some(Source::Key) => Value::Text(model.keys.key(i)),
            Some(Source::Score) => Value::Number(f64::from(score)),
            Some(Source::Meta(p)) => Value::Text(model.meta.value(i, *p)),
            Some(Source::Attr(p, _)) => match &self.live {
                Some(live) => live.value(model, *p, row),
                None => model.attributes().fields.get(*p).and_then(|a| a.get(i)),
            }
            .map_or(Value::Absent, Value::from),
            Some(Source::Empty) | None => Value::Text(""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AttrValues, Attribute, Attributes, FoldIn, ItemKeys, ItemTable, Metadata};
    use ndarray::array;

    /// Three items with `META` title/category/brand and `ATTR` fields as the trainer writes
    /// them (sorted by name, `brand` and `category` in both sections).
    fn model() -> Model {
        let table = ItemTable::quantise(
            &array![[0.5f32, -0.25], [0.0, 1.0], [1.0, 0.5]],
            array![0.1f32, 0.0, 0.2],
        );
        let gram = table.gram();
        let meta = Metadata {
            fields: vec!["title".into(), "category".into(), "brand".into()],
            values: [
                "Glue", "Tapes", "Acme", "Tape", "Tapes", "Bolt", "Pen", "Inks", "",
            ]
            .into_iter()
            .collect(),
        };
        let text = |name: &str, present: [bool; 3], v: [&str; 3]| Attribute {
            name: name.into(),
            present: present.to_vec(),
            values: AttrValues::Text(v.into_iter().collect()),
        };
        let attributes = Attributes {
            fields: vec![
                text("brand", [true, true, false], ["Acme", "Bolt", ""]),
                text(
                    "category",
                    [true; 3],
                    ["A > Tapes", "A > Tapes", "B > Inks"],
                ),
                text("image", [false, true, true], ["", "b.png", ""]),
                Attribute {
                    name: "in_stock".into(),
                    present: vec![true, true, false],
                    values: AttrValues::Bool(vec![true, false, false]),
                },
                Attribute {
                    name: "price".into(),
                    present: vec![true, false, true],
                    values: AttrValues::Number(vec![19.99, 0.0, 0.0]),
                },
            ],
        };
        Model {
            table,
            keys: ItemKeys::new(vec!["a".into(), "b".into(), "c".into()]).unwrap(),
            meta,
            fold: FoldIn {
                lambda: 1.0,
                alpha: 10.0,
                decay: 0.9,
                kind_weights: vec![1.0, 2.0, 3.0],
                gram,
            },
            extra: crate::model::Extensions {
                attributes,
                ..Default::default()
            },
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn row<'m>(f: &'m Fields, m: &'m Model, row: u32) -> Vec<Value<'m>> {
        (0..f.names().len())
            .map(|j| f.value(m, row, 0.5, j))
            .collect()
    }

    #[test]
    fn requested_attr_fields_keep_their_types_and_absent_values_are_absent() {
        let m = model();
        let f = Fields::recommendation(&m, &names(&["price", "in_stock", "image"])).unwrap();
        assert_eq!(f.extra(), ["price", "in_stock", "image"]);
        let kinds: Vec<AttrType> = f.extra_kinds().collect();
        assert_eq!(kinds, [AttrType::Number, AttrType::Bool, AttrType::Text]);
        use Value::{Absent, Bool, Number, Text};
        let fixed = |k, t, c| [Text(k), Number(0.5), Text(t), Text(c)];
        let want = |k, t, c, extra: [Value<'static>; 3]| {
            let mut v = fixed(k, t, c).to_vec();
            v.extend(extra);
            v
        };
        let a = want("a", "Glue", "Tapes", [Number(19.99), Bool(true), Absent]);
        assert_eq!(row(&f, &m, 0), a);
        let b = want("b", "Tape", "Tapes", [Absent, Bool(false), Text("b.png")]);
        assert_eq!(row(&f, &m, 1), b);
        let c = want("c", "Pen", "Inks", [Number(0.0), Absent, Text("")]);
        assert_eq!(row(&f, &m, 2), c);
    }

    #[test]
    fn meta_wins_a_name_both_sections_have() {
        let m = model();
        let f = Fields::catalogue(&m, &names(&["brand", "category"])).unwrap();
        assert_eq!(f.names(), ["key", "title", "category", "brand"]);
        assert!(!f.has_score());
        // `META`'s display strings, not `ATTR`'s path or presence: item c's brand is "".
        use Value::Text;
        assert_eq!(
            row(&f, &m, 0),
            [Text("a"), Text("Glue"), Text("Tapes"), Text("Acme")]
        );
        assert_eq!(
            row(&f, &m, 2),
            [Text("c"), Text("Pen"), Text("Inks"), Text("")]
        );
        assert_eq!(f.kind(3), AttrType::Text);
    }

    #[test]
    fn title_and_category_never_come_from_attr() {
        let mut m = model();
        m.meta = Metadata::default();
        let f = Fields::catalogue(&m, &names(&["category", "brand"])).unwrap();
        assert_eq!(f.names(), ["key", "title", "category", "brand"]);
        use Value::{Absent, Text};
        assert_eq!(
            row(&f, &m, 0),
            [Text("a"), Text(""), Text(""), Text("Acme")]
        );
        assert_eq!(row(&f, &m, 2), [Text("c"), Text(""), Text(""), Absent]);
    }

    #[test]
    fn an_unknown_attribute_is_an_invalid_argument() {
        let m = model();
        for f in [
            Fields::recommendation(&m, &names(&["price", "colour"])),
            Fields::catalogue(&m, &names(&["colour"])),
        ] {
            assert!(matches!(f, Err(Error::InvalidArgument(_))), "{f:?}");
        }
    }

    #[test]
    fn every_attribute_lists_meta_then_the_attr_fields_meta_does_not_shadow() {
        let m = model();
        let schema: Vec<(&str, &str)> = schema(&m).iter().map(|(n, t)| (*n, t.as_str())).collect();
        assert_eq!(
            schema,
            [
                ("title", "string"),
                ("category", "string"),
                ("brand", "string"),
                ("image", "string"),
                ("in_stock", "boolean"),
                ("price", "number"),
            ]
        );
        let f = Fields::every_attribute(&m);
        assert_eq!(
            f.names(),
            ["key", "title", "category", "brand", "image", "in_stock", "price"]
        );
        let kinds: Vec<AttrType> = f.extra_kinds().collect();
        assert_eq!(
            kinds,
            [
                AttrType::Text,
                AttrType::Text,
                AttrType::Bool,
                AttrType::Number
            ]
        );
        assert_eq!(f.value(&m, 1, 0.0, 6), Value::Absent);
        assert_eq!(f.value(&m, 0, 0.0, 6), Value::Number(19.99));
    }

    #[test]
    fn a_model_without_metadata_or_attributes_shows_empty_defaults() {
        let mut m = model();
        m.meta = Metadata::default();
        m.extra.attributes = Attributes::default();
        assert_eq!(
            schema(&m),
            [("title", AttrType::Text), ("category", AttrType::Text)]
        );
        let f = Fields::every_attribute(&m);
        assert_eq!(
            row(&f, &m, 1),
            [Value::Text("b"), Value::Text(""), Value::Text("")]
        );
    }
}
