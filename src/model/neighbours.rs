//! The optional `NBRS` section: a sparse top-M item → next-item neighbour list per item, with
//! u8 weights under one per-model f32 scale and u8 weights per history position. It carries the
//! order of events that a dense item table cannot: "shoppers who looked at `i` looked at `j`
//! next". Scoring is integer arithmetic (docs/FORMAT.md § 2.3, [`crate::score::neighbours`]).
//!
//! Layout (docs/FORMAT.md § 1.6): `u32 P | P × u8 position weight | f32 scale | N × u8 count |
//! E × u16 (N ≤ 65536) or u32 target | E × u8 weight`, with `E = Σ count`.

use super::cursor::{Cursor, Sink};
use crate::{Error, Result};

/// Section id.
pub(crate) const NBRS: [u8; 4] = *b"NBRS";
/// Most history positions a model may weight (keeps the accumulator below 2²⁴).
pub const MAX_POSITIONS: usize = 256;
/// Most neighbours per item (the count is a u8).
pub const MAX_NEIGHBOURS: usize = 255;

/// Item → neighbour lists, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbours {
    /// Weight of the r-th most recent known event (r = 0 newest); positions ≥ P add nothing.
    pub position_weights: Vec<u8>,
    /// f32 value of one accumulator unit (finite, ≥ 0).
    pub scale: f32,
    /// `N + 1` offsets into `targets`/`weights`: item i's list is `offsets[i]..offsets[i+1]`.
    pub offsets: Vec<u32>,
    /// Neighbour rows (< N).
    pub targets: Vec<u32>,
    /// Neighbour weights.
    pub weights: Vec<u8>,
}

