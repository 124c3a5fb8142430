//! The wasm SIMD128 kernel: each 8-byte chunk is loaded sign-extended to i16x8
//! (`v128.load8x8_s`, one `pmovsxbw` from memory on x86 engines) and multiplied-and-pair-added
//! into i32x4 (`i32x4.dot_i16x8_s`, one `pmaddwd`), exact for any i8 inputs. Four rows share each user chunk and are reduced together by a 4×4
//! transpose of shuffles. Packed 4-bit rows ([`dots4`]) are read 16 bytes (32 values) at a time
//! as i16x8: each lane holds four nibbles, each moved to the top of the lane (so it reads as
//! 4096 × its signed value) and dotted (`i32x4.dot_i16x8_s`) with the user values regrouped to
//! match — 15 native instructions per 32 values, against 12 for int8, for half the bytes. Compiled only when the build enables `+simd128` (wasm has no run-time
//! feature detection: a module with SIMD fails to validate where it is unsupported).

use core::arch::wasm32::{
    f32x4_add, f32x4_convert_i32x4, f32x4_mul, f32x4_splat, i16x8_load_extend_i8x8, i16x8_shl,
    i16x8_splat, i32x4_add, i32x4_dot_i16x8, i32x4_extract_lane, i32x4_max, i32x4_shr,
    i32x4_shuffle, i32x4_splat, u32x4_shr, v128, v128_and, v128_load, v128_store, v128_xor,
};

use super::{portable, Kernel, GROUP, MAX_DIM};

/// The SIMD128 kernel (always available in a `+simd128` build).
pub(super) fn kernel() -> Kernel {
    Kernel {
        name: "simd128",
        dots,
        dots4,
        epilogue,
    }
}

/// Loads 8 bytes at `p[at..at + 8]`, sign-extended to i16x8.
#[inline(always)]
fn load8(p: &[i8], at: usize) -> v128 {
    assert!(at + 8 <= p.len());
    // SAFETY: bounds checked above (the check folds away in the loop below); wasm loads need no
    // alignment.
    unsafe { i16x8_load_extend_i8x8(p.as_ptr().add(at)) }
}

/// `acc + Σ` of one 8-byte chunk of a row times the user chunk (already i16).
#[inline(always)]
fn step(acc: v128, row: &[i8], k: usize, u: v128) -> v128 {
    i32x4_add(acc, i32x4_dot_i16x8(load8(row, k), u))
}

fn dots(rows: &[i8], user: &[i8], out: &mut [i32]) {
    match user.len() {
        64 => return dots64(rows, user, out),
        128 => return dots128(rows, user, out),
        _ => {}
    }
    let d = user.len();
    let main = d / 8 * 8;
    let mut row_quads = rows.chunks_exact(4 * d);
    let mut out_quads = out.chunks_exact_mut(4);
    for (quad, o) in (&mut row_quads).zip(&mut out_quads) {
        // Written out for four rows (not a loop over an array) so that the release profile's
        // size-oriented opt-level still keeps every accumulator in a register.
        let (r0, r1, r2, r3) = split4(quad, d);
        let zero = i32x4_splat(0);
        let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
        let mut k = 0;
        while k < main {
            let u = load8(user, k);
            a0 = step(a0, r0, k, u);
            a1 = step(a1, r1, k, u);
            a2 = step(a2, r2, k, u);
            a3 = step(a3, r3, k, u);
            k += 8;
        }
        let mut sums = reduce4(a0, a1, a2, a3);
        if main < d {
            let u = &user[main..];
            for (sum, row) in sums.iter_mut().zip([r0, r1, r2, r3]) {
                *sum += portable::dot(&row[main..], u);
            }
        }
        o.copy_from_slice(&sums);
    }
    portable::dots(row_quads.remainder(), user, out_quads.into_remainder());
}

/// [`dots`] for one fixed `d`, written out step by step: every offset is a constant from the
/// quad's base, the user chunks are loaded once per call (LLVM hoists them), and there is no
/// loop counter — V8 unrolls nothing itself, and the general loop spends 8 of every 21
/// instructions at d = 64 on addresses and its counter. Measured in V8: the dot products at
/// 10K × 64 take 27 instead of 32 µs. For the common dimensions only (code size).
macro_rules! dots_fixed {
    ($name:ident, $d:literal, $($k:literal)*) => {
        fn $name(rows: &[i8], user: &[i8], out: &mut [i32]) {
            const D: usize = $d;
            let Ok(user) = <&[i8; D]>::try_from(user) else {
                return portable::dots(rows, user, out); // not reached: `dots` matched the length
            };
            let mut row_quads = rows.chunks_exact(4 * D);
            let mut out_quads = out.chunks_exact_mut(4);
            for (quad, o) in (&mut row_quads).zip(&mut out_quads) {
                let quad = &quad[..4 * D]; // constant lengths: the loads' bounds checks fold
                let zero = i32x4_splat(0);
                let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
                $(
                    let u = load8(user, $k);
                    a0 = step(a0, quad, $k, u);
                    a1 = step(a1, quad, D + $k, u);
                    a2 = step(a2, quad, 2 * D + $k, u);
                    a3 = step(a3, quad, 3 * D + $k, u);
                )*
                o.copy_from_slice(&reduce4(a0, a1, a2, a3));
            }
            portable::dots(row_quads.remainder(), user, out_quads.into_remainder());
        }
    };
}

