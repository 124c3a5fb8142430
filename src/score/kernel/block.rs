//! Scoring an item table block by block with a [`Kernel`]: i32 accumulators for a block of rows,
//! then the contract's f32 epilogue, handed to a consumer while the block is still in cache.
//! Blocks keep the working set small (no N-long score array is needed for top-k).

use super::{Kernel, GROUP};
use crate::model::{ItemTable, Rows};
use crate::score::QuantisedUser;

/// Rows per block: 256 × d bytes of rows plus 2 KB of accumulators and scores stay in L1/L2.
pub const BLOCK_ROWS: usize = 256;

/// Row values as kernels read them.
#[derive(Debug, Clone, Copy)]
enum RowSlice<'a> {
    /// `N · d` int8 values.
    I8(&'a [i8]),
    /// `N · ceil(d/2)` bytes of packed 4-bit values.
    I4(&'a [u8]),
}

/// A table and user as contiguous slices, the shape kernels read.
#[derive(Debug, Clone, Copy)]
pub struct TableView<'a> {
    rows: RowSlice<'a>,
    scales: &'a [f32],
    bias: &'a [f32],
    user: &'a [i8],
    user_scale: f32,
}

impl<'a> TableView<'a> {
    /// Borrows `table` and `user` as slices; `None` when an array is not in standard
    /// (row-major, contiguous) layout or the shapes disagree — callers fall back to the
    /// ndarray reference then.
    pub fn new(table: &'a ItemTable, user: &'a QuantisedUser) -> Option<Self> {
        let rows = match &table.rows {
            Rows::I8(r) => RowSlice::I8(r.as_slice()?),
            Rows::I4(p) => RowSlice::I4(p.as_bytes()),
        };
        let view = Self {
            rows,
            scales: table.scales.as_slice()?,
            bias: table.bias.as_slice()?,
            user: user.q.as_slice()?,
            user_scale: user.scale,
        };
        let n = view.scales.len();
        let consistent = view.bias.len() == n && table.rows.dim() == (n, view.user.len());
        consistent.then_some(view)
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.scales.len()
    }

    /// Whether the table has no items.
    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// Calls `consume(first_row, scores, groups, best_key)` for consecutive blocks of at most
    /// [`BLOCK_ROWS`] rows, in row order, with each score computed exactly as the contract says;
    /// `groups[g]` is the largest [`super::order_key`] of scores `g·GROUP..(g+1)·GROUP` and
    /// `best_key` the block's largest (scores and maxima are the consumer's to modify).
    pub fn for_each_block(
        &self,
        kernel: Kernel,
        mut consume: impl FnMut(usize, &mut [f32], &mut [i32], i32),
    ) {
        let d = self.user.len();
        let mut acc = [0i32; BLOCK_ROWS];
        let mut scores = [0f32; BLOCK_ROWS];
        let mut groups = [0i32; BLOCK_ROWS / GROUP];
        let mut start = 0;
        while start < self.len() {
            let m = BLOCK_ROWS.min(self.len() - start);
            let (acc, scores) = (&mut acc[..m], &mut scores[..m]);
            let groups = &mut groups[..m.div_ceil(GROUP)];
            match self.rows {
                RowSlice::I8(rows) => {
                    kernel.dots(&rows[start * d..(start + m) * d], self.user, acc)
                }
                RowSlice::I4(rows) => {
                    let per = d.div_ceil(2);
                    kernel.dots4(&rows[start * per..(start + m) * per], self.user, acc)
                }
            }
            let scales = &self.scales[start..start + m];
            let bias = &self.bias[start..start + m];
            let best = kernel.epilogue(acc, scales, bias, self.user_scale, scores, groups);
            consume(start, scores, groups, best);
            start += m;
        }
    }

    /// All scores, in row order, into `out` (`out.len()` must be [`Self::len`]).
    pub fn scores_into(&self, kernel: Kernel, out: &mut [f32]) {
        assert_eq!(out.len(), self.len(), "score buffer length");
        self.for_each_block(kernel, |start, s, _, _| {
            out[start..start + s.len()].copy_from_slice(s)
        });
    }
}
