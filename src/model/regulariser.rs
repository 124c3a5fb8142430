//! How fold-in scales λ (optional section `FREG`, docs/FORMAT.md § 1.10): a fixed λ, as the
//! native trainer fits, or λ times the number of distinct items in the history, as Spark MLlib's
//! ALS fits every row (ALS-WR: `regParam · numRatings`). Absent means fixed, so models without
//! the section fold in as before, and a reader that predates it skips the optional section
//! (it then folds in with the fixed λ: it still loads and scores, slightly off Spark's users).

use super::cursor::{Cursor, Sink};
use crate::{Error, Result};

pub(crate) const FREG: [u8; 4] = *b"FREG";

/// The regulariser of the fold-in system `(G + λ' I + α Σ w y yᵀ) u = b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FoldRegulariser {
    /// `λ' = λ` (mode 0; the native trainer's, and the meaning of a model without `FREG`).
    #[default]
    Fixed,
    /// `λ' = λ · n` with `n` the number of distinct known items in the history (mode 1; Spark
    /// MLlib's ALS-WR scaling).
    PerItem,
}

impl FoldRegulariser {
    /// λ' for a history of `distinct` known items.
    pub fn effective(self, lambda: f64, distinct: usize) -> f64 {
        match self {
            FoldRegulariser::Fixed => lambda,
            FoldRegulariser::PerItem => lambda * distinct as f64,
        }
    }

    /// The mode's name as `inspect` prints it.
    pub fn describe(self) -> &'static str {
        match self {
            FoldRegulariser::Fixed => "fixed λ",
            FoldRegulariser::PerItem => "λ × distinct items (ALS-WR, Spark MLlib)",
        }
    }
}

/// The section body: one u32 mode.
pub(crate) fn encode(r: FoldRegulariser) -> Vec<u8> {
    let mut out = Sink::default();
    out.u32(match r {
        FoldRegulariser::Fixed => 0,
        FoldRegulariser::PerItem => 1,
    });
    out.bytes
}

/// Reads the section; a mode other than 0 or 1, or any other length, is **Malformed**.
pub(crate) fn decode(bytes: &[u8]) -> Result<FoldRegulariser> {
    let mut cur = Cursor::new(bytes, "FREG");
    let mode = cur.u32()?;
    if cur.remaining() != 0 {
        return Err(Error::Malformed {
            section: "FREG",
            reason: format!("{} unexpected trailing bytes", cur.remaining()),
        });
    }
    match mode {
        0 => Ok(FoldRegulariser::Fixed),
        1 => Ok(FoldRegulariser::PerItem),
        m => Err(Error::Malformed {
            section: "FREG",
            reason: format!("unknown regulariser mode {m} (0: fixed λ, 1: λ × distinct items)"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip_and_unknown_ones_are_refused() {
        for r in [FoldRegulariser::Fixed, FoldRegulariser::PerItem] {
            assert_eq!(decode(&encode(r)).unwrap(), r);
        }
        assert!(matches!(
            decode(&[2, 0, 0, 0]),
            Err(Error::Malformed { .. })
        ));
        assert!(decode(&[1, 0, 0, 0, 0]).is_err());
        assert!(decode(&[1, 0]).is_err());
        assert_eq!(FoldRegulariser::PerItem.effective(0.5, 4), 2.0);
        assert_eq!(FoldRegulariser::Fixed.effective(0.5, 4), 0.5);
    }
}
