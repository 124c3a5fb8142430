//! Meaning of the v1 sections (`DIMS`, `QI8R`, `BIAS`, `KEYS`, `META`, `FOLD`): decoding with
//! every size checked against `DIMS` before allocation, and encoding. Layouts: `docs/FORMAT.md`.

use ndarray::{Array1, Array2};

use super::attributes::{self, ATTR};
use super::container::RawSection;
use super::cursor::{self, Cursor, Sink};
use super::neighbours::{Neighbours, NBRS};
use super::provenance::{self, PROV};
use super::regulariser::{self, FREG};
use super::rows4::{self, QI4R};
use super::{
    strings, Extensions, FoldIn, ItemKeys, ItemTable, Metadata, Model, Rows, MAX_DIM, MAX_ITEMS,
    MAX_META_FIELDS,
};
use crate::history::EventKind;
use crate::{Error, Result};

pub(crate) const DIMS: [u8; 4] = *b"DIMS";
pub(crate) const QI8R: [u8; 4] = *b"QI8R";
pub(crate) const BIAS: [u8; 4] = *b"BIAS";
pub(crate) const KEYS: [u8; 4] = *b"KEYS";
pub(crate) const META: [u8; 4] = *b"META";
pub(crate) const FOLD: [u8; 4] = *b"FOLD";
const KNOWN: [[u8; 4]; 11] = [
    DIMS, QI8R, BIAS, KEYS, META, FOLD, NBRS, QI4R, ATTR, PROV, FREG,
];

fn find<'a>(sections: &[RawSection<'a>], id: [u8; 4], name: &'static str) -> Result<&'a [u8]> {
    sections
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.bytes)
        .ok_or(Error::MissingSection { id: name })
}

/// Checks that a section is exactly `expected` bytes, computed with overflow checks.
fn expect_len(section: &'static str, bytes: &[u8], expected: Option<u64>) -> Result<()> {
    let expected = expected.ok_or(Error::TooLarge {
        what: "section size",
        value: u64::MAX,
        max: u64::from(u32::MAX),
    })?;
    if bytes.len() as u64 != expected {
        return Err(Error::SectionSize {
            section,
            expected,
            actual: bytes.len() as u64,
        });
    }
    Ok(())
}

fn check_finite(what: &'static str, values: &[f32]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite { what, index }),
        None => Ok(()),
    }
}

fn limit(what: &'static str, value: u32, max: u32) -> Result<usize> {
    if value == 0 || value > max {
        return Err(Error::TooLarge {
            what,
            value: value.into(),
            max: max.into(),
        });
    }
    Ok(value as usize)
}

