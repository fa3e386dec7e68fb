//! The one SIMD layer every kernel family is written against (see docs/ARCHITECTURE.md, "The SIMD
//! layer").
//!
//! - [`Vf32`] is one register of f32 lanes, implemented by [`Avx512`] (16 lanes), [`Avx2`] (8, with
//!   FMA), [`Neon`] (4) and [`Scalar`] (1). Its methods are `#[inline]` wrappers of one or a few
//!   intrinsics, compiled with their ISA's features (`#[target_feature]`, the same features as
//!   the `kernel!` entries, so they inline there), so a kernel written generically over
//!   `V: Vf32` compiles, after inlining, into straight-line code for one ISA with no run-time
//!   checks inside its loops.
//! - [`kernel!`] turns such a kernel into `fn name(simd: Simd, args…)`: one `#[target_feature]`
//!   entry per ISA that instantiates the kernel with that ISA's vector type `V`, and one `match` on
//!   the path, which `Simd::usable` clamps to what this CPU has. Plain loops that LLVM vectorises
//!   by itself use the same macro: their body is then compiled once per ISA.
//! - The path is detected once (`cpu::active()`; `KINDLING_SIMD` forces one); kernels take it as an
//!   argument, so tests walk `cpu::available_paths()` and compare each path with the scalar one.
#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod exp;
mod loops;
#[cfg(target_arch = "aarch64")]
mod neon;
mod normal_cdf;
mod scalar;
#[cfg(target_arch = "x86_64")]
pub(crate) mod transpose16;

#[cfg(target_arch = "x86_64")]
pub(crate) use avx2::Avx2;
#[cfg(target_arch = "x86_64")]
pub(crate) use avx512::Avx512;
pub(crate) use exp::{exp, sigmoid};
pub(crate) use loops::{map1, map2, maximum, minimum, row_max, scale_in_place, sum_exp};
#[cfg(target_arch = "aarch64")]
pub(crate) use neon::Neon;
pub(crate) use normal_cdf::{gelu, gelu_and_derivative, gelu_backward};
#[cfg(test)]
pub(crate) use scalar::sum_f64;
pub(crate) use scalar::Scalar;

use crate::cpu::Simd;

