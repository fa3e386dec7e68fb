//! `Vf32` on x86-64 AVX-512F: 16 lanes. Runs only inside `kernel!`'s `avx512f,avx2,fma` entry.
use super::{Avx2, Vf32};
use std::arch::x86_64::*;

#[derive(Clone, Copy)]
pub(crate) struct Avx512(__m512);

impl Vf32 for Avx512 {
    const LANES: usize = 16;
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn zero() -> Self {
        Avx512(_mm512_setzero_ps())
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn splat(v: f32) -> Self {
        Avx512(_mm512_set1_ps(v))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn load(p: *const f32) -> Self {
        Avx512(_mm512_loadu_ps(p))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn store(self, p: *mut f32) {
        _mm512_storeu_ps(p, self.0)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn load_partial(p: *const f32, n: usize) -> Self {
        Avx512(_mm512_maskz_loadu_ps(((1u32 << n) - 1) as __mmask16, p))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn store_partial(self, p: *mut f32, n: usize) {
        _mm512_mask_storeu_ps(p, ((1u32 << n) - 1) as __mmask16, self.0)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn add(self, o: Self) -> Self {
        Avx512(_mm512_add_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn sub(self, o: Self) -> Self {
        Avx512(_mm512_sub_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn mul(self, o: Self) -> Self {
        Avx512(_mm512_mul_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn div(self, o: Self) -> Self {
        Avx512(_mm512_div_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn sqrt(self) -> Self {
        Avx512(_mm512_sqrt_ps(self.0))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        Avx512(_mm512_fmadd_ps(self.0, b.0, c.0))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        Avx512(_mm512_mask_blend_ps(
            _mm512_cmp_ps_mask::<_CMP_LT_OQ>(a.0, b.0),
            f.0,
            t.0,
        ))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn select_le(a: Self, b: Self, t: Self, f: Self) -> Self {
        Avx512(_mm512_mask_blend_ps(
            _mm512_cmp_ps_mask::<_CMP_LE_OQ>(a.0, b.0),
            f.0,
            t.0,
        ))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn select_unordered(a: Self, b: Self, t: Self, f: Self) -> Self {
        Avx512(_mm512_mask_blend_ps(
            _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(a.0, b.0),
            f.0,
            t.0,
        ))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn max_raw(self, o: Self) -> Self {
        Avx512(_mm512_max_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn min_raw(self, o: Self) -> Self {
        Avx512(_mm512_min_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn round(self) -> Self {
        Avx512(_mm512_roundscale_ps::<
            { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
        >(self.0))
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn exp2_split(n: Self) -> (Self, Self) {
        let n = _mm512_cvtps_epi32(n.0);
        let n1 = _mm512_srai_epi32::<1>(n);
        let n2 = _mm512_sub_epi32(n, n1);
        let bias = _mm512_set1_epi32(127);
        let p1 = _mm512_slli_epi32::<23>(_mm512_add_epi32(n1, bias));
        let p2 = _mm512_slli_epi32::<23>(_mm512_add_epi32(n2, bias));
        (
            Avx512(_mm512_castsi512_ps(p1)),
            Avx512(_mm512_castsi512_ps(p2)),
        )
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
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn prefetch(p: *const f32) {
        _mm_prefetch(p as *const i8, _MM_HINT_T0)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn prefetch_l2(p: *const f32) {
        _mm_prefetch(p as *const i8, _MM_HINT_T1)
    }
    /// 16 partials as two 8-lane f64 registers.
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn sum_f64(x: &[f32]) -> f64 {
        let blocks = x.len() / 16;
        let p = x.as_ptr();
        let (mut lo, mut hi) = (_mm512_setzero_pd(), _mm512_setzero_pd());
        for b in 0..blocks {
            let q = p.add(b * 16);
            lo = _mm512_add_pd(lo, _mm512_cvtps_pd(_mm256_loadu_ps(q)));
            hi = _mm512_add_pd(hi, _mm512_cvtps_pd(_mm256_loadu_ps(q.add(8))));
        }
        // Fold p[j] + p[j + 8], then + 4, + 2, + 1, exactly as `scalar::fold16`.
        let s8 = _mm512_add_pd(lo, hi);
        let s4 = _mm256_add_pd(_mm512_castpd512_pd256(s8), _mm512_extractf64x4_pd::<1>(s8));
        let s2 = _mm_add_pd(_mm256_castpd256_pd128(s4), _mm256_extractf128_pd::<1>(s4));
        let mut total = _mm_cvtsd_f64(s2) + _mm_cvtsd_f64(_mm_unpackhi_pd(s2, s2));
        for &v in &x[blocks * 16..] {
            total += v as f64;
        }
        total
    }
}
