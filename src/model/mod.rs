//! The `.lrm` model: what a store ships to the browser, and how it is read and written.
//!
//! A [`Model`] holds the quantised item table ([`ItemTable`]), the item keys history refers to
//! ([`ItemKeys`]), display metadata ([`Metadata`]) and the fold-in parameters the device needs to
//! turn a history into a user vector ([`FoldIn`]). [`Model::from_bytes`] accepts any bytes and
//! either returns a fully validated model or a typed [`crate::Error`]; it never panics.
//! The byte layout is specified in `docs/FORMAT.md`.

pub mod attributes;
pub mod container;
pub mod crc32;
mod cursor;
mod example;
pub mod neighbours;
pub mod provenance;
pub mod regulariser;
pub mod rows4;
mod sections;
mod strings;

use std::borrow::Cow;

use ndarray::{Array1, Array2};

pub use attributes::{AttrType, AttrValue, AttrValues, Attribute, Attributes};
pub use container::{RawSection, FORMAT_MAJOR, MAGIC};
pub use neighbours::Neighbours;
pub use provenance::Provenance;
pub use regulariser::FoldRegulariser;
pub use rows4::Packed4;
pub use strings::Strings;

/// Largest item count a model may declare (guards allocation).
pub const MAX_ITEMS: u32 = 1 << 24;
/// Largest embedding dimension a model may declare.
pub const MAX_DIM: u32 = 1024;
/// Largest number of metadata fields.
pub const MAX_META_FIELDS: u32 = 16;

/// Quantised item rows as held in memory: one i8 per value (`QI8R`), or two 4-bit values per
/// byte (`QI4R`, kept packed). Both mean the same integers; equality compares those.
#[derive(Debug, Clone)]
pub enum Rows {
    /// `N × d` int8 values.
    I8(Array2<i8>),
    /// `N × d` values in −7..=7, packed two per byte.
    I4(Packed4),
}

impl Rows {
    /// `(N, d)`.
    pub fn dim(&self) -> (usize, usize) {
        match self {
            Rows::I8(r) => r.dim(),
            Rows::I4(p) => p.dim(),
        }
    }

    /// The rows as int8: borrowed when they are int8, expanded (N·d bytes) when packed.
    pub fn to_i8(&self) -> Cow<'_, Array2<i8>> {
        match self {
            Rows::I8(r) => Cow::Borrowed(r),
            Rows::I4(p) => Cow::Owned(p.unpack()),
        }
    }

    /// The rows' bytes as held in memory: `N·d` int8 values, or `N·ceil(d/2)` packed bytes;
    /// empty for int8 rows not in standard layout. (What a scorer must read per query: the
    /// benchmarks' read-once floor reads exactly these.)
    pub fn memory_bytes(&self) -> &[u8] {
        match self {
            Rows::I8(r) => {
                let r = r.as_slice().unwrap_or(&[]);
                // SAFETY: i8 and u8 have the same size and alignment; same length.
                unsafe { std::slice::from_raw_parts(r.as_ptr().cast::<u8>(), r.len()) }
            }
            Rows::I4(p) => p.as_bytes(),
        }
    }

    /// Row `j` as int8.
    ///
    /// # Panics
    /// If `j ≥ N`.
    pub fn row_i8(&self, j: usize) -> Array1<i8> {
        match self {
            Rows::I8(r) => r.row(j).to_owned(),
            Rows::I4(p) => p.row_i8(j),
        }
    }

    /// The rows as int8 (packed rows expanded: the int8 kernels are the faster ones), or
    /// [`crate::Error::TooLarge`] when the expanded table cannot be allocated.
    pub fn try_into_int8(self) -> crate::Result<Self> {
        match self {
            Rows::I4(p) => Ok(Rows::I8(p.try_unpack()?)),
            int8 => Ok(int8),
        }
    }

    /// Packs int8 rows whose values are all in −7..=7 (see [`rows4::fits`]); others unchanged.
    pub fn into_packed(self) -> Self {
        match self {
            Rows::I8(r) => Packed4::from_i8(&r).map_or(Rows::I8(r), Rows::I4),
            packed => packed,
        }
    }
}

impl From<Array2<i8>> for Rows {
    fn from(rows: Array2<i8>) -> Self {
        Rows::I8(rows)
    }
}

