//! The `QI4R` section: item rows at 4 bits per value, an alternative to `QI8R` (a model has
//! exactly one of them). Values are in −7..=7 with one f32 scale per row (docs/FORMAT.md § 1.7).
//! In memory they stay packed ([`Packed4`], the section's bytes as they are): the CPU kernels read
//! them directly (half the memory traffic of int8), and [`super::Rows::to_i8`] expands them where
//! a consumer wants int8 (the ndarray reference, the GPU upload).
//!
//! Layout: `N × f32 scale | N × ceil(d/2) bytes`; value k of row j is the low nibble (k even)
//! or high nibble (k odd) of byte `j·ceil(d/2) + k/2`, two's complement; −8 is refused and an
//! odd `d` leaves the last high nibble 0.

use ndarray::{Array1, Array2};

use super::cursor::{try_with_capacity, Cursor, Sink};
use super::{ItemTable, Rows};
use crate::{Error, Result};

/// Section id.
pub(crate) const QI4R: [u8; 4] = *b"QI4R";
/// Largest magnitude of a 4-bit value.
pub const MAX4: i8 = 7;

/// Quantises f32 rows to 4 bits per value. Per row, the scale is the one of
/// `max|x|/7 · {1, 0.95, …, 0.6}` with the least squared error (values clamped to ±7).
pub fn quantise4(rows: &Array2<f32>, bias: Array1<f32>) -> ItemTable {
    let (n, d) = rows.dim();
    let mut q = Array2::<i8>::zeros((n, d));
    let mut scales = Array1::<f32>::zeros(n);
    for (j, row) in rows.outer_iter().enumerate() {
        let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
        if max <= 0.0 {
            continue;
        }
        let quant = |s: f32, v: f32| (v / s).round().clamp(-7.0, 7.0);
        let err = |s: f32| -> f32 { row.iter().map(|v| (quant(s, *v) * s - v).powi(2)).sum() };
        let best = (0..9)
            .map(|t| max / 7.0 * (1.0 - 0.05 * t as f32))
            .min_by(|a, b| err(*a).total_cmp(&err(*b)))
            .unwrap_or(max / 7.0);
        scales[j] = best;
        for (k, v) in row.iter().enumerate() {
            q[[j, k]] = quant(best, *v) as i8;
        }
    }
    ItemTable {
        rows: q.into(),
        scales,
        bias,
    }
}

/// `N × d` values at 4 bits each, row-major, `ceil(d/2)` bytes per row: value `k` of row `j` is
/// the low (k even) or high (k odd) nibble of byte `j·ceil(d/2) + k/2`, two's complement, in
/// −7..=7; an odd `d` leaves each row's last high nibble 0. Exactly the `QI4R` row bytes.
#[derive(Debug, Clone)]
pub struct Packed4 {
    bytes: Vec<u8>,
    n: usize,
    d: usize,
}

impl Packed4 {
    /// Packs int8 rows; `None` unless every value is in −7..=7.
    pub fn from_i8(rows: &Array2<i8>) -> Option<Self> {
        if !all_fit(rows) {
            return None;
        }
        let (n, d) = rows.dim();
        let per = d.div_ceil(2);
        let mut bytes = vec![0u8; n * per];
        for ((j, k), v) in rows.indexed_iter() {
            let nib = (*v as u8) & 0x0f;
            bytes[j * per + k / 2] |= if k % 2 == 0 { nib } else { nib << 4 };
        }
        Some(Self { bytes, n, d })
    }

    /// `(N, d)`.
    pub fn dim(&self) -> (usize, usize) {
        (self.n, self.d)
    }

    /// Bytes per row, `ceil(d/2)`.
    pub fn row_bytes(&self) -> usize {
        self.d.div_ceil(2)
    }

    /// The packed bytes, `N · ceil(d/2)` of them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Value `k` of row `j`.
    ///
    /// # Panics
    /// If `j ≥ N` or `k ≥ d`.
    pub fn get(&self, j: usize, k: usize) -> i8 {
        assert!(j < self.n && k < self.d, "4-bit row index out of range");
        nibble(self.bytes[j * self.row_bytes() + k / 2], k)
    }

    /// Row `j` expanded to int8.
    pub fn row_i8(&self, j: usize) -> Array1<i8> {
        (0..self.d).map(|k| self.get(j, k)).collect()
    }

    /// All rows expanded to int8.
    ///
    /// # Panics
    /// When `N·d` bytes cannot be allocated; [`Self::try_unpack`] returns an error instead.
    pub fn unpack(&self) -> Array2<i8> {
        match self.try_unpack() {
            Ok(rows) => rows,
            Err(e) => panic!("{e}"),
        }
    }

