//! The vector operations the generic GEMM kernels are written in, one implementation per ISA.
//!
//! Every method is `#[inline]` + `#[target_feature]`: the generic kernels are `#[inline(always)]`
//! and are instantiated inside `#[target_feature]` entry points (see `mod.rs`), so after inlining
//! each path is compiled as straight-line code for its ISA, with no run-time checks inside loops.
#![allow(clippy::missing_safety_doc)]

/// A vector of `LANES` f32. All methods are unsafe: the caller guarantees the CPU has the ISA and
/// that pointers are valid for the lanes they touch.
pub trait Vf32: Copy {
    const LANES: usize;
    /// Rows × columns of the packed-path micro-tile: `MR` rows, `NV` vectors (`NV·LANES` columns).
    const MR: usize;
    const NV: usize;
    /// Largest unpacked tile: `SMALL_R` rows × `SMALL_C` columns (dot) or vectors (axpy), sized to
    /// keep every accumulator in a register.
    const SMALL_R: usize;
    const SMALL_C: usize;

    unsafe fn zero() -> Self;
    unsafe fn splat(x: f32) -> Self;
    unsafe fn load(p: *const f32) -> Self;
    unsafe fn store(self, p: *mut f32);
    /// Loads `n < LANES` floats, the other lanes zero.
    unsafe fn load_partial(p: *const f32, n: usize) -> Self;
    /// Stores the first `n < LANES` lanes.
    unsafe fn store_partial(self, p: *mut f32, n: usize);
    /// `self·b + acc`, fused.
    unsafe fn fma(self, b: Self, acc: Self) -> Self;
    unsafe fn add(self, b: Self) -> Self;
    unsafe fn mul(self, b: Self) -> Self;
    /// The horizontal sums of four vectors.
    unsafe fn hsum4(a: Self, b: Self, c: Self, d: Self) -> [f32; 4];
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

#[cfg(target_arch = "x86_64")]
pub use x86::{Avx2, Avx512};

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Vf32;
    use std::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub struct Avx512(__m512);

