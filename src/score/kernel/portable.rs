//! The portable kernel: plain Rust over `chunks_exact`, which LLVM vectorises where the target
//! allows (SSE2 natively; not in a wasm build without SIMD128, which makes it the scalar baseline).

use super::{order_key, GROUP};
use crate::model::rows4::unpack_rows;

/// See [`super::DotsFn`].
pub(super) fn dots(rows: &[i8], user: &[i8], out: &mut [i32]) {
    for (row, o) in rows.chunks_exact(user.len()).zip(out.iter_mut()) {
        *o = dot(row, user);
    }
}

/// One int8 row (or a row's tail) times `user`, exact in i32; the SIMD kernels' tails too.
#[inline]
pub(super) fn dot(row: &[i8], user: &[i8]) -> i32 {
    row.iter()
        .zip(user)
        .map(|(&a, &b)| i32::from(a) * i32::from(b))
        .sum()
}

/// See [`super::Dots4Fn`]: the rows unpacked, then [`dots`].
pub(super) fn dots4(rows: &[u8], user: &[i8], out: &mut [i32]) {
    unpack_then(dots, rows, user, out);
}

/// Runs an int8 kernel over packed 4-bit rows by unpacking them first into a block buffer (one
/// allocation per block of rows, against N·d multiply-adds): where the int8 kernel is
/// vectorised and a 4-bit one is not, this is many times faster than unpacking value by value.
pub(super) fn unpack_then(dots: super::DotsFn, rows: &[u8], user: &[i8], out: &mut [i32]) {
    let mut values = vec![0i8; out.len() * user.len()];
    unpack_rows(rows, user.len(), &mut values);
    dots(&values, user, out);
}

/// One packed 4-bit row (or a row's tail: `row[i]` holds values `2i, 2i+1`) times `user`: the
/// SIMD128 kernel's tail.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
pub(super) fn dot4(row: &[u8], user: &[i8]) -> i32 {
    row.iter()
        .zip(user.chunks(2))
        .map(|(&b, u)| {
            let lo = i32::from(crate::model::rows4::nibble(b, 0)) * i32::from(u[0]);
            let hi = u.get(1).map_or(0, |&u1| {
                i32::from(crate::model::rows4::nibble(b, 1)) * i32::from(u1)
            });
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