dots_fixed!(dots64, 64, 0 8 16 24 32 40 48 56);
dots_fixed!(dots128, 128, 0 8 16 24 32 40 48 56 64 72 80 88 96 104 112 120);

/// The four rows of `stride` elements each in `quad`.
#[inline(always)]
fn split4<T>(quad: &[T], stride: usize) -> (&[T], &[T], &[T], &[T]) {
    let (r0, rest) = quad.split_at(stride);
    let (r1, rest) = rest.split_at(stride);
    let (r2, r3) = rest.split_at(stride);
    (r0, r1, r2, r3)
}

/// Transpose-and-add: element r is the sum of the four lanes of accumulator r.
#[inline(always)]
fn reduce4(a0: v128, a1: v128, a2: v128, a3: v128) -> [i32; 4] {
    let ab = i32x4_add(
        i32x4_shuffle::<0, 4, 1, 5>(a0, a1),
        i32x4_shuffle::<2, 6, 3, 7>(a0, a1),
    );
    let cd = i32x4_add(
        i32x4_shuffle::<0, 4, 1, 5>(a2, a3),
        i32x4_shuffle::<2, 6, 3, 7>(a2, a3),
    );
    let s = i32x4_add(
        i32x4_shuffle::<0, 1, 4, 5>(ab, cd),
        i32x4_shuffle::<2, 3, 6, 7>(ab, cd),
    );
    [
        i32x4_extract_lane::<0>(s),
        i32x4_extract_lane::<1>(s),
        i32x4_extract_lane::<2>(s),
        i32x4_extract_lane::<3>(s),
    ]
}

/// Loads 16 bytes at `p[at..at + 16]`.
#[inline(always)]
fn load16(p: &[u8], at: usize) -> v128 {
    assert!(at + 16 <= p.len());
    // SAFETY: bounds checked above; wasm loads need no alignment.
    unsafe { v128_load(p.as_ptr().add(at).cast::<v128>()) }
}

/// Loads eight i16 at `p[at..at + 8]`.
#[inline(always)]
fn load_i16(p: &[i16], at: usize) -> v128 {
    assert!(at + 8 <= p.len());
    // SAFETY: bounds checked above; wasm loads need no alignment.
    unsafe { v128_load(p.as_ptr().add(at).cast::<v128>()) }
}

/// `acc + 4096 · Σ` of one 16-byte chunk of a packed row times the regrouped user values:
/// read as i16x8, nibble `p` of lane `l` is value `4l + p` of the chunk, and `u[p]` holds the
/// user values `4l + p`. Each nibble is moved to the top of its lane (shift) and the rest cleared
/// (mask), so the lane reads `4096 · value` as a signed i16 with no sign extension; the dot
/// products then carry the factor 4096, removed by [`unscale`]. Three shifts instead of seven:
/// x86 engines run vector shifts on one port, which bounded the plain sign-extending version.
#[inline(always)]
fn step4(acc: v128, row: &[u8], at: usize, u: &[v128; 4], top: v128) -> v128 {
    let v = load16(row, at);
    let n0 = i16x8_shl(v, 12);
    let n1 = v128_and(i16x8_shl(v, 8), top);
    let n2 = v128_and(i16x8_shl(v, 4), top);
    let n3 = v128_and(v, top);
    let s = i32x4_add(i32x4_dot_i16x8(n0, u[0]), i32x4_dot_i16x8(n1, u[1]));
    let t = i32x4_add(i32x4_dot_i16x8(n2, u[2]), i32x4_dot_i16x8(n3, u[3]));
    i32x4_add(acc, i32x4_add(s, t))
}

/// Removes [`step4`]'s factor 4096 (exact: every lane is a multiple of it). Each lane holds at
/// most 8 · 128 · 4096 · 8 per chunk and d/32 ≤ 32 chunks: |lane| ≤ 2³⁰, no overflow.
#[inline(always)]
fn unscale(acc: v128) -> v128 {
    i32x4_shr(acc, 12)
}