impl PartialEq for Rows {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Rows::I4(a), Rows::I4(b)) => a.dim() == b.dim() && a.as_bytes() == b.as_bytes(),
            _ => self.dim() == other.dim() && *self.to_i8() == *other.to_i8(),
        }
    }
}

/// Item embeddings quantised to int8 (or 4 bits) with one f32 scale per row, plus a per-item
/// bias.
///
/// Row `j` dequantises to `rows[j, k] as f32 * scales[j]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemTable {
    /// `N × d` quantised rows.
    pub rows: Rows,
    /// `N` per-row scales (finite, ≥ 0).
    pub scales: Array1<f32>,
    /// `N` per-item biases added to every score (a popularity prior; finite).
    pub bias: Array1<f32>,
}

impl ItemTable {
    /// Quantises f32 rows symmetrically per row: `scale = max|x| / 127`, `q = round(x / scale)`.
    pub fn quantise(rows: &Array2<f32>, bias: Array1<f32>) -> Self {
        let (n, d) = rows.dim();
        let mut q = Array2::<i8>::zeros((n, d));
        let mut scales = Array1::<f32>::zeros(n);
        for (j, row) in rows.outer_iter().enumerate() {
            let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
            scales[j] = scale;
            if scale > 0.0 {
                for (k, v) in row.iter().enumerate() {
                    q[[j, k]] = (v / scale).round().clamp(-127.0, 127.0) as i8;
                }
            }
        }
        Self {
            rows: q.into(),
            scales,
            bias,
        }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.rows.dim().0
    }

    /// True when the table has no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Embedding dimension.
    pub fn dim(&self) -> usize {
        self.rows.dim().1
    }

    /// Row `j` as f32 (`q · scale`), the values fold-in works with.
    pub fn dequantised_row(&self, j: usize) -> Array1<f32> {
        let s = self.scales[j];
        self.rows.row_i8(j).mapv(|q| q as f32 * s)
    }

    /// `Σ_j y_j y_jᵀ` over dequantised rows: the Gram matrix ALS fold-in needs.
    pub fn gram(&self) -> Array2<f32> {
        let d = self.dim();
        let mut g = Array2::<f64>::zeros((d, d));
        for j in 0..self.len() {
            let y = self.dequantised_row(j).mapv(f64::from);
            for a in 0..d {
                for b in 0..d {
                    g[[a, b]] += y[a] * y[b];
                }
            }
        }
        g.mapv(|v| v as f32)
    }
}

/// Item keys (e.g. SKUs/ASINs) in table order, with a lookup from key to row.
///
/// The lookup is an open-addressing table of row numbers (linear probing, at most half full):
/// 8–16 bytes per item and no second copy of any key, where a `HashMap<String, u32>` would clone
/// every key (one allocation per item at load) and add hashbrown and SipHash to the wasm module.
/// The hash has no secret seed, so a crafted model could make keys collide: building the table
/// counts probe steps and refuses a model whose keys need more than [`MAX_PROBES_PER_KEY`] per
/// key on average (real catalogues need about one), so loading stays linear.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemKeys {
    keys: Strings,
    /// `slots.len()` is a power of two ≥ 2 · `keys.len()`; [`EMPTY`] marks a free slot.
    slots: Vec<u32>,
}

/// A free slot of [`ItemKeys`]' table (never a row: rows are < [`MAX_ITEMS`]).
const EMPTY: u32 = u32::MAX;

/// Average probe steps per key above which [`ItemKeys`] refuses the keys as crafted collisions.
pub const MAX_PROBES_PER_KEY: usize = 16;

impl ItemKeys {
    /// Builds the lookup; keys must be unique and non-empty.
    pub fn new(keys: Vec<String>) -> crate::Result<Self> {
        Self::from_strings(keys.into())
    }

