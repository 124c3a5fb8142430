//! Fast int8 dot-product kernels for the CPU scorer, behind one API: a portable implementation,
//! wasm SIMD128 and x86-64 AVX2, the choice made once at start-up (memchr style).
//!
//! A kernel computes `acc[j] = Σ_k row_j[k] · user[k]` exactly in i32 for a block of contiguous
//! rows — step 2 of the scoring contract (`docs/FORMAT.md` § 2.2) — over int8 rows ([`Kernel::dots`])
//! or packed 4-bit rows ([`Kernel::dots4`], the `QI4R` layout, half the bytes to read). Exact integer arithmetic means
//! every kernel returns the same accumulators bit for bit; the ndarray scorer in
//! [`super::cpu`] stays the reference they are tested against (`tests/kernel.rs`).
//! The f32 epilogue and the top-k selection that consume the accumulators live in [`block`] and
//! [`select`].
//!
//! Not here: the choice between CPU and GPU backends ([`super::Scorer`]).

pub mod block;
mod portable;
pub mod select;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;
#[cfg(target_arch = "x86_64")]
mod x86;

use std::fmt;
use std::sync::OnceLock;

/// Largest dimension a kernel accepts (the model reader's limit).
const MAX_DIM: usize = crate::model::MAX_DIM as usize;

/// Signature of a kernel body: `rows.len() == out.len() * user.len()` (checked by
/// [`Kernel::dots`]); row `j` is `rows[j*d..(j+1)*d]`. Values may be any i8 (−128 included);
/// `d ≤ 1024` keeps |acc| < 2²⁴ (the model reader's limit).
pub type DotsFn = fn(rows: &[i8], user: &[i8], out: &mut [i32]);

/// Signature of a 4-bit kernel body: `rows` holds `out.len()` rows of `ceil(d/2)` bytes in the
/// `QI4R` layout ([`crate::model::Packed4`]), `d = user.len() ≤ 1024` (checked by
/// [`Kernel::dots4`]). Any nibble (−8 included) gives the exact sum; padding nibbles are ignored.
pub type Dots4Fn = fn(rows: &[u8], user: &[i8], out: &mut [i32]);

/// Items per group of the epilogue's maxima: the top-k looks at a group's items only when the
/// group's largest order key beats its threshold.
pub const GROUP: usize = 16;

/// Signature of an epilogue body: `out[j] = (f32(acc[j]) · scales[j]) · user_scale + bias[j]`
/// (docs/FORMAT.md § 2.2 step 3, no FMA), all slices of one length (checked by
/// [`Kernel::epilogue`]); `groups[g]` receives the largest [`order_key`] of
/// `out[g·GROUP..(g+1)·GROUP]` (`groups.len() == ceil(n / GROUP)`), and the largest of all is
/// returned (`i32::MIN` when empty): the top-k skips whole blocks and groups on them.
pub type EpilogueFn = fn(
    acc: &[i32],
    scales: &[f32],
    bias: &[f32],
    user_scale: f32,
    out: &mut [f32],
    groups: &mut [i32],
) -> i32;

/// The integer whose signed order is `f32::total_cmp`'s order (the same bit trick std uses).
#[inline(always)]
pub fn order_key(score: f32) -> i32 {
    let bits = score.to_bits() as i32;
    bits ^ ((((bits >> 31) as u32) >> 1) as i32)
}

/// One dot-product implementation.
#[derive(Clone, Copy)]
pub struct Kernel {
    name: &'static str,
    dots: DotsFn,
    dots4: Dots4Fn,
    epilogue: EpilogueFn,
}

impl fmt::Debug for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Kernel").field(&self.name).finish()
    }
}

impl Kernel {
    /// Its name: `"portable"`, `"simd128"` or `"avx2"`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `out[j] = Σ_k rows[j·d + k] · user[k]` with `d = user.len()`.
    ///
    /// # Panics
    /// If `rows.len() != out.len() * user.len()` (a caller bug, never data-dependent).
    pub fn dots(&self, rows: &[i8], user: &[i8], out: &mut [i32]) {
        assert_eq!(
            rows.len(),
            out.len() * user.len(),
            "kernel block shape mismatch"
        );
        if user.is_empty() {
            out.fill(0);
            return;
        }
        (self.dots)(rows, user, out)
    }

    /// `out[j] = Σ_k value(j, k) · user[k]` over packed 4-bit rows of `ceil(d/2)` bytes each,
    /// `d = user.len()`.
    ///
    /// # Panics
    /// If `rows.len() != out.len() * ceil(d/2)` or `d > 1024` (caller bugs: the model reader
    /// limits `d`).
    pub fn dots4(&self, rows: &[u8], user: &[i8], out: &mut [i32]) {
        assert_eq!(
            rows.len(),
            out.len() * user.len().div_ceil(2),
            "4-bit kernel block shape mismatch"
        );
        assert!(user.len() <= MAX_DIM, "dimension above the model limit");
        if user.is_empty() {
            out.fill(0);
            return;
        }
        (self.dots4)(rows, user, out)
    }

    /// The contract's epilogue over a block of accumulators into `out`, with the largest
    /// [`order_key`] of each [`GROUP`] of items in `groups`; returns the block's largest.
    ///
    /// # Panics
    /// If the slices differ in length or `groups.len() != ceil(out.len() / GROUP)` (caller bugs,
    /// never data-dependent).
    pub fn epilogue(
        &self,
        acc: &[i32],
        scales: &[f32],
        bias: &[f32],
        user_scale: f32,
        out: &mut [f32],
        groups: &mut [i32],
    ) -> i32 {
        let n = out.len();
        assert!(
            acc.len() == n
                && scales.len() == n
                && bias.len() == n
                && groups.len() == n.div_ceil(GROUP),
            "epilogue block shape mismatch"
        );
        (self.epilogue)(acc, scales, bias, user_scale, out, groups)
    }

    /// The plain Rust kernel (auto-vectorised where the compiler can).
    pub fn portable() -> Kernel {
        Kernel {
            name: "portable",
            dots: portable::dots,
            dots4: portable::dots4,
            epilogue: portable::epilogue,
        }
    }

    /// The fastest kernel this machine runs, detected once and cached.
    pub fn best() -> Kernel {
        static BEST: OnceLock<Kernel> = OnceLock::new();
        *BEST.get_or_init(|| Self::available().pop().unwrap_or_else(Kernel::portable))
    }

    /// Every kernel this machine (or this wasm build) runs, slowest first; `portable` always.
    pub fn available() -> Vec<Kernel> {
        #[allow(unused_mut)] // only some targets add kernels
        let mut all = vec![Kernel::portable()];
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        all.push(simd128::kernel());
        #[cfg(target_arch = "x86_64")]
        all.extend(x86::avx2());
        all
    }
}
