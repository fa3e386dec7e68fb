//! Loops shared by the row kernels: map a vector op over buffers with a scalar tail, and the
//! NaN-propagating max, exp-sum and scaling passes of softmax and the losses.
use super::{exp, Vf32};

/// `torch.maximum` on vectors: same result as `math::maximum` lane by lane.
#[inline(always)]
pub(crate) unsafe fn maximum<V: Vf32>(a: V, b: V) -> V {
    let m = V::select_lt(a, b, b, a);
    V::select_unordered(a, b, V::splat(f32::NAN), m)
}

/// `torch.minimum` on vectors: same result as `math::minimum` lane by lane.
#[inline(always)]
pub(crate) unsafe fn minimum<V: Vf32>(a: V, b: V) -> V {
    let m = V::select_lt(b, a, b, a);
    V::select_unordered(a, b, V::splat(f32::NAN), m)
}

/// Applies `vf` to full vectors and `sf` to the tail, reading `a` and `b` and writing `out`.
#[inline(always)]
pub(crate) unsafe fn map2<V: Vf32>(
    a: &[f32],
    b: &[f32],
    out: &mut [f32],
    vf: impl Fn(V, V) -> V,
    sf: impl Fn(f32, f32) -> f32,
) {
    let n = out.len().min(a.len()).min(b.len());
    let full = n - n % V::LANES;
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    let mut i = 0;
    while i < full {
        vf(V::load(pa.add(i)), V::load(pb.add(i))).store(po.add(i));
        i += V::LANES;
    }
    for j in full..n {
        out[j] = sf(a[j], b[j]);
    }
}

/// Applies `vf` to full vectors and `sf` to the tail, reading `x` and writing `out`.
#[inline(always)]
pub(crate) unsafe fn map1<V: Vf32>(
    x: &[f32],
    out: &mut [f32],
    vf: impl Fn(V) -> V,
    sf: impl Fn(f32) -> f32,
) {
    let n = out.len().min(x.len());
    let full = n - n % V::LANES;
    let (px, po) = (x.as_ptr(), out.as_mut_ptr());
    let mut i = 0;
    while i < full {
        vf(V::load(px.add(i))).store(po.add(i));
        i += V::LANES;
    }
    for j in full..n {
        out[j] = sf(x[j]);
    }
}

/// Max of a row with NaN propagation (the value `math::maximum` folds to).
#[inline(always)]
pub(crate) unsafe fn row_max<V: Vf32>(x: &[f32]) -> f32 {
    let n = x.len();
    let full = n - n % V::LANES;
    let mut m = f32::NEG_INFINITY;
    if full > 0 {
        let mut acc = V::load(x.as_ptr());
        let mut i = V::LANES;
        while i < full {
            acc = maximum(acc, V::load(x.as_ptr().add(i)));
            i += V::LANES;
        }
        m = acc.to_array()[..V::LANES]
            .iter()
            .fold(m, |m, &v| crate::elementwise::math::maximum(m, v));
    }
    x[full..]
        .iter()
        .fold(m, |m, &v| crate::elementwise::math::maximum(m, v))
}

/// `Σ exp(x_j − shift)` accumulated in f32 lanes (f64 across lanes), writing each `exp` into
/// `out` when given (same length as `x`).
#[inline(always)]
pub(crate) unsafe fn sum_exp<V: Vf32>(x: &[f32], shift: f32, mut out: Option<&mut [f32]>) -> f32 {
    let n = x.len();
    let full = n - n % V::LANES;
    let s = V::splat(shift);
    let (mut acc0, mut acc1) = (V::splat(0.0), V::splat(0.0));
    let mut i = 0;
    while i < full {
        let e = exp(V::load(x.as_ptr().add(i)).sub(s));
        if let Some(out) = out.as_deref_mut() {
            e.store(out.as_mut_ptr().add(i));
        }
        // Two accumulators halve the add latency chain; they alternate by vector.
        if (i / V::LANES) % 2 == 0 {
            acc0 = acc0.add(e);
        } else {
            acc1 = acc1.add(e);
        }
        i += V::LANES;
    }
    let lanes = acc0.add(acc1).to_array();
    let mut total: f64 = lanes[..V::LANES].iter().map(|&v| v as f64).sum();
    for j in full..n {
        let e = (x[j] - shift).exp();
        if let Some(out) = out.as_deref_mut() {
            out[j] = e;
        }
        total += e as f64;
    }
    total as f32
}

/// `out[i] *= s`.
#[inline(always)]
pub(crate) unsafe fn scale_in_place<V: Vf32>(out: &mut [f32], s: f32) {
    let n = out.len();
    let full = n - n % V::LANES;
    let (v, p) = (V::splat(s), out.as_mut_ptr());
    let mut i = 0;
    while i < full {
        V::load(p.add(i)).mul(v).store(p.add(i));
        i += V::LANES;
    }
    for o in &mut out[full..] {
        *o *= s;
    }
}