    /// [`ItemKeys::new`] over keys already in a [`Strings`] (as the reader has them).
    pub fn from_strings(keys: Strings) -> crate::Result<Self> {
        if keys.len() > MAX_ITEMS as usize {
            return Err(crate::Error::TooLarge {
                what: "item count",
                value: keys.len() as u64,
                max: MAX_ITEMS.into(),
            });
        }
        let size = (2 * keys.len()).next_power_of_two().max(2);
        let mut slots = cursor::try_with_capacity(size, "key lookup slots")?;
        slots.resize(size, EMPTY);
        let mut this = Self { keys, slots };
        let mut budget = MAX_PROBES_PER_KEY * this.keys.len() + 1024;
        for (i, k) in this.keys.iter().enumerate() {
            if k.is_empty() {
                return Err(crate::Error::Malformed {
                    section: "KEYS",
                    reason: format!("item #{i} has an empty key"),
                });
            }
            let (found, steps) = this.probe(k);
            budget = budget.checked_sub(steps).ok_or(crate::Error::Malformed {
                section: "KEYS",
                reason: "item keys collide in the lookup table far more than chance allows".into(),
            })?;
            match found {
                Ok(_) => {
                    return Err(crate::Error::Malformed {
                        section: "KEYS",
                        reason: format!("duplicate item key \"{k}\""),
                    })
                }
                Err(free) => this.slots[free] = i as u32,
            }
        }
        Ok(this)
    }

    /// `Ok(row)` of `key`, or `Err(slot)`: the free slot where it would go; and the slots
    /// looked at. Ends: the table always has a free slot (at most half full).
    fn probe(&self, key: &str) -> (Result<u32, usize>, usize) {
        let mask = self.slots.len() - 1;
        let mut at = slot_hash(key) as usize & mask;
        let mut steps = 1;
        loop {
            match self.slots[at] {
                EMPTY => return (Err(at), steps),
                row if self.key(row as usize) == key => return (Ok(row), steps),
                _ => at = (at + 1) & mask,
            }
            steps += 1;
        }
    }

    /// Row index of `key`, if the model knows it.
    pub fn index_of(&self, key: &str) -> Option<u32> {
        self.probe(key).0.ok()
    }

    /// Key of row `i`.
    ///
    /// # Panics
    /// If `i` is not a row (≥ the item count).
    #[allow(clippy::expect_used)] // documented panic: rows come from the model itself (`# Panics`)
    pub fn key(&self, i: usize) -> &str {
        self.keys.get(i).expect("row index within the item count")
    }

    /// The number of keys (items).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True for a model without items.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// All keys in row order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        self.keys.iter()
    }
}

/// FNV-1a over the key's bytes, then a multiply-shift so the low bits (the slot) mix them all.
fn slot_hash(key: &str) -> u64 {
    let h = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32
}

/// Per-item display fields (`title`, `category`, optionally `brand`, `tags`, `price`, …).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    /// Field names, e.g. `["title", "category"]`.
    pub fields: Vec<String>,
    /// `N × fields.len()` values, item-major.
    pub values: Strings,
}

impl Metadata {
    /// The value of `field` for item `item`, or `""` when the model has no such field.
    pub fn get(&self, item: usize, field: &str) -> &str {
        self.field_index(field).map_or("", |p| self.value(item, p))
    }

    /// The position of `field` in [`Self::fields`] (resolve once, then read with [`Self::value`]).
    pub fn field_index(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|x| x == field)
    }

    /// The value of the field at position `field` for item `item`; `""` when out of range.
    pub fn value(&self, item: usize, field: usize) -> &str {
        self.values
            .get(item * self.fields.len() + field)
            .unwrap_or("")
    }
}

/// Parameters of implicit-ALS fold-in (Hu, Koren & Volinsky 2008), computed on the device.
///
/// See `docs/FORMAT.md` § "User vector" for the exact formula.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldIn {
    /// Ridge regulariser λ.
    pub lambda: f32,
    /// Confidence scale α: an item with event weight `w` gets confidence `1 + α·w`.
    pub alpha: f32,
    /// Recency decay per position: the `r`-th most recent event (r = 0 newest) weighs `decay^r`.
    pub decay: f32,
    /// Weight of each event kind, indexed by [`crate::history::EventKind::index`].
    pub kind_weights: Vec<f32>,
    /// `d × d` Gram matrix `Σ_j y_j y_jᵀ` of the dequantised rows.
    pub gram: Array2<f32>,
}

/// Sections beyond v1.0's (docs/FORMAT.md § 1.6–1.7); `Default` is a plain v1.0 model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Extensions {
    /// Optional `NBRS` item → next-item lists, added to the dense scores (§ 2.3).
    pub neighbours: Option<Neighbours>,
    /// Write the item rows as 4-bit `QI4R` instead of `QI8R` (only when every value is in
    /// −7..=7, see [`rows4::fits`]); set when a model was read from `QI4R`.
    pub rows4: bool,
    /// Optional `ATTR` typed catalogue attributes (§ 1.8); empty when absent.
    pub attributes: Attributes,
    /// Optional `PROV` provenance record (§ 1.9).
    pub provenance: Option<Provenance>,
    /// How fold-in scales λ (optional `FREG`, § 1.10); `Fixed` when absent.
    pub fold_regulariser: FoldRegulariser,
}

