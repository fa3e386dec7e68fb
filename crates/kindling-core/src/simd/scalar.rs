//! `Vf32` with one lane: the scalar path of a kernel written only once, generically (`kernel!`
//! without a `scalar:` body). Each operation is the IEEE operation the vector lanes perform, so a
//! generic kernel gives the same bits on every path wherever its lanes do not interact.
use super::Vf32;

#[derive(Clone, Copy)]
pub(crate) struct Scalar(f32);

impl Vf32 for Scalar {
    const LANES: usize = 1;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Scalar(0.0)
    }
    #[inline(always)]
    unsafe fn splat(v: f32) -> Self {
        Scalar(v)
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        Scalar(*p)
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        *p = self.0
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const f32, n: usize) -> Self {
        Scalar(if n > 0 { *p } else { 0.0 })
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut f32, n: usize) {
        if n > 0 {
            *p = self.0
        }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        Scalar(self.0 + o.0)
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        Scalar(self.0 - o.0)
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        Scalar(self.0 * o.0)
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        Scalar(self.0 / o.0)
    }
    #[inline(always)]
    unsafe fn sqrt(self) -> Self {
        Scalar(self.0.sqrt())
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        Scalar(self.0.mul_add(b.0, c.0))
    }
    #[inline(always)]
    unsafe fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        if a.0 < b.0 {
            t
        } else {
            f
        }
    }
    #[inline(always)]
    unsafe fn select_le(a: Self, b: Self, t: Self, f: Self) -> Self {
        if a.0 <= b.0 {
            t
        } else {
            f
        }
    }
    #[inline(always)]
    unsafe fn select_unordered(a: Self, b: Self, t: Self, f: Self) -> Self {
        if a.0.is_nan() || b.0.is_nan() {
            t
        } else {
            f
        }
    }
    /// As `maxps`: the second operand when the comparison is false (either is NaN).
    #[inline(always)]
    unsafe fn max_raw(self, o: Self) -> Self {
        if self.0 > o.0 {
            self
        } else {
            o
        }
    }
    /// As `minps`: the second operand when the comparison is false (either is NaN).
    #[inline(always)]
    unsafe fn min_raw(self, o: Self) -> Self {
        if self.0 < o.0 {
            self
        } else {
            o
        }
    }
    #[inline(always)]
    unsafe fn round(self) -> Self {
        Scalar(self.0.round_ties_even())
    }
    #[inline(always)]
    unsafe fn exp2_split(n: Self) -> (Self, Self) {
        let n = n.0 as i32;
        let n1 = n >> 1;
        let n2 = n - n1;
        let pow2 = |e: i32| f32::from_bits(((e + 127) as u32) << 23);
        (Scalar(pow2(n1)), Scalar(pow2(n2)))
    }
    #[inline(always)]
    unsafe fn hsum4(a: Self, b: Self, c: Self, d: Self) -> [f32; 4] {
        [a.0, b.0, c.0, d.0]
    }
    #[inline(always)]
    unsafe fn sum_f64(x: &[f32]) -> f64 {
        sum_f64(x)
    }
}

/// Partials of the fixed-order f64 sum (`Vf32::sum_f64`).
const SUM_PARTIALS: usize = 16;

/// The fixed-order f64 sum of `x`, the reference every path's `Vf32::sum_f64` equals bit for bit:
/// element `i` of each full block of 16 goes to partial `i % 16`, the partials are folded by
/// `fold16`, then the tail (< 16 elements) is added in order.
pub(crate) fn sum_f64(x: &[f32]) -> f64 {
    let blocks = x.len() / SUM_PARTIALS;
    let mut p = [0f64; SUM_PARTIALS];
    for block in x[..blocks * SUM_PARTIALS].chunks_exact(SUM_PARTIALS) {
        for (acc, &v) in p.iter_mut().zip(block) {
            *acc += v as f64;
        }
    }
    let mut total = fold16(p);
    for &v in &x[blocks * SUM_PARTIALS..] {
        total += v as f64;
    }
    total
}

/// Folds the 16 partial sums pairwise (`p[j] + p[j + 8]`, then `+ 4`, `+ 2`, `+ 1`): the order
/// the vector paths use.
#[inline(always)]
fn fold16(mut p: [f64; SUM_PARTIALS]) -> f64 {
    let mut half = SUM_PARTIALS / 2;
    while half >= 1 {
        for j in 0..half {
            p[j] += p[j + half];
        }
        half /= 2;
    }
    p[0]
}