    /// All rows expanded to int8, or [`Error::TooLarge`] when `N·d` bytes cannot be allocated
    /// (a model that is only loadable packed: wasm32 has 4 GB).
    pub fn try_unpack(&self) -> Result<Array2<i8>> {
        let (n, d) = (self.n, self.d);
        let total = n.checked_mul(d).ok_or(Error::TooLarge {
            what: "item row values",
            value: n as u64 * d as u64,
            max: usize::MAX as u64,
        })?;
        let mut values = try_with_capacity(total, "item row values")?;
        values.resize(total, 0i8);
        unpack_rows(&self.bytes, d, &mut values);
        Array2::from_shape_vec((n, d), values).map_err(|e| Error::Malformed {
            section: "QI4R",
            reason: e.to_string(),
        })
    }
}

/// Expands packed rows of `d` values (`ceil(d/2)` bytes each) into `out`, `d` int8 values per
/// row, as many rows as both hold: the pairs branch-free (vectorisable), then the odd value of
/// an odd `d`.
pub fn unpack_rows(packed: &[u8], d: usize, out: &mut [i8]) {
    if d == 0 {
        return;
    }
    for (dst, src) in out
        .chunks_exact_mut(d)
        .zip(packed.chunks_exact(d.div_ceil(2)))
    {
        let (pairs, last) = dst.split_at_mut(d / 2 * 2);
        for (pair, &b) in pairs.chunks_exact_mut(2).zip(src) {
            pair[0] = nibble(b, 0);
            pair[1] = nibble(b, 1);
        }
        if let (Some(v), Some(&b)) = (last.first_mut(), src.last()) {
            *v = nibble(b, 0);
        }
    }
}

/// Value `k` of a row from its byte `k / 2`: the low nibble for even `k`, high for odd,
/// sign-extended.
#[inline]
pub fn nibble(byte: u8, k: usize) -> i8 {
    let nib = if k % 2 == 0 { byte << 4 } else { byte & 0xf0 };
    (nib as i8) >> 4
}

/// True when every value of the table fits the 4-bit format.
pub fn fits(table: &ItemTable) -> bool {
    match &table.rows {
        Rows::I8(rows) => all_fit(rows),
        Rows::I4(_) => true,
    }
}

fn all_fit(rows: &Array2<i8>) -> bool {
    rows.iter().all(|v| (-MAX4..=MAX4).contains(v))
}

/// Encodes a table whose values all [`fits`] (`None` otherwise).
pub(crate) fn encode(table: &ItemTable) -> Option<Vec<u8>> {
    let mut s = Sink::default();
    s.f32s(table.scales.iter().copied());
    match &table.rows {
        Rows::I4(p) => s.raw(p.as_bytes()),
        Rows::I8(rows) => s.raw(Packed4::from_i8(rows)?.as_bytes()),
    }
    Some(s.bytes)
}

