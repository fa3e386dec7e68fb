//! `Vf32` on aarch64 Advanced SIMD: 4 lanes. Runs only inside `kernel!`'s `neon` entry.
use super::Vf32;
use std::arch::aarch64::*;

#[derive(Clone, Copy)]
pub(crate) struct Neon(float32x4_t);

impl Vf32 for Neon {
    const LANES: usize = 4;
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn zero() -> Self {
        Neon(vdupq_n_f32(0.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn splat(v: f32) -> Self {
        Neon(vdupq_n_f32(v))
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
    unsafe fn add(self, o: Self) -> Self {
        Neon(vaddq_f32(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn sub(self, o: Self) -> Self {
        Neon(vsubq_f32(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn mul(self, o: Self) -> Self {
        Neon(vmulq_f32(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn div(self, o: Self) -> Self {
        Neon(vdivq_f32(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn sqrt(self) -> Self {
        Neon(vsqrtq_f32(self.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        Neon(vfmaq_f32(c.0, self.0, b.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        Neon(vbslq_f32(vcltq_f32(a.0, b.0), t.0, f.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn select_le(a: Self, b: Self, t: Self, f: Self) -> Self {
        Neon(vbslq_f32(vcleq_f32(a.0, b.0), t.0, f.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn select_unordered(a: Self, b: Self, t: Self, f: Self) -> Self {
        let ordered = vandq_u32(vceqq_f32(a.0, a.0), vceqq_f32(b.0, b.0));
        Neon(vbslq_f32(ordered, f.0, t.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn max_raw(self, o: Self) -> Self {
        Neon(vmaxq_f32(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn min_raw(self, o: Self) -> Self {
        Neon(vminq_f32(self.0, o.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn round(self) -> Self {
        Neon(vrndnq_f32(self.0))
    }
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn exp2_split(n: Self) -> (Self, Self) {
        let n = vcvtq_s32_f32(n.0);
        let n1 = vshrq_n_s32::<1>(n);
        let n2 = vsubq_s32(n, n1);
        let bias = vdupq_n_s32(127);
        let p1 = vshlq_n_s32::<23>(vaddq_s32(n1, bias));
        let p2 = vshlq_n_s32::<23>(vaddq_s32(n2, bias));
        (
            Neon(vreinterpretq_f32_s32(p1)),
            Neon(vreinterpretq_f32_s32(p2)),
        )
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
    /// 16 partials as eight 2-lane f64 registers.
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn sum_f64(x: &[f32]) -> f64 {
        let blocks = x.len() / 16;
        let p = x.as_ptr();
        let mut acc = [vdupq_n_f64(0.0); 8];
        for b in 0..blocks {
            let q = p.add(b * 16);
            for k in 0..4 {
                let v = vld1q_f32(q.add(4 * k));
                acc[2 * k] = vaddq_f64(acc[2 * k], vcvt_f64_f32(vget_low_f32(v)));
                acc[2 * k + 1] = vaddq_f64(acc[2 * k + 1], vcvt_high_f64_f32(v));
            }
        }
        // acc[k] holds partials 2k, 2k+1: fold + 8 (k + 4), + 4 (k + 2), + 2 (k + 1), + 1 (lanes).
        let s4: [float64x2_t; 4] = std::array::from_fn(|k| vaddq_f64(acc[k], acc[k + 4]));
        let s2 = [vaddq_f64(s4[0], s4[2]), vaddq_f64(s4[1], s4[3])];
        let s1 = vaddq_f64(s2[0], s2[1]);
        let mut total = vgetq_lane_f64::<0>(s1) + vgetq_lane_f64::<1>(s1);
        for &v in &x[blocks * 16..] {
            total += v as f64;
        }
        total
    }
}