/// See [`super::Dots4Fn`]: 32 values per 16-byte chunk, four rows per user chunk; values past the
/// last whole chunk (d not a multiple of 32) by the portable code.
fn dots4(rows: &[u8], user: &[i8], out: &mut [i32]) {
    let d = user.len();
    let per = d.div_ceil(2);
    let main = d / 32 * 32;
    // The user regrouped per chunk: `grouped[c·32 + p·8 + l] = user[c·32 + 4l + p]`.
    let mut grouped = [0i16; MAX_DIM];
    for (g, u) in grouped[..main]
        .chunks_exact_mut(32)
        .zip(user[..main].chunks_exact(32))
    {
        for (i, &x) in u.iter().enumerate() {
            g[(i % 4) * 8 + i / 4] = i16::from(x);
        }
    }
    let mut row_quads = rows.chunks_exact(4 * per);
    let mut out_quads = out.chunks_exact_mut(4);
    for (quad, o) in (&mut row_quads).zip(&mut out_quads) {
        let (r0, r1, r2, r3) = split4(quad, per);
        let zero = i32x4_splat(0);
        let top = i16x8_splat(-4096); // 0xF000
        let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
        let mut c = 0;
        while c < main {
            let u = [
                load_i16(&grouped, c),
                load_i16(&grouped, c + 8),
                load_i16(&grouped, c + 16),
                load_i16(&grouped, c + 24),
            ];
            let at = c / 2;
            a0 = step4(a0, r0, at, &u, top);
            a1 = step4(a1, r1, at, &u, top);
            a2 = step4(a2, r2, at, &u, top);
            a3 = step4(a3, r3, at, &u, top);
            c += 32;
        }
        let mut sums = reduce4(unscale(a0), unscale(a1), unscale(a2), unscale(a3));
        if main < d {
            for (sum, row) in sums.iter_mut().zip([r0, r1, r2, r3]) {
                *sum += portable::dot4(&row[main / 2..], &user[main..]);
            }
        }
        o.copy_from_slice(&sums);
    }
    portable::dots4(row_quads.remainder(), user, out_quads.into_remainder());
}

/// Loads 4 lanes at `p[at..at + 4]` (i32 or f32).
#[inline(always)]
fn load4<T>(p: &[T], at: usize) -> v128 {
    assert!(at + 4 <= p.len() && std::mem::size_of::<T>() == 4);
    // SAFETY: four 4-byte elements in bounds (checked above); no alignment needed.
    unsafe { v128_load(p.as_ptr().add(at).cast::<v128>()) }
}

/// Scores of items `at..at + 4` of a group into `out` (the contract's f32 steps); returns their
/// order keys.
#[inline(always)]
fn score4(acc: &[i32], scales: &[f32], bias: &[f32], out: &mut [f32], at: usize, su: v128) -> v128 {
    let t = f32x4_mul(f32x4_convert_i32x4(load4(acc, at)), load4(scales, at));
    let score = f32x4_add(f32x4_mul(t, su), load4(bias, at));
    assert!(at + 4 <= out.len());
    // SAFETY: four f32 in bounds (checked above); no alignment needed.
    unsafe { v128_store(out.as_mut_ptr().add(at).cast::<v128>(), score) };
    v128_xor(score, u32x4_shr(i32x4_shr(score, 31), 1))
}

/// See [`super::EpilogueFn`]: four items at a time, each step an IEEE f32 operation exactly as
/// the scalar contract (`f32x4.convert_i32x4_s` is exact below 2²⁴, no FMA exists in SIMD128),
/// and the order keys' maximum per group on the way; a last partial group by the portable code.
fn epilogue(
    acc: &[i32],
    scales: &[f32],
    bias: &[f32],
    user_scale: f32,
    out: &mut [f32],
    groups: &mut [i32],
) -> i32 {
    let n = out.len();
    let su = f32x4_splat(user_scale);
    let mut best = i32::MIN;
    for (g, group) in groups.iter_mut().enumerate() {
        let start = g * GROUP;
        let end = n.min(start + GROUP);
        if end - start < GROUP {
            *group = portable::epilogue_range(
                &acc[start..end],
                &scales[start..end],
                &bias[start..end],
                user_scale,
                &mut out[start..end],
            );
        } else {
            // Four steps written out (see `dots_fixed`): no loop counter, constant offsets.
            let (a, sc, b) = (&acc[start..end], &scales[start..end], &bias[start..end]);
            let o = &mut out[start..end];
            let max = i32x4_max(
                i32x4_max(score4(a, sc, b, o, 0, su), score4(a, sc, b, o, 4, su)),
                i32x4_max(score4(a, sc, b, o, 8, su), score4(a, sc, b, o, 12, su)),
            );
            *group = i32x4_extract_lane::<0>(max)
                .max(i32x4_extract_lane::<1>(max))
                .max(i32x4_extract_lane::<2>(max))
                .max(i32x4_extract_lane::<3>(max));
        }
        best = best.max(*group);
    }
    best
}