/// Decodes `(rows, scales)`; the length must be exactly `4N + N·ceil(d/2)`. The rows stay packed.
pub(crate) fn decode(bytes: &[u8], n: usize, d: usize) -> Result<(Packed4, Vec<f32>)> {
    let per = d.div_ceil(2);
    let expected = n as u64 * (4 + per as u64);
    if bytes.len() as u64 != expected {
        return Err(Error::SectionSize {
            section: "QI4R",
            expected,
            actual: bytes.len() as u64,
        });
    }
    let mut cur = Cursor::new(bytes, "QI4R");
    let scales = cur.f32s(n)?;
    let packed = cur.take(n * per)?;
    for (j, row) in packed.chunks_exact(per).enumerate() {
        for k in 0..d {
            if nibble(row[k / 2], k) == -8 {
                return Err(Error::Malformed {
                    section: "QI4R",
                    reason: format!("row {j} value {k} is -8 (values are -7..=7)"),
                });
            }
        }
        if d % 2 == 1 && row[per - 1] >> 4 != 0 {
            return Err(Error::Malformed {
                section: "QI4R",
                reason: format!("row {j}: padding nibble is not 0"),
            });
        }
    }
    let mut bytes = try_with_capacity(packed.len(), "item row bytes")?;
    bytes.extend_from_slice(packed);
    Ok((Packed4 { bytes, n, d }, scales))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn packs_low_nibble_first_and_round_trips() {
        let t = ItemTable {
            rows: array![[1i8, -1, 7], [-7, 0, 3]].into(),
            scales: array![0.5f32, 0.25],
            bias: array![0f32, 0.0],
        };
        assert!(fits(&t));
        let b = encode(&t).unwrap();
        assert_eq!(b.len(), 2 * (4 + 2));
        // Row 0: (1, -1) → 0xf1, (7, pad) → 0x07.
        assert_eq!(&b[8..10], &[0xf1, 0x07]);
        let (rows, scales) = decode(&b, 2, 3).unwrap();
        assert_eq!(Rows::I4(rows.clone()), t.rows);
        assert_eq!(rows.unpack(), *t.rows.to_i8());
        assert_eq!(rows.try_unpack().unwrap(), rows.unpack());
        assert_eq!(Rows::I4(rows.clone()).try_into_int8().unwrap(), t.rows);
        assert_eq!(rows.get(1, 0), -7);
        assert_eq!(rows.row_i8(0).to_vec(), vec![1, -1, 7]);
        assert_eq!(scales, vec![0.5, 0.25]);
        // Packed rows encode to the same bytes.
        let t4 = ItemTable {
            rows: Rows::I4(rows),
            ..t
        };
        assert_eq!(encode(&t4).unwrap(), b);
    }

    #[test]
    fn bad_bytes_are_typed_errors() {
        let t = ItemTable {
            rows: array![[1i8, 2]].into(),
            scales: array![1f32],
            bias: array![0f32],
        };
        let mut b = encode(&t).unwrap();
        assert!(matches!(
            decode(&b[..4], 1, 2),
            Err(Error::SectionSize { .. })
        ));
        b[4] = 0x08; // -8
        assert!(matches!(decode(&b, 1, 2), Err(Error::Malformed { .. })));
        let t = ItemTable {
            rows: array![[1i8]].into(),
            scales: array![1f32],
            bias: array![0f32],
        };
        let mut b = encode(&t).unwrap();
        b[4] |= 0x30; // odd d: padding nibble must be 0
        assert!(matches!(decode(&b, 1, 1), Err(Error::Malformed { .. })));
    }

    #[test]
    fn quantisation_stays_within_seven_and_close() {
        let x = array![[0.7f32, -0.35, 0.05, 0.0], [0.0, 0.0, 0.0, 0.0]];
        let t = quantise4(&x, array![0f32, 0.0]);
        assert!(fits(&t));
        assert_eq!(t.scales[1], 0.0);
        for k in 0..4 {
            let y = f32::from(t.rows.to_i8()[[0, k]]) * t.scales[0];
            assert!((y - x[[0, k]]).abs() <= 0.06, "{k}: {y}");
        }
    }

    fn tiny_model(rows4: bool) -> crate::Model {
        use crate::model::{Extensions, FoldIn, ItemKeys, Metadata, Model};
        let table = quantise4(&array![[0.5f32, -0.25], [0.0, 1.0]], array![0.1f32, 0.0]);
        let gram = table.gram();
        Model {
            table,
            keys: ItemKeys::new(vec!["a".into(), "b".into()]).unwrap(),
            meta: Metadata::default(),
            fold: FoldIn {
                lambda: 1.0,
                alpha: 10.0,
                decay: 0.9,
                kind_weights: vec![1.0, 2.0, 3.0],
                gram,
            },
            extra: Extensions {
                neighbours: None,
                rows4,
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_model_with_4_bit_rows_round_trips_and_is_smaller() {
        let m4 = tiny_model(true);
        let b4 = m4.to_bytes();
        assert_eq!(crate::Model::from_bytes(&b4).unwrap(), m4);
        let m8 = tiny_model(false);
        let b8 = m8.to_bytes();
        assert_eq!(crate::Model::from_bytes(&b8).unwrap(), m8);
        let len = |b: &[u8], id: &[u8; 4]| {
            crate::model::container::parse(b)
                .unwrap()
                .iter()
                .find(|s| &s.id == id)
                .map(|s| s.bytes.len())
        };
        // N·(4 + ⌈d/2⌉) against N·(4 + d), and never both.
        assert_eq!(len(&b4, b"QI4R"), Some(2 * (4 + 1)));
        assert_eq!(len(&b4, b"QI8R"), None);
        assert_eq!(len(&b8, b"QI8R"), Some(2 * (4 + 2)));
    }

    #[test]
    fn a_model_with_both_row_sections_is_malformed() {
        use crate::model::container::{self, RawSection};
        let b4 = tiny_model(true).to_bytes();
        let b8 = tiny_model(false).to_bytes();
        let s4 = container::parse(&b4).unwrap();
        let s8 = container::parse(&b8).unwrap();
        let mut all: Vec<RawSection<'_>> = s4.clone();
        all.extend(s8.iter().filter(|s| &s.id == b"QI8R").cloned());
        let err = crate::Model::from_bytes(&container::assemble(&all)).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{err}");
    }
}