impl Neighbours {
    /// Builds the lists from per-item `(target, weight)` vectors; at most 255 per item.
    pub fn new(position_weights: Vec<u8>, scale: f32, lists: &[Vec<(u32, u8)>]) -> Result<Self> {
        let n = lists.len();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u32);
        let (mut targets, mut weights) = (Vec::new(), Vec::new());
        for l in lists {
            if l.len() > MAX_NEIGHBOURS {
                return Err(Error::InvalidArgument(format!(
                    "{} neighbours for one item (at most {MAX_NEIGHBOURS})",
                    l.len()
                )));
            }
            for &(t, w) in l {
                targets.push(t);
                weights.push(w);
            }
            offsets.push(targets.len() as u32);
        }
        let nb = Self {
            position_weights,
            scale,
            offsets,
            targets,
            weights,
        };
        nb.validate(n)?;
        Ok(nb)
    }

    /// Neighbours of item `i` as `(target, weight)` slices.
    pub fn of(&self, i: usize) -> (&[u32], &[u8]) {
        let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        (&self.targets[a..b], &self.weights[a..b])
    }

    /// Total neighbour entries.
    pub fn entries(&self) -> usize {
        self.targets.len()
    }

    /// Bytes per index for `n` items: 2 when every row fits a u16, else 4.
    pub fn index_width(n: usize) -> usize {
        if n <= 1 << 16 {
            2
        } else {
            4
        }
    }

    fn validate(&self, n: usize) -> Result<()> {
        let bad = |reason: String| {
            Err(Error::Malformed {
                section: "NBRS",
                reason,
            })
        };
        let p = self.position_weights.len();
        if !(1..=MAX_POSITIONS).contains(&p) {
            return bad(format!("{p} position weights (need 1..={MAX_POSITIONS})"));
        }
        if !(self.scale.is_finite() && self.scale >= 0.0) {
            return bad("scale is not finite and ≥ 0".to_string());
        }
        if let Some(t) = self.targets.iter().find(|t| **t as usize >= n) {
            return bad(format!("neighbour row {t} is out of range ({n} items)"));
        }
        // A target listed twice for one item would let an accumulator pass 2²⁴, where f32 stops
        // being exact and backends could round differently (§ 2.3).
        // As u64: the crate's one integer sort (see `TopK`), no second copy in the wasm module.
        let mut list = Vec::with_capacity(MAX_NEIGHBOURS);
        for i in 0..self.offsets.len().saturating_sub(1) {
            list.clear();
            list.extend(self.of(i).0.iter().map(|&j| u64::from(j)));
            list.sort_unstable();
            if let Some(w) = list.windows(2).find(|w| w[0] == w[1]) {
                return bad(format!("item {i} lists neighbour {} twice", w[0]));
            }
        }
        Ok(())
    }

    /// Decodes the section for a model of `n` items. Sizes are checked before allocation.
    pub(crate) fn decode(bytes: &[u8], n: usize) -> Result<Self> {
        let mut cur = Cursor::new(bytes, "NBRS");
        let p = cur.u32()? as usize;
        if !(1..=MAX_POSITIONS).contains(&p) {
            return Err(Error::Malformed {
                section: "NBRS",
                reason: format!("{p} position weights (need 1..={MAX_POSITIONS})"),
            });
        }
        let position_weights = cur.take(p)?.to_vec();
        let scale = cur.f32()?;
        let counts = cur.take(n)?;
        let e: usize = counts.iter().map(|c| usize::from(*c)).sum();
        let w = Self::index_width(n);
        let expected = 4 + p as u64 + 4 + n as u64 + e as u64 * (w as u64 + 1);
        if bytes.len() as u64 != expected {
            return Err(Error::SectionSize {
                section: "NBRS",
                expected,
                actual: bytes.len() as u64,
            });
        }
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u32);
        let mut total = 0u32;
        for c in counts {
            total += u32::from(*c);
            offsets.push(total);
        }
        let raw = cur.take(e * w)?;
        let targets: Vec<u32> = if w == 2 {
            raw.chunks_exact(2)
                .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]])))
                .collect()
        } else {
            raw.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };
        let weights = cur.take(e)?.to_vec();
        let nb = Self {
            position_weights,
            scale,
            offsets,
            targets,
            weights,
        };
        nb.validate(n)?;
        Ok(nb)
    }

    /// Encodes the section for a model of `n` items.
    pub(crate) fn encode(&self, n: usize) -> Vec<u8> {
        let mut s = Sink::default();
        s.u32(self.position_weights.len() as u32);
        s.raw(&self.position_weights);
        s.f32(self.scale);
        let counts: Vec<u8> = self
            .offsets
            .windows(2)
            .map(|w| (w[1] - w[0]) as u8)
            .collect();
        s.raw(&counts);
        if Self::index_width(n) == 2 {
            for &t in &self.targets {
                s.u16(t as u16);
            }
        } else {
            for &t in &self.targets {
                s.u32(t);
            }
        }
        s.raw(&self.weights);
        s.bytes
    }

    /// Bytes of the encoded section.
    pub fn encoded_len(&self, n: usize) -> usize {
        8 + self.position_weights.len() + n + self.entries() * (Self::index_width(n) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Neighbours {
        Neighbours::new(
            vec![255, 128],
            0.5,
            &[vec![(1, 200), (2, 3)], vec![], vec![(0, 9)]],
        )
        .unwrap()
    }

    #[test]
    fn round_trips_and_has_the_documented_length() {
        let nb = sample();
        let bytes = nb.encode(3);
        // 4 + P(2) + 4 + N(3) + E(3)·(2 + 1)
        assert_eq!(bytes.len(), 22);
        assert_eq!(nb.encoded_len(3), 22);
        assert_eq!(Neighbours::decode(&bytes, 3).unwrap(), nb);
        assert_eq!(nb.of(0), (&[1u32, 2][..], &[200u8, 3][..]));
        assert_eq!(nb.of(1).0.len(), 0);
    }

    #[test]
    fn a_target_out_of_range_is_malformed() {
        let mut bytes = sample().encode(3);
        // First target (u16) sits after 4 + 2 + 4 + 3 bytes.
        bytes[13] = 3;
        let err = Neighbours::decode(&bytes, 3).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{err}");
    }

    #[test]
    fn a_wrong_length_is_refused_before_allocation() {
        let bytes = sample().encode(3);
        for cut in [0, 3, 9, bytes.len() - 1] {
            assert!(Neighbours::decode(&bytes[..cut], 3).is_err(), "cut {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        let err = Neighbours::decode(&longer, 3).unwrap_err();
        assert!(matches!(err, Error::SectionSize { .. }), "{err}");
    }

    #[test]
    fn position_counts_and_scales_are_checked() {
        let mut bytes = sample().encode(3);
        bytes[0..4].copy_from_slice(&0u32.to_le_bytes());
        assert!(Neighbours::decode(&bytes, 3).is_err());
        let mut bytes = sample().encode(3);
        bytes[0..4].copy_from_slice(&100_000u32.to_le_bytes());
        assert!(Neighbours::decode(&bytes, 3).is_err());
        let mut bytes = sample().encode(3);
        bytes[6..10].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(Neighbours::decode(&bytes, 3).is_err());
        assert!(Neighbours::new(vec![1], -1.0, &[vec![]]).is_err());
    }

    #[test]
    fn wide_catalogues_use_u32_indices() {
        assert_eq!(Neighbours::index_width(65_536), 2);
        assert_eq!(Neighbours::index_width(65_537), 4);
        let mut lists = vec![Vec::new(); 70_000];
        lists[0] = vec![(69_999, 7)];
        let nb = Neighbours::new(vec![1], 1.0, &lists).unwrap();
        let bytes = nb.encode(70_000);
        assert_eq!(bytes.len(), nb.encoded_len(70_000));
        assert_eq!(Neighbours::decode(&bytes, 70_000).unwrap(), nb);
    }
}