    impl Vf32 for Avx512 {
        const LANES: usize = 16;
        // 12 × 32 tile: 24 accumulators + 2 B vectors + broadcasts fit the 32 zmm registers, and
        // 14 loads per 24 FMAs stay under the 2 loads/cycle the FMA ports can absorb.
        const MR: usize = 12;
        const NV: usize = 2;
        const SMALL_R: usize = 5;
        const SMALL_C: usize = 4;

        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn prefetch(p: *const f32) {
            _mm_prefetch(p as *const i8, _MM_HINT_T0)
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn prefetch_l2(p: *const f32) {
            _mm_prefetch(p as *const i8, _MM_HINT_T1)
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn zero() -> Self {
            Avx512(_mm512_setzero_ps())
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn splat(x: f32) -> Self {
            Avx512(_mm512_set1_ps(x))
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn load(p: *const f32) -> Self {
            Avx512(_mm512_loadu_ps(p))
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn store(self, p: *mut f32) {
            _mm512_storeu_ps(p, self.0)
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn load_partial(p: *const f32, n: usize) -> Self {
            Avx512(_mm512_maskz_loadu_ps(((1u32 << n) - 1) as __mmask16, p))
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn store_partial(self, p: *mut f32, n: usize) {
            _mm512_mask_storeu_ps(p, ((1u32 << n) - 1) as __mmask16, self.0)
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn fma(self, b: Self, acc: Self) -> Self {
            Avx512(_mm512_fmadd_ps(self.0, b.0, acc.0))
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn add(self, b: Self) -> Self {
            Avx512(_mm512_add_ps(self.0, b.0))
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn mul(self, b: Self) -> Self {
            Avx512(_mm512_mul_ps(self.0, b.0))
        }
        #[inline]
        #[target_feature(enable = "avx512f,avx2,fma")]
        unsafe fn hsum4(a: Self, b: Self, c: Self, d: Self) -> [f32; 4] {
            let half = |v: __m512| {
                _mm256_add_ps(
                    _mm512_castps512_ps256(v),
                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)),
                )
            };
            Avx2::hsum4(
                Avx2(half(a.0)),
                Avx2(half(b.0)),
                Avx2(half(c.0)),
                Avx2(half(d.0)),
            )
        }
    }

    #[derive(Clone, Copy)]
    pub struct Avx2(__m256);

    impl Vf32 for Avx2 {
        const LANES: usize = 8;
        // 6 × 16 tile: 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers.
        const MR: usize = 6;
        const NV: usize = 2;
        const SMALL_R: usize = 3;
        const SMALL_C: usize = 4;

        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn prefetch(p: *const f32) {
            _mm_prefetch(p as *const i8, _MM_HINT_T0)
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn prefetch_l2(p: *const f32) {
            _mm_prefetch(p as *const i8, _MM_HINT_T1)
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn zero() -> Self {
            Avx2(_mm256_setzero_ps())
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn splat(x: f32) -> Self {
            Avx2(_mm256_set1_ps(x))
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn load(p: *const f32) -> Self {
            Avx2(_mm256_loadu_ps(p))
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn store(self, p: *mut f32) {
            _mm256_storeu_ps(p, self.0)
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn load_partial(p: *const f32, n: usize) -> Self {
            Avx2(_mm256_maskload_ps(p, mask8(n)))
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn store_partial(self, p: *mut f32, n: usize) {
            _mm256_maskstore_ps(p, mask8(n), self.0)
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn fma(self, b: Self, acc: Self) -> Self {
            Avx2(_mm256_fmadd_ps(self.0, b.0, acc.0))
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn add(self, b: Self) -> Self {
            Avx2(_mm256_add_ps(self.0, b.0))
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn mul(self, b: Self) -> Self {
            Avx2(_mm256_mul_ps(self.0, b.0))
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn hsum4(a: Self, b: Self, c: Self, d: Self) -> [f32; 4] {
            // hadd works within 128-bit lanes: after two rounds each lane holds the four partial
            // sums of its half; adding the halves gives the four totals.
            let ab = _mm256_hadd_ps(a.0, b.0);
            let cd = _mm256_hadd_ps(c.0, d.0);
            let abcd = _mm256_hadd_ps(ab, cd);
            let sum = _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
            let mut out = [0f32; 4];
            _mm_storeu_ps(out.as_mut_ptr(), sum);
            out
        }
    }

    /// Lane mask with the first `n` of 8 lanes set.
    #[inline(always)]
    unsafe fn mask8(n: usize) -> __m256i {
        const ONES_THEN_ZEROS: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];
        _mm256_loadu_si256(ONES_THEN_ZEROS.as_ptr().add(8 - n) as *const __m256i)
    }
}

#[cfg(target_arch = "aarch64")]
pub use arm::Neon;

#[cfg(target_arch = "aarch64")]
mod arm {
    use super::Vf32;
    use std::arch::aarch64::*;

    #[derive(Clone, Copy)]
    pub struct Neon(float32x4_t);

    impl Vf32 for Neon {
        const LANES: usize = 4;
        // 8 × 12 tile: 24 accumulators + 3 B vectors + A values among the 32 q registers.
        const MR: usize = 8;
        const NV: usize = 3;
        const SMALL_R: usize = 5;
        const SMALL_C: usize = 4;

        #[inline]
        #[target_feature(enable = "neon")]
        unsafe fn zero() -> Self {
            Neon(vdupq_n_f32(0.0))
        }
        #[inline]
        #[target_feature(enable = "neon")]
        unsafe fn splat(x: f32) -> Self {
            Neon(vdupq_n_f32(x))
        }
        #[inline]
        #[target_feature(enable = "neon")]
        unsafe fn load(p: *const f32) -> Self {
            Neon(vld1q_f32(p))
        }
        #[inline]
        #[target_feature(enable = "neon")]
        unsafe fn store(self, p: *mut f32) {
            vst1q_f32(p, self.0)
        }
        #[inline]
        #[target_feature(enable = "neon")]
        unsafe fn load_partial(p: *const f32, n: usize) -> Self {
            let mut buf = [0f32; 4];
            std::ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), n);
            Neon(vld1q_f32(buf.as_ptr()))
        }
        #[inline]
        #[target_feature(enable = "neon")]
        unsafe fn store_partial(self, p: *mut f32, n: usize) {
            let mut buf = [0f32; 4];
            vst1q_f32(buf.as_mut_ptr(), self.0);
            std::ptr::copy_nonoverlapping(buf.as_ptr(), p, n);
        }
        #[inline]
        #[target_feature(enable = "neon")]
        unsafe fn fma(self, b: Self, acc: Self) -> Self {
            Neon(vfmaq_f32(acc.0, self.0, b.0))
        }
        #[inline]
        #[target_feature(enable = "neon")]
        unsafe fn add(self, b: Self) -> Self {
            Neon(vaddq_f32(self.0, b.0))
        }
        #[inline]
        #[target_feature(enable = "neon")]
        unsafe fn mul(self, b: Self) -> Self {
            Neon(vmulq_f32(self.0, b.0))
        }
        #[inline]
        #[target_feature(enable = "neon")]
        unsafe fn hsum4(a: Self, b: Self, c: Self, d: Self) -> [f32; 4] {
            [
                vaddvq_f32(a.0),
                vaddvq_f32(b.0),
                vaddvq_f32(c.0),
                vaddvq_f32(d.0),
            ]
        }
    }
}
