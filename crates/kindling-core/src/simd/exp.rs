//! Vectorised `exp` (Cephes' `expf` polynomial) and `sigmoid` built on it. Within 2 ulps of the
//! platform `expf` on the whole range, including subnormal results, ±inf and NaN (tested in
//! `elementwise::tests`).
use super::Vf32;

const LOG2E: f32 = std::f32::consts::LOG2_E;
/// ln 2 split in a part exact in few bits and a correction (Cephes), so `x − n·ln2` loses nothing.
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// Below this exp underflows to 0, above it overflows to inf; clamping keeps `n` in [-159, 128].
const X_MIN: f32 = -110.0;
const X_MAX: f32 = 89.0;

#[inline(always)]
pub(crate) unsafe fn exp<V: Vf32>(x: V) -> V {
    let xc = x.max_raw(V::splat(X_MIN)).min_raw(V::splat(X_MAX));
    let n = xc.mul(V::splat(LOG2E)).round();
    let r = n.mul_add(V::splat(-LN2_HI), xc);
    let r = n.mul_add(V::splat(-LN2_LO), r);
    // e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2.
    let mut p = V::splat(1.987_569_1e-4);
    p = p.mul_add(r, V::splat(1.398_199_9e-3));
    p = p.mul_add(r, V::splat(8.333_452e-3));
    p = p.mul_add(r, V::splat(4.166_579_6e-2));
    p = p.mul_add(r, V::splat(1.666_666_5e-1));
    p = p.mul_add(r, V::splat(0.5));
    let e = p.mul(r.mul(r)).add(r).add(V::splat(1.0));
    // Scale by 2^n in two steps so subnormal results and 2^128 stay representable on the way.
    let (s1, s2) = V::exp2_split(n);
    let y = e.mul(s1).mul(s2);
    V::select_unordered(x, x, x, y)
}

/// `1 / (1 + exp(−x))`, as PyTorch's CPU kernel.
#[inline(always)]
pub(crate) unsafe fn sigmoid<V: Vf32>(x: V) -> V {
    let one = V::splat(1.0);
    one.div(one.add(exp(V::splat(0.0).sub(x))))
}
