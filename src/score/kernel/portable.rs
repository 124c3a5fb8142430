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
