//! The standard normal CDF Φ(x) and density in f32 lanes, for exact GELU (`x·Φ(x)`) and its
//! backward (`Φ(x) + x·φ(x)`). Written once over `Vf32`, so the scalar path (the reference) and
//! every SIMD path give the same bits; within a few ulps of the f64 formulas (tested in
//! `elementwise::activation_tests`). GELU was a quarter of a small GPT's step while it called a
//! scalar f64 erf per element (docs/PERFORMANCE.md, NOTE [ GELU's normal CDF ]).
//!
//! With z = x/√2 (rounded as PyTorch's `x * M_SQRT1_2`) and a = |z|:
//! - a < 0.5: Φ = ½(1 + erf z), erf z = z·P(z²);
//! - a ≥ 0.5: erfc a = t·Q(t)·e^(−x²/2), t = 1/(1 + a/2), and Φ = ½erfc a for x < 0, 1 − ½erfc a
//!   above, so the left tail keeps its relative precision down to the subnormals.
//!
//! P and Q are least-squares fits (scripts/gelu_fit.py: 3.8e-11 and 1.5e-10 relative in f64).
use super::{exp, Vf32};

const SQRT1_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// Where the series hands over to the erfc form: erf(0.5) = 0.52, so `1 − erf` loses < 1 bit.
const SMALL: f32 = 0.5;
/// |x| beyond which Φ is 0 or 1 and φ is 0 in f32 (e^−128 underflows): the fits and the exact
/// split of x²/2 run on the clamped value, so ±inf never meets `inf − inf`.
const X_LIMIT: f32 = 16.0;
/// The fit's range ends at a = 10.5, where e^−a² is already below f32's smallest subnormal.
const A_LIMIT: f32 = 10.5;

/// erf(a)/a in s = a², a < 0.5 (a fit: the first coefficient is 2/√π only to 7 digits).
#[allow(clippy::approx_constant)]
const ERF_SMALL: [f32; 6] = [
    1.128_379_2,
    -0.376_126_38,
    0.112_837_78,
    -0.026_863_554,
    0.005_202_473,
    -0.000_773_024_5,
];

/// erfc(a)·e^(a²)/t in t = 1/(1 + a/2), 0.5 ≤ a ≤ 10.5.
const ERFC_LARGE: [f32; 11] = [
    0.282_096_3,
    0.282_043_93,
    0.247_589_72,
    0.169_737_95,
    0.120_676_22,
    -0.144_882_6,
    0.309_117_1,
    -0.692_908_6,
    0.694_110_75,
    -0.330_697_4,
    0.063_121_64,
];

#[inline(always)]
unsafe fn horner<V: Vf32, const N: usize>(c: &[f32; N], u: V) -> V {
    let mut p = V::splat(c[N - 1]);
    for &k in c[..N - 1].iter().rev() {
        p = p.mul_add(u, V::splat(k));
    }
    p
}

/// `(Φ(x), e^(−x²/2))` per lane; NaN lanes give NaN in both.
#[inline(always)]
pub(crate) unsafe fn normal_cdf_and_gaussian<V: Vf32>(x: V) -> (V, V) {
    let half = V::splat(0.5);
    let one = V::splat(1.0);
    let xc = x.max_raw(V::splat(-X_LIMIT)).min_raw(V::splat(X_LIMIT));
    // e^(−x²/2) with x²/2 split exactly into hi + lo: e^(−hi)·(1 − lo).
    let hx = xc.mul(half);
    let hi = hx.mul(xc);
    let lo = hx.mul_add(xc, V::zero().sub(hi));
    let e = exp(V::zero().sub(hi));
    let gaussian = V::zero().sub(lo).mul_add(e, e);

    let z = xc.mul(V::splat(SQRT1_2));
    let a = z.max_raw(V::zero().sub(z));
    // Series side: Φ = ½ + ½·z·P(z²).
    let p = horner(&ERF_SMALL, z.mul(z));
    let cdf_small = z.mul(p).mul_add(half, half);
    // Tail side: ½erfc(a), then reflected for x > 0.
    let ac = a.min_raw(V::splat(A_LIMIT));
    let t = one.div(ac.mul_add(half, one));
    let half_erfc = t.mul(horner(&ERFC_LARGE, t)).mul(gaussian).mul(half);
    let cdf_tail = V::select_lt(xc, V::zero(), half_erfc, one.sub(half_erfc));
    let cdf = V::select_lt(a, V::splat(SMALL), cdf_small, cdf_tail);
    (
        V::select_unordered(x, x, x, cdf),
        V::select_unordered(x, x, x, gaussian),
    )
}

/// `F.gelu(x)` (exact): `x·Φ(x)`.
#[inline(always)]
pub(crate) unsafe fn gelu<V: Vf32>(x: V) -> V {
    x.mul(normal_cdf_and_gaussian(x).0)
}

/// `1/√(2π)`, the density's constant.
const INV_SQRT_2PI: f32 = 0.398_942_3;

/// The exact GELU's derivative `Φ(x) + x·φ(x)` from `normal_cdf_and_gaussian(x)`.
#[inline(always)]
unsafe fn gelu_derivative<V: Vf32>(x: V, cdf: V, gaussian: V) -> V {
    x.mul(gaussian.mul(V::splat(INV_SQRT_2PI))).add(cdf)
}

/// The exact GELU's backward: `g·(Φ(x) + x·φ(x))`.
#[inline(always)]
pub(crate) unsafe fn gelu_backward<V: Vf32>(g: V, x: V) -> V {
    let (cdf, gaussian) = normal_cdf_and_gaussian(x);
    g.mul(gelu_derivative(x, cdf, gaussian))
}

/// `(gelu(x), Φ(x) + x·φ(x))` from one evaluation of Φ: `gelu_backward(g, x)` is
/// `g·derivative` bit for bit, so a forward that keeps the derivative saves its backward the CDF.
#[inline(always)]
pub(crate) unsafe fn gelu_and_derivative<V: Vf32>(x: V) -> (V, V) {
    let (cdf, gaussian) = normal_cdf_and_gaussian(x);
    (x.mul(cdf), gelu_derivative(x, cdf, gaussian))
}
