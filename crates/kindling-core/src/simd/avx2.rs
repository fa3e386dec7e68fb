//! `Vf32` on x86-64 AVX2 + FMA: 8 lanes. Runs only inside `kernel!`'s `avx2,fma` entry (or the
//! AVX-512 one, which includes both).
use super::Vf32;
use std::arch::x86_64::*;

#[derive(Clone, Copy)]
pub(crate) struct Avx2(pub(super) __m256);

impl Vf32 for Avx2 {
    const LANES: usize = 8;
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn zero() -> Self {
        Avx2(_mm256_setzero_ps())
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn splat(v: f32) -> Self {
        Avx2(_mm256_set1_ps(v))
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
    unsafe fn add(self, o: Self) -> Self {
        Avx2(_mm256_add_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn sub(self, o: Self) -> Self {
        Avx2(_mm256_sub_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn mul(self, o: Self) -> Self {
        Avx2(_mm256_mul_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn div(self, o: Self) -> Self {
        Avx2(_mm256_div_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn sqrt(self) -> Self {
        Avx2(_mm256_sqrt_ps(self.0))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        Avx2(_mm256_fmadd_ps(self.0, b.0, c.0))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        Avx2(_mm256_blendv_ps(
            f.0,
            t.0,
            _mm256_cmp_ps::<_CMP_LT_OQ>(a.0, b.0),
        ))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn select_le(a: Self, b: Self, t: Self, f: Self) -> Self {
        Avx2(_mm256_blendv_ps(
            f.0,
            t.0,
            _mm256_cmp_ps::<_CMP_LE_OQ>(a.0, b.0),
        ))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn select_unordered(a: Self, b: Self, t: Self, f: Self) -> Self {
        Avx2(_mm256_blendv_ps(
            f.0,
            t.0,
            _mm256_cmp_ps::<_CMP_UNORD_Q>(a.0, b.0),
        ))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn max_raw(self, o: Self) -> Self {
        Avx2(_mm256_max_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn min_raw(self, o: Self) -> Self {
        Avx2(_mm256_min_ps(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn round(self) -> Self {
        Avx2(_mm256_round_ps::<
            { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
        >(self.0))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn exp2_split(n: Self) -> (Self, Self) {
        let n = _mm256_cvtps_epi32(n.0);
        let n1 = _mm256_srai_epi32::<1>(n);
        let n2 = _mm256_sub_epi32(n, n1);
        let bias = _mm256_set1_epi32(127);
        let p1 = _mm256_slli_epi32::<23>(_mm256_add_epi32(n1, bias));
        let p2 = _mm256_slli_epi32::<23>(_mm256_add_epi32(n2, bias));
        (Avx2(_mm256_castsi256_ps(p1)), Avx2(_mm256_castsi256_ps(p2)))
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
    /// 16 partials as four 4-lane f64 registers.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn sum_f64(x: &[f32]) -> f64 {
        let blocks = x.len() / 16;
        let p = x.as_ptr();
        let (mut a0, mut a1, mut a2, mut a3) = (
            _mm256_setzero_pd(),
            _mm256_setzero_pd(),
            _mm256_setzero_pd(),
            _mm256_setzero_pd(),
        );
        for b in 0..blocks {
            let q = p.add(b * 16);
            a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm_loadu_ps(q)));
            a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm_loadu_ps(q.add(4))));
            a2 = _mm256_add_pd(a2, _mm256_cvtps_pd(_mm_loadu_ps(q.add(8))));
            a3 = _mm256_add_pd(a3, _mm256_cvtps_pd(_mm_loadu_ps(q.add(12))));
        }
        // Fold p[j] + p[j + 8], then + 4, + 2, + 1, exactly as `scalar::fold16`.
        let s = _mm256_add_pd(_mm256_add_pd(a0, a2), _mm256_add_pd(a1, a3));
        let s = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd::<1>(s));
        let mut total = _mm_cvtsd_f64(s) + _mm_cvtsd_f64(_mm_unpackhi_pd(s, s));
        for &v in &x[blocks * 16..] {
            total += v as f64;
        }
        total
    }
}

/// Lane mask with the first `n` of 8 lanes set.
#[inline(always)]
unsafe fn mask8(n: usize) -> __m256i {
    const ONES_THEN_ZEROS: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];
    _mm256_loadu_si256(ONES_THEN_ZEROS.as_ptr().add(8 - n) as *const __m256i)
}
