//! The portable kernel: plain Rust over `chunks_exact`, which LLVM vectorises where the target
//! allows (SSE2 natively; not in a wasm build without SIMD128, which makes it the scalar baseline).

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

/// See [`super::EpilogueFn`].
pub(super) fn epilogue(
    acc: &[i32],
    scales: &[f32],
    bias: &[f32],
    user_scale: f32,
    out: &mut [f32],
) -> i32 {
    let mut best = i32::MIN;
    for (((o, &a), &s), &b) in out.iter_mut().zip(acc).zip(scales).zip(bias) {
        *o = crate::score::cpu::epilogue(a, s, user_scale, b);
        best = best.max(super::order_key(*o));
    }
    best
}