/// Builds a [`Model`] from parsed sections.
pub(crate) fn decode(sections: &[RawSection<'_>]) -> Result<Model> {
    if let Some(s) = sections
        .iter()
        .find(|s| s.required && !KNOWN.contains(&s.id))
    {
        return Err(Error::UnknownRequiredSection { id: s.id_str() });
    }

    let dims = find(sections, DIMS, "DIMS")?;
    expect_len("DIMS", dims, Some(8))?;
    let mut cur = Cursor::new(dims, "DIMS");
    let n = limit("item count", cur.u32()?, MAX_ITEMS)?;
    let d = limit("dimension", cur.u32()?, MAX_DIM)?;
    let (n64, d64) = (n as u64, d as u64);

    // Item rows: `QI8R`, or 4-bit `QI4R` (§ 1.7) — exactly one of them.
    let rows4 = sections.iter().find(|s| s.id == QI4R);
    let (rows, scales) = match (rows4, sections.iter().any(|s| s.id == QI8R)) {
        (Some(_), true) => {
            return Err(Error::Malformed {
                section: "QI4R",
                reason: "a model has QI8R or QI4R rows, not both".into(),
            })
        }
        (Some(s), false) => {
            let (rows, scales) = rows4::decode(s.bytes, n, d)?;
            (Rows::I4(rows), scales)
        }
        (None, _) => {
            let rows = find(sections, QI8R, "QI8R")?;
            expect_len("QI8R", rows, n64.checked_mul(4 + d64))?;
            let mut cur = Cursor::new(rows, "QI8R");
            let scales = cur.f32s(n)?;
            let bytes = cur.take(n * d)?;
            let mut q = cursor::try_with_capacity(n * d, "item row values")?;
            q.extend(bytes.iter().map(|b| *b as i8));
            let rows = Array2::from_shape_vec((n, d), q).map_err(|e| Error::Malformed {
                section: "QI8R",
                reason: e.to_string(),
            })?;
            (Rows::I8(rows), scales)
        }
    };
    check_finite("row scale", &scales)?;
    if let Some(index) = scales.iter().position(|s| *s < 0.0) {
        return Err(Error::Malformed {
            section: if rows4.is_some() { "QI4R" } else { "QI8R" },
            reason: format!("row scale #{index} is negative"),
        });
    }

    let bias_bytes = find(sections, BIAS, "BIAS")?;
    expect_len("BIAS", bias_bytes, n64.checked_mul(4))?;
    let bias = Cursor::new(bias_bytes, "BIAS").f32s(n)?;
    check_finite("item bias", &bias)?;

    let keys_bytes = find(sections, KEYS, "KEYS")?;
    let mut cur = Cursor::new(keys_bytes, "KEYS");
    let keys = ItemKeys::from_strings(strings::read(&mut cur, "KEYS", Some(n))?)?;
    trailing("KEYS", &cur)?;

    let meta = match sections.iter().find(|s| s.id == META) {
        Some(s) => decode_meta(s.bytes, n)?,
        None => Metadata::default(),
    };

    let fold = decode_fold(find(sections, FOLD, "FOLD")?, d)?;

    let neighbours = match sections.iter().find(|s| s.id == NBRS) {
        Some(s) => Some(Neighbours::decode(s.bytes, n)?),
        None => None,
    };

    let attributes = match sections.iter().find(|s| s.id == ATTR) {
        Some(s) => attributes::decode(s.bytes, n)?,
        None => Default::default(),
    };
    let provenance = match sections.iter().find(|s| s.id == PROV) {
        Some(s) => Some(provenance::decode(s.bytes)?),
        None => None,
    };
    let fold_regulariser = match sections.iter().find(|s| s.id == FREG) {
        Some(s) => regulariser::decode(s.bytes)?,
        None => Default::default(),
    };

    Ok(Model {
        table: ItemTable {
            rows,
            scales: Array1::from(scales),
            bias: Array1::from(bias),
        },
        keys,
        meta,
        fold,
        extra: Extensions {
            neighbours,
            rows4: rows4.is_some(),
            attributes,
            provenance,
            fold_regulariser,
        },
    })
}

fn trailing(section: &'static str, cur: &Cursor<'_>) -> Result<()> {
    if cur.remaining() != 0 {
        return Err(Error::Malformed {
            section,
            reason: format!("{} unexpected trailing bytes", cur.remaining()),
        });
    }
    Ok(())
}

fn decode_meta(bytes: &[u8], n: usize) -> Result<Metadata> {
    let mut cur = Cursor::new(bytes, "META");
    let fields: Vec<String> = strings::read(&mut cur, "META", None)?
        .iter()
        .map(str::to_owned)
        .collect();
    limit("metadata field count", fields.len() as u32, MAX_META_FIELDS)?;
    let values = strings::read(&mut cur, "META", Some(n * fields.len()))?;
    trailing("META", &cur)?;
    Ok(Metadata { fields, values })
}

fn decode_fold(bytes: &[u8], d: usize) -> Result<FoldIn> {
    let mut cur = Cursor::new(bytes, "FOLD");
    let lambda = cur.f32()?;
    let alpha = cur.f32()?;
    let decay = cur.f32()?;
    let kinds = cur.u32()?;
    if kinds as usize != EventKind::ALL.len() {
        return Err(Error::Malformed {
            section: "FOLD",
            reason: format!(
                "{kinds} event-kind weights, expected {}",
                EventKind::ALL.len()
            ),
        });
    }
    let kind_weights = cur.f32s(kinds as usize)?;
    expect_len(
        "FOLD",
        bytes,
        Some(16 + 4 * u64::from(kinds) + 4 * (d as u64) * (d as u64)),
    )?;
    let gram = cur.f32s(d * d)?;
    let params = [lambda, alpha, decay];
    check_finite("fold-in parameter", &params)?;
    check_finite("event-kind weight", &kind_weights)?;
    check_finite("Gram matrix entry", &gram)?;
    // Named, not printed: formatting a float would cost the wasm module 20 KB of `core::fmt`.
    let bad = if lambda <= 0.0 {
        Some("λ must be > 0")
    } else if alpha < 0.0 {
        Some("α must be ≥ 0")
    } else if !(0.0..=1.0).contains(&decay) {
        Some("decay must be in 0..=1")
    } else {
        None
    };
    if let Some(bad) = bad {
        return Err(Error::Malformed {
            section: "FOLD",
            reason: bad.into(),
        });
    }
    let gram = Array2::from_shape_vec((d, d), gram).map_err(|e| Error::Malformed {
        section: "FOLD",
        reason: e.to_string(),
    })?;
    Ok(FoldIn {
        lambda,
        alpha,
        decay,
        kind_weights,
        gram,
    })
}

/// Encodes a model into `(id, required, bytes)` sections, in file order.
pub(crate) fn encode(m: &Model) -> Vec<([u8; 4], bool, Vec<u8>)> {
    let (n, d) = m.table.rows.dim();
    let mut dims = Sink::default();
    dims.u32(n as u32);
    dims.u32(d as u32);

    let packed = m.extra.rows4.then(|| rows4::encode(&m.table)).flatten();
    let (rows_id, rows) = match packed {
        Some(bytes) => (QI4R, bytes),
        None => {
            let mut rows = Sink::default();
            rows.f32s(m.table.scales.iter().copied());
            rows.raw(
                &m.table
                    .rows
                    .to_i8()
                    .iter()
                    .map(|q| *q as u8)
                    .collect::<Vec<_>>(),
            );
            (QI8R, rows.bytes)
        }
    };

    let mut bias = Sink::default();
    bias.f32s(m.table.bias.iter().copied());

    let mut keys = Sink::default();
    strings::write(&mut keys, m.keys.iter());

    let mut fold = Sink::default();
    fold.f32(m.fold.lambda);
    fold.f32(m.fold.alpha);
    fold.f32(m.fold.decay);
    fold.u32(m.fold.kind_weights.len() as u32);
    fold.f32s(m.fold.kind_weights.iter().copied());
    fold.f32s(m.fold.gram.iter().copied());

    let mut out = vec![
        (DIMS, true, dims.bytes),
        (rows_id, true, rows),
        (BIAS, true, bias.bytes),
        (KEYS, true, keys.bytes),
        (FOLD, true, fold.bytes),
    ];
    if !m.meta.fields.is_empty() {
        let mut meta = Sink::default();
        strings::write(&mut meta, m.meta.fields.iter().map(String::as_str));
        strings::write(&mut meta, m.meta.values.iter());
        out.push((META, false, meta.bytes));
    }
    if let Some(nb) = &m.extra.neighbours {
        out.push((NBRS, false, nb.encode(n)));
    }
    if !m.extra.attributes.is_empty() {
        out.push((ATTR, false, attributes::encode(&m.extra.attributes)));
    }
    if let Some(p) = &m.extra.provenance {
        out.push((PROV, false, provenance::encode(p)));
    }
    if m.extra.fold_regulariser != Default::default() {
        out.push((FREG, false, regulariser::encode(m.extra.fold_regulariser)));
    }
    out
}
