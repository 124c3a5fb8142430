//! The x86-64 AVX2 kernel: each 16-byte chunk is sign-extended to i16 (`vpmovsxbw`) and
//! multiplied-and-pair-added into i32 lanes (`vpmaddwd`), which is exact for any i8 inputs
//! (|a·b + c·e| ≤ 2·128² < 2³¹). Four rows share each user chunk; their lanes are reduced together
//! with three horizontal adds. Used only when the CPU reports AVX2 at run time. Packed 4-bit rows
//! are unpacked per block and go through the same kernel.

use std::arch::x86_64::{
    __m128i, __m256i, _mm256_add_epi32, _mm256_castsi256_si128, _mm256_cvtepi8_epi16,
    _mm256_extracti128_si256, _mm256_hadd_epi32, _mm256_madd_epi16, _mm256_setzero_si256,
    _mm_add_epi32, _mm_loadu_si128, _mm_storeu_si128,
};

use super::Kernel;

/// The AVX2 kernel, if this CPU has AVX2.
pub(super) fn avx2() -> Option<Kernel> {
    is_x86_feature_detected!("avx2").then_some(Kernel {
        name: "avx2",
        dots: dots_avx2,
        dots4: dots4_avx2,
        // Natively the release/bench profiles vectorise the portable epilogue well enough.
        epilogue: super::portable::epilogue,
    })
}

fn dots_avx2(rows: &[i8], user: &[i8], out: &mut [i32]) {
    // SAFETY: `dots_avx2` is reachable only through the `Kernel` that `avx2()` builds after
    // detecting AVX2 at run time.
    unsafe { dots(rows, user, out) }
}

fn dots4_avx2(rows: &[u8], user: &[i8], out: &mut [i32]) {
    super::portable::unpack_then(dots_avx2, rows, user, out);
}

/// Sign-extends 16 bytes at `p[at..at + 16]` to i16 lanes.
///
/// # Safety
/// `at + 16 <= p.len()`.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn widen(p: &[i8], at: usize) -> __m256i {
    debug_assert!(at + 16 <= p.len());
    // SAFETY: the caller keeps `at + 16 <= p.len()`; unaligned loads are allowed.
    _mm256_cvtepi8_epi16(unsafe { _mm_loadu_si128(p.as_ptr().add(at).cast::<__m128i>()) })
}

#[target_feature(enable = "avx2")]
unsafe fn dots(rows: &[i8], user: &[i8], out: &mut [i32]) {
    let d = user.len();
    let main = d / 16 * 16;
    let mut row_quads = rows.chunks_exact(4 * d);
    let mut out_quads = out.chunks_exact_mut(4);
    for (quad, o) in (&mut row_quads).zip(&mut out_quads) {
        let mut acc = [_mm256_setzero_si256(); 4];
        let mut k = 0;
        while k < main {
            // SAFETY (all `widen` calls): k + 16 <= main <= d, and quad.len() == 4d.
            let u = unsafe { widen(user, k) };
            for (r, a) in acc.iter_mut().enumerate() {
                let x = unsafe { widen(quad, r * d + k) };
                *a = _mm256_add_epi32(*a, _mm256_madd_epi16(x, u));
            }
            k += 16;
        }
        let h01 = _mm256_hadd_epi32(acc[0], acc[1]);
        let h23 = _mm256_hadd_epi32(acc[2], acc[3]);
        let h = _mm256_hadd_epi32(h01, h23);
        let s = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256::<1>(h));
        let mut sums = [0i32; 4];
        // SAFETY: `sums` is 16 writable bytes.
        unsafe { _mm_storeu_si128(sums.as_mut_ptr().cast::<__m128i>(), s) };
        for (r, (o, sum)) in o.iter_mut().zip(sums).enumerate() {
            let tail = &quad[r * d + main..(r + 1) * d];
            *o = sum + super::portable::dot(tail, &user[main..]);
        }
    }
    super::portable::dots(row_quads.remainder(), user, out_quads.into_remainder());
}
