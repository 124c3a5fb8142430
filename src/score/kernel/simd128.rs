//! The wasm SIMD128 kernel: each 16-byte chunk is sign-extended to two i16x8 halves and
//! multiplied-and-pair-added into i32x4 (`i32x4.dot_i16x8_s`, one `pmaddwd` on x86 engines),
//! exact for any i8 inputs. Four rows share each user chunk and are reduced together by a 4×4
//! transpose of shuffles. Compiled only when the build enables `+simd128` (wasm has no run-time
//! feature detection: a module with SIMD fails to validate where it is unsupported).

use core::arch::wasm32::{
    i16x8_extend_high_i8x16, i16x8_extend_low_i8x16, i32x4_add, i32x4_dot_i16x8,
    i32x4_extract_lane, i32x4_shuffle, i32x4_splat, v128, v128_load,
};

use super::Kernel;

/// The SIMD128 kernel (always available in a `+simd128` build).
pub(super) fn kernel() -> Kernel {
    Kernel {
        name: "simd128",
        dots,
    }
}

/// Loads 16 bytes at `p[at..at + 16]`.
#[inline(always)]
fn load(p: &[i8], at: usize) -> v128 {
    assert!(at + 16 <= p.len());
    // SAFETY: bounds checked above (the check folds away in the loops below); wasm loads need no
    // alignment.
    unsafe { v128_load(p.as_ptr().add(at).cast::<v128>()) }
}

fn dots(rows: &[i8], user: &[i8], out: &mut [i32]) {
    let d = user.len();
    let main = d / 16 * 16;
    let mut row_quads = rows.chunks_exact(4 * d);
    let mut out_quads = out.chunks_exact_mut(4);
    for (quad, o) in (&mut row_quads).zip(&mut out_quads) {
        let mut acc = [i32x4_splat(0); 4];
        let mut k = 0;
        while k < main {
            let u = load(user, k);
            let (ul, uh) = (i16x8_extend_low_i8x16(u), i16x8_extend_high_i8x16(u));
            for (r, a) in acc.iter_mut().enumerate() {
                let x = load(quad, r * d + k);
                let lo = i32x4_dot_i16x8(i16x8_extend_low_i8x16(x), ul);
                let hi = i32x4_dot_i16x8(i16x8_extend_high_i8x16(x), uh);
                *a = i32x4_add(*a, i32x4_add(lo, hi));
            }
            k += 16;
        }
        // Transpose-and-add: lane r of `s` is the sum of acc[r]'s four lanes.
        let ab = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(acc[0], acc[1]),
            i32x4_shuffle::<2, 6, 3, 7>(acc[0], acc[1]),
        );
        let cd = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(acc[2], acc[3]),
            i32x4_shuffle::<2, 6, 3, 7>(acc[2], acc[3]),
        );
        let s = i32x4_add(
            i32x4_shuffle::<0, 1, 4, 5>(ab, cd),
            i32x4_shuffle::<2, 3, 6, 7>(ab, cd),
        );
        let sums = [
            i32x4_extract_lane::<0>(s),
            i32x4_extract_lane::<1>(s),
            i32x4_extract_lane::<2>(s),
            i32x4_extract_lane::<3>(s),
        ];
        for (r, (o, sum)) in o.iter_mut().zip(sums).enumerate() {
            let tail = &quad[r * d + main..(r + 1) * d];
            *o = sum + tail_dot(tail, &user[main..]);
        }
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