/// One vector register of `LANES` f32 values. All methods are `unsafe`: they may only run on a CPU
/// with the type's ISA, inside a function compiled for it (a `kernel!` entry), and pointers must
/// be valid for the lanes they touch.
pub(crate) trait Vf32: Copy {
    const LANES: usize;
    unsafe fn zero() -> Self;
    unsafe fn splat(v: f32) -> Self;
    unsafe fn load(p: *const f32) -> Self;
    unsafe fn store(self, p: *mut f32);
    /// Loads `n < LANES` floats, the other lanes zero.
    unsafe fn load_partial(p: *const f32, n: usize) -> Self;
    /// Stores the first `n < LANES` lanes.
    unsafe fn store_partial(self, p: *mut f32, n: usize);
    unsafe fn add(self, o: Self) -> Self;
    unsafe fn sub(self, o: Self) -> Self;
    unsafe fn mul(self, o: Self) -> Self;
    unsafe fn div(self, o: Self) -> Self;
    unsafe fn sqrt(self) -> Self;
    /// `self · b + c`, fused (one rounding).
    unsafe fn mul_add(self, b: Self, c: Self) -> Self;
    /// `if a < b { t } else { f }` per lane (false when either is NaN).
    unsafe fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// `if a <= b { t } else { f }` per lane (false when either is NaN).
    unsafe fn select_le(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// `if a or b is NaN { t } else { f }` per lane.
    unsafe fn select_unordered(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// Lane-wise max/min for clamping finite ranges (NaN handling is the caller's business).
    unsafe fn max_raw(self, o: Self) -> Self;
    unsafe fn min_raw(self, o: Self) -> Self;
    /// Round to nearest integer (ties to even).
    unsafe fn round(self) -> Self;
    /// For integral `n` in [-252, 254]: `(2^(n >> 1), 2^(n − (n >> 1)))`, both normal numbers.
    unsafe fn exp2_split(n: Self) -> (Self, Self);
    /// The horizontal sums of four vectors.
    unsafe fn hsum4(a: Self, b: Self, c: Self, d: Self) -> [f32; 4];
    /// The fixed-order f64 sum of a row, bit-identical to [`sum_f64`] on every path.
    unsafe fn sum_f64(x: &[f32]) -> f64;
    /// The lanes, for horizontal folds at the end of a row.
    #[inline(always)]
    unsafe fn to_array(self) -> [f32; 16] {
        let mut lanes = [0f32; 16];
        self.store(lanes.as_mut_ptr());
        lanes
    }
    /// Hints that the cache line holding `p` will be read soon (a no-op where unsupported).
    #[inline(always)]
    unsafe fn prefetch(p: *const f32) {
        let _ = p;
    }
    /// Hints that the cache line holding `p` will be read later: brought into L2 only, so it
    /// does not evict what the current loop keeps in L1 (a no-op where unsupported).
    #[inline(always)]
    unsafe fn prefetch_l2(p: *const f32) {
        let _ = p;
    }
}

/// Defines `fn $name(simd: Simd, args…) -> ret` that evaluates the `vector:` expression compiled
/// for the path (`Simd::usable` clamps it to what the CPU has), with `V` naming the path's `Vf32`
/// type. The scalar path evaluates `scalar:` when given (the reference loops), else `vector:` with
/// `V = Scalar`. Any path this build lacks (NEON on x86-64, AVX on aarch64) is scalar. Declare the
/// function `unsafe fn` when the kernel has a contract of its own (e.g. it writes through a raw
/// pointer): the entries do not make an unsafe kernel safe to call.
///
/// ```ignore
/// simd::kernel! {
///     /// `out = a + b`.
///     pub(crate) fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
///         vector: simd::map2::<V>(a, b, out, |x, y| x.add(y), |x, y| x + y),
///     }
/// }
/// ```
macro_rules! kernel {
    (
        $(#[$meta:meta])*
        $vis:vis unsafe fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)?
        { vector: $vector:expr $(, scalar: $scalar:expr)? $(,)? }
    ) => {
        $crate::simd::kernel!(@entry [$(#[$meta])*] [$vis] [unsafe] $name
            ($($arg: $ty),*) [$($ret)?] [$vector] [$($scalar)?]);
    };
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)?
        { vector: $vector:expr $(, scalar: $scalar:expr)? $(,)? }
    ) => {
        $crate::simd::kernel!(@entry [$(#[$meta])*] [$vis] [] $name
            ($($arg: $ty),*) [$($ret)?] [$vector] [$($scalar)?]);
    };
    (@entry [$(#[$meta:meta])*] [$vis:vis] [$($unsafe:tt)?] $name:ident
        ($($arg:ident : $ty:ty),*) [$($ret:ty)?] [$vector:expr] [$($scalar:expr)?]
    ) => {
        $(#[$meta])*
        #[allow(clippy::too_many_arguments, unused_unsafe)]
        $vis $($unsafe)? fn $name(simd: $crate::cpu::Simd, $($arg: $ty),*) $(-> $ret)? {
            match simd.usable() {
                #[cfg(target_arch = "x86_64")]
                $crate::cpu::Simd::Avx512 => {
                    #[target_feature(enable = "avx512f,avx2,fma")]
                    #[allow(clippy::too_many_arguments)]
                    unsafe fn run($($arg: $ty),*) $(-> $ret)? {
                        #[allow(dead_code)]
                        type V = $crate::simd::Avx512;
                        $vector
                    }
                    // SAFETY: `usable()` returns AVX-512 only when the CPU has these features.
                    unsafe { run($($arg),*) }
                }
                #[cfg(target_arch = "x86_64")]
                $crate::cpu::Simd::Avx2 => {
                    #[target_feature(enable = "avx2,fma")]
                    #[allow(clippy::too_many_arguments)]
                    unsafe fn run($($arg: $ty),*) $(-> $ret)? {
                        #[allow(dead_code)]
                        type V = $crate::simd::Avx2;
                        $vector
                    }
                    // SAFETY: `usable()` returns AVX2 only when the CPU has AVX2 and FMA.
                    unsafe { run($($arg),*) }
                }
                #[cfg(target_arch = "aarch64")]
                $crate::cpu::Simd::Neon => {
                    #[target_feature(enable = "neon")]
                    #[allow(clippy::too_many_arguments)]
                    unsafe fn run($($arg: $ty),*) $(-> $ret)? {
                        #[allow(dead_code)]
                        type V = $crate::simd::Neon;
                        $vector
                    }
                    // SAFETY: `usable()` returns NEON only when the CPU has Advanced SIMD.
                    unsafe { run($($arg),*) }
                }
                _ => $crate::simd::kernel!(@scalar [$vector] $([$scalar])?),
            }
        }
    };
    (@scalar [$vector:expr]) => {{
        #[allow(dead_code)]
        type V = $crate::simd::Scalar;
        // SAFETY: `Scalar` needs no CPU feature (the caller upholds the kernel's own contract).
        unsafe { $vector }
    }};
    (@scalar [$vector:expr] [$scalar:expr]) => {
        $scalar
    };
}
pub(crate) use kernel;

/// Asks for the cache line holding `p` to be brought into L2 (where the ISA has a prefetch; a
/// no-op elsewhere). A prefetch cannot fault, so `p` may point anywhere.
#[inline(always)]
pub(crate) fn prefetch_line_l2(p: *const f32) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it reads nothing and cannot fault.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T1 }>(p as *const i8)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The path for rows of `len` elements: AVX-512 rows shorter than one register (MNIST's 10
/// classes) would run entirely in the scalar tail, so they take the AVX2 path (always present
/// with AVX-512) instead.
pub(crate) fn for_row_len(simd: Simd, len: usize) -> Simd {
    match simd {
        Simd::Avx512 if len < 16 => Simd::Avx2,
        other => other,
    }
}

#[cfg(test)]
mod tests;
