//! The portable kernel: plain Rust over `chunks_exact`, which LLVM vectorises where the target
//! allows (SSE2 natively; not in a wasm build without SIMD128, which makes it the scalar baseline).

use super::{order_key, GROUP};
use crate::model::rows4::nibble;

/// See [`super::DotsFn`].
pub(super) fn dots(rows: &[i8], user: &[i8], out: &mut [i32]) {
    for (row, o) in rows.chunks_exact(user.len()).zip(out.iter_mut()) {
        *o = row
            .iter()
            .zip(user)
            .map(|(&a, &b)| i32::from(a) * i32::from(b))
            .sum();
    }
}

/// See [`super::Dots4Fn`].
pub(super) fn dots4(rows: &[u8], user: &[i8], out: &mut [i32]) {
    for (row, o) in rows
        .chunks_exact(user.len().div_ceil(2))
        .zip(out.iter_mut())
    {
        *o = dot4(row, user);
    }
}

/// One packed 4-bit row (or a row's tail: `row[i]` holds values `2i, 2i+1`) times `user`.
#[inline]
pub(super) fn dot4(row: &[u8], user: &[i8]) -> i32 {
    row.iter()
        .zip(user.chunks(2))
        .map(|(&b, u)| {
            let lo = i32::from(nibble(b, 0)) * i32::from(u[0]);
            let hi = u
                .get(1)
                .map_or(0, |&u1| i32::from(nibble(b, 1)) * i32::from(u1));
            lo + hi
        })
        .sum()
}

/// See [`super::EpilogueFn`].
pub(super) fn epilogue(
    acc: &[i32],
    scales: &[f32],
    bias: &[f32],
    user_scale: f32,
    out: &mut [f32],
    groups: &mut [i32],
) -> i32 {
    let mut best = i32::MIN;
    let items = out.chunks_mut(GROUP).zip(
        acc.chunks(GROUP)
            .zip(scales.chunks(GROUP))
            .zip(bias.chunks(GROUP)),
    );
    for ((out, ((acc, scales), bias)), group) in items.zip(groups.iter_mut()) {
        *group = epilogue_range(acc, scales, bias, user_scale, out);
        best = best.max(*group);
    }
    best
}

/// The contract item by item over one range; returns its largest order key.
#[inline]
pub(super) fn epilogue_range(
    acc: &[i32],
    scales: &[f32],
    bias: &[f32],
    user_scale: f32,
    out: &mut [f32],
) -> i32 {
    let mut best = i32::MIN;
    for (((o, &a), &s), &b) in out.iter_mut().zip(acc).zip(scales).zip(bias) {
        *o = crate::score::cpu::epilogue(a, s, user_scale, b);
        best = best.max(order_key(*o));
    }
    best
}
