//! The wasm SIMD128 kernel: each 8-byte chunk is loaded sign-extended to i16x8
//! (`v128.load8x8_s`, one `pmovsxbw` from memory on x86 engines) and multiplied-and-pair-added
//! into i32x4 (`i32x4.dot_i16x8_s`, one `pmaddwd`), exact for any i8 inputs. Four rows share each user chunk and are reduced together by a 4×4
//! transpose of shuffles. Compiled only when the build enables `+simd128` (wasm has no run-time
//! feature detection: a module with SIMD fails to validate where it is unsupported).

use core::arch::wasm32::{
    f32x4_add, f32x4_convert_i32x4, f32x4_mul, f32x4_splat, i16x8_load_extend_i8x8, i32x4_add,
    i32x4_dot_i16x8, i32x4_extract_lane, i32x4_max, i32x4_shr, i32x4_shuffle, i32x4_splat,
    u32x4_shr, v128, v128_load, v128_store, v128_xor,
};

use super::Kernel;

/// The SIMD128 kernel (always available in a `+simd128` build).
pub(super) fn kernel() -> Kernel {
    Kernel {
        name: "simd128",
        dots,
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
    let d = user.len();
    let main = d / 8 * 8;
    let mut row_quads = rows.chunks_exact(4 * d);
    let mut out_quads = out.chunks_exact_mut(4);
    for (quad, o) in (&mut row_quads).zip(&mut out_quads) {
        // Written out for four rows (not a loop over an array) so that the release profile's
        // size-oriented opt-level still keeps every accumulator in a register.
        let (r0, rest) = quad.split_at(d);
        let (r1, rest) = rest.split_at(d);
        let (r2, r3) = rest.split_at(d);
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
        // Transpose-and-add: lane r of `s` is the sum of row r's four lanes.
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
        let mut sums = [
            i32x4_extract_lane::<0>(s),
            i32x4_extract_lane::<1>(s),
            i32x4_extract_lane::<2>(s),
            i32x4_extract_lane::<3>(s),
        ];
        if main < d {
            let u = &user[main..];
            for (sum, row) in sums.iter_mut().zip([r0, r1, r2, r3]) {
                *sum += tail_dot(&row[main..], u);
            }
        }
        o.copy_from_slice(&sums);
    }
    super::portable::dots(row_quads.remainder(), user, out_quads.into_remainder());
}

#[inline]
fn tail_dot(row: &[i8], user: &[i8]) -> i32 {
    row.iter()
        .zip(user)
        .map(|(&a, &b)| i32::from(a) * i32::from(b))
        .sum()
}

/// Loads 4 lanes at `p[at..at + 4]` (i32 or f32).
#[inline(always)]
fn load4<T>(p: &[T], at: usize) -> v128 {
    assert!(at + 4 <= p.len() && std::mem::size_of::<T>() == 4);
    // SAFETY: four 4-byte elements in bounds (checked above); no alignment needed.
    unsafe { v128_load(p.as_ptr().add(at).cast::<v128>()) }
}

/// See [`super::EpilogueFn`]: four items at a time, each step an IEEE f32 operation exactly as
/// the scalar contract (`f32x4.convert_i32x4_s` is exact below 2²⁴, no FMA exists in SIMD128),
/// and the order keys' maximum on the way.
fn epilogue(acc: &[i32], scales: &[f32], bias: &[f32], user_scale: f32, out: &mut [f32]) -> i32 {
    let n = out.len();
    let main = n / 4 * 4;
    let su = f32x4_splat(user_scale);
    let mut best = i32x4_splat(i32::MIN);
    let mut j = 0;
    while j < main {
        let t = f32x4_mul(f32x4_convert_i32x4(load4(acc, j)), load4(scales, j));
        let score = f32x4_add(f32x4_mul(t, su), load4(bias, j));
        assert!(j + 4 <= out.len());
        // SAFETY: four f32 in bounds (checked above); no alignment needed.
        unsafe { v128_store(out.as_mut_ptr().add(j).cast::<v128>(), score) };
        let key = v128_xor(score, u32x4_shr(i32x4_shr(score, 31), 1));
        best = i32x4_max(best, key);
        j += 4;
    }
    let mut max = i32x4_extract_lane::<0>(best)
        .max(i32x4_extract_lane::<1>(best))
        .max(i32x4_extract_lane::<2>(best))
        .max(i32x4_extract_lane::<3>(best));
    for j in main..n {
        out[j] = crate::score::cpu::epilogue(acc[j], scales[j], user_scale, bias[j]);
        max = max.max(super::order_key(out[j]));
    }
    max
}