/// A complete, validated model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub table: ItemTable,
    pub keys: ItemKeys,
    pub meta: Metadata,
    pub fold: FoldIn,
    /// Optional sections; `Extensions::default()` for a plain model.
    pub extra: Extensions,
}

/// How a model keeps 4-bit (`QI4R`) rows in memory for scoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RowLayout {
    /// Expanded to int8 at load: twice the memory, the faster kernels (docs/BENCHMARKS.md).
    #[default]
    Int8,
    /// Kept packed as read: half the memory, about 15 % slower CPU scoring.
    Packed,
}

impl Model {
    /// Parses and validates a `.lrm` file. Never panics; every failure is a typed error.
    pub fn from_bytes(bytes: &[u8]) -> crate::Result<Self> {
        sections::decode(&container::parse(bytes)?)
    }

    /// The model with its rows in `layout` for scoring: the one place the engine (browser or
    /// native) expands 4-bit rows. [`crate::Error::TooLarge`] when the expanded table cannot be
    /// allocated (nothing else was opened yet when loading calls this first).
    pub fn with_row_layout(mut self, layout: RowLayout) -> crate::Result<Self> {
        if layout == RowLayout::Int8 {
            self.table.rows = self.table.rows.try_into_int8()?;
        }
        Ok(self)
    }

    /// Serialises the model as `.lrm` v1.
    pub fn to_bytes(&self) -> Vec<u8> {
        let owned = sections::encode(self);
        let raw: Vec<RawSection<'_>> = owned
            .iter()
            .map(|(id, required, bytes)| RawSection {
                id: *id,
                required: *required,
                bytes,
            })
            .collect();
        container::assemble(&raw)
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when the model has no items.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Embedding dimension.
    pub fn dim(&self) -> usize {
        self.table.dim()
    }

    /// The typed catalogue attributes (`ATTR`); empty when the model has none.
    pub fn attributes(&self) -> &Attributes {
        &self.extra.attributes
    }

    /// Item `row`'s value of attribute `name`; `None` when unknown or absent for that item.
    pub fn attribute(&self, row: usize, name: &str) -> Option<AttrValue<'_>> {
        self.extra.attributes.get(row, name)
    }

    /// The provenance record (`PROV`), if the model has one.
    pub fn provenance(&self) -> Option<&Provenance> {
        self.extra.provenance.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::ItemKeys;

    #[test]
    fn every_key_finds_its_row_and_unknown_keys_none() {
        for n in [1usize, 2, 3, 1000, 4097] {
            let keys: Vec<String> = (0..n).map(|i| format!("B{:09}", i * 7919)).collect();
            let index = ItemKeys::new(keys.clone()).unwrap();
            for (i, k) in keys.iter().enumerate() {
                assert_eq!(index.index_of(k), Some(i as u32), "{k}");
                assert_eq!(index.key(i), k);
            }
            for unknown in ["", "B", "b000000000", "B0000000001", "B000000000 "] {
                assert_eq!(index.index_of(unknown), None, "{unknown:?}");
            }
        }
    }

    #[test]
    fn keys_crafted_to_collide_are_refused() {
        // 1200 keys (a 2¹²-slot table) whose hashes all start in one 16-slot window: each new
        // key probes past all earlier ones (quadratic), which the probe budget stops early.
        let mask = (1usize << 12) - 1;
        let keys: Vec<String> = (0u64..)
            .map(|i| format!("k{i}"))
            .filter(|k| super::slot_hash(k) as usize & mask < 16)
            .take(1200)
            .collect();
        match ItemKeys::new(keys) {
            Err(crate::Error::Malformed { section, reason }) => {
                assert_eq!(section, "KEYS");
                assert!(reason.contains("collide"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_table_is_at_most_half_full() {
        let keys: Vec<String> = (0..1025).map(|i| i.to_string()).collect();
        let index = ItemKeys::new(keys).unwrap();
        assert_eq!(index.slots.len(), 4096);
        assert_eq!(
            index.slots.iter().filter(|&&s| s != super::EMPTY).count(),
            1025
        );
    }
}
