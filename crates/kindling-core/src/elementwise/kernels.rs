//! Slice kernels behind the public entry points: one call per chunk, dispatched on the SIMD path.
//! The `*_reference` loops are the scalar path and the definition of the results: arithmetic ops
//! (add … minimum, neg, sqrt, relu, scale and the backward formulas) give identical bits on every
//! path; `exp` and `sigmoid` use a vectorised `exp` within 2 ulps of the scalar one; the remaining
//! ops (pow, log, tanh, abs, sin, cos and the activations but leaky_relu and hardtanh) run the scalar loops
//! on every path.
use super::math;
use crate::codes::{BinaryOp, UnaryOp};
use crate::simd::{self, map1, map2, Vf32};

/// Rough cost of one element in "adds", for the threading threshold.
pub fn binary_cost(op: BinaryOp) -> usize {
    match op {
        BinaryOp::Pow => 16,
        BinaryOp::Div => 2,
        _ => 1,
    }
}

pub fn unary_cost(op: UnaryOp) -> usize {
    match op {
        UnaryOp::Neg | UnaryOp::Relu | UnaryOp::Abs | UnaryOp::Scale => 1,
        UnaryOp::LeakyRelu | UnaryOp::Hardtanh => 1,
        UnaryOp::Sqrt => 2,
        UnaryOp::Erf => 32,
        UnaryOp::Sin | UnaryOp::Cos => 16,
        _ => 8,
    }
}

/// Applies `f` elementwise; monomorphised per op so the loop has no branch on the op.
#[inline(always)]
fn each2(a: &[f32], b: &[f32], out: &mut [f32], f: impl Fn(f32, f32) -> f32) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = f(x, y);
    }
}

#[inline(always)]
fn each1(x: &[f32], out: &mut [f32], f: impl Fn(f32) -> f32) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = f(v);
    }
}

pub fn binary_reference(op: BinaryOp, a: &[f32], b: &[f32], out: &mut [f32]) {
    match op {
        BinaryOp::Add => each2(a, b, out, |x, y| x + y),
        BinaryOp::Sub => each2(a, b, out, |x, y| x - y),
        BinaryOp::Mul => each2(a, b, out, |x, y| x * y),
        BinaryOp::Div => each2(a, b, out, |x, y| x / y),
        BinaryOp::Pow => each2(a, b, out, f32::powf),
        BinaryOp::Maximum => each2(a, b, out, math::maximum),
        BinaryOp::Minimum => each2(a, b, out, math::minimum),
    }
}

#[inline(always)]
unsafe fn binary_vector<V: Vf32>(op: BinaryOp, a: &[f32], b: &[f32], out: &mut [f32]) {
    match op {
        BinaryOp::Add => map2::<V>(a, b, out, |x, y| x.add(y), |x, y| x + y),
        BinaryOp::Sub => map2::<V>(a, b, out, |x, y| x.sub(y), |x, y| x - y),
        BinaryOp::Mul => map2::<V>(a, b, out, |x, y| x.mul(y), |x, y| x * y),
        BinaryOp::Div => map2::<V>(a, b, out, |x, y| x.div(y), |x, y| x / y),
        BinaryOp::Maximum => map2::<V>(a, b, out, |x, y| simd::maximum(x, y), math::maximum),
        BinaryOp::Minimum => map2::<V>(a, b, out, |x, y| simd::minimum(x, y), math::minimum),
        BinaryOp::Pow => binary_reference(op, a, b, out),
    }
}

simd::kernel! {
    /// `out = a op b` on one chunk.
    pub(crate) fn binary(op: BinaryOp, a: &[f32], b: &[f32], out: &mut [f32]) {
        vector: binary_vector::<V>(op, a, b, out),
        scalar: binary_reference(op, a, b, out),
    }
}

pub fn binary_scalar_reference(op: BinaryOp, a: &[f32], s: f32, out: &mut [f32], reverse: bool) {
    match (op, reverse) {
        (BinaryOp::Add, _) => each1(a, out, |x| x + s),
        (BinaryOp::Mul, _) => each1(a, out, |x| x * s),
        (BinaryOp::Sub, false) => each1(a, out, |x| x - s),
        (BinaryOp::Sub, true) => each1(a, out, |x| s - x),
        (BinaryOp::Div, false) => each1(a, out, |x| x / s),
        // `s / tensor` is `Tensor.__rtruediv__`: `reciprocal(tensor) * s` in PyTorch.
        (BinaryOp::Div, true) => each1(a, out, |x| (1.0 / x) * s),
        // tensor ** scalar takes PyTorch's special-cased exponents; scalar ** tensor is plain pow.
        (BinaryOp::Pow, false) => each1(a, out, |x| math::pow_scalar_exponent(x, s)),
        (BinaryOp::Pow, true) => each1(a, out, |x| s.powf(x)),
        (BinaryOp::Maximum, false) => each1(a, out, |x| math::maximum(x, s)),
        (BinaryOp::Maximum, true) => each1(a, out, |x| math::maximum(s, x)),
        (BinaryOp::Minimum, false) => each1(a, out, |x| math::minimum(x, s)),
        (BinaryOp::Minimum, true) => each1(a, out, |x| math::minimum(s, x)),
    }
}

#[inline(always)]
unsafe fn binary_scalar_vector<V: Vf32>(
    op: BinaryOp,
    a: &[f32],
    s: f32,
    out: &mut [f32],
    reverse: bool,
) {
    let v = V::splat(s);
    match (op, reverse) {
        (BinaryOp::Add, _) => map1::<V>(a, out, |x| x.add(v), |x| x + s),
        (BinaryOp::Mul, _) => map1::<V>(a, out, |x| x.mul(v), |x| x * s),
        (BinaryOp::Sub, false) => map1::<V>(a, out, |x| x.sub(v), |x| x - s),
        (BinaryOp::Sub, true) => map1::<V>(a, out, |x| v.sub(x), |x| s - x),
        (BinaryOp::Div, false) => map1::<V>(a, out, |x| x.div(v), |x| x / s),
        (BinaryOp::Div, true) => {
            map1::<V>(a, out, |x| V::splat(1.0).div(x).mul(v), |x| (1.0 / x) * s)
        }
        (BinaryOp::Maximum, false) => {
            map1::<V>(a, out, |x| simd::maximum(x, v), |x| math::maximum(x, s))
        }
        (BinaryOp::Maximum, true) => {
            map1::<V>(a, out, |x| simd::maximum(v, x), |x| math::maximum(s, x))
        }
        (BinaryOp::Minimum, false) => {
            map1::<V>(a, out, |x| simd::minimum(x, v), |x| math::minimum(x, s))
        }
        (BinaryOp::Minimum, true) => {
            map1::<V>(a, out, |x| simd::minimum(v, x), |x| math::minimum(s, x))
        }
        (BinaryOp::Pow, _) => binary_scalar_reference(op, a, s, out, reverse),
    }
}

simd::kernel! {
    /// `out = a op s` (or `s op a` when `reverse`) on one chunk.
    pub(crate) fn binary_scalar(op: BinaryOp, a: &[f32], s: f32, out: &mut [f32], reverse: bool) {
        vector: binary_scalar_vector::<V>(op, a, s, out, reverse),
        scalar: binary_scalar_reference(op, a, s, out, reverse),
    }
}

pub fn unary_reference(op: UnaryOp, x: &[f32], out: &mut [f32], param: f32, param2: f32) {
    match op {
        UnaryOp::Neg => each1(x, out, |v| -v),
        UnaryOp::Exp => each1(x, out, f32::exp),
        UnaryOp::Log => each1(x, out, f32::ln),
        UnaryOp::Sqrt => each1(x, out, f32::sqrt),
        UnaryOp::Pow => each1(x, out, |v| math::pow_scalar_exponent(v, param)),
        UnaryOp::Relu => each1(x, out, math::relu),
        UnaryOp::Sigmoid => each1(x, out, math::sigmoid),
        UnaryOp::Tanh => each1(x, out, f32::tanh),
        UnaryOp::Abs => each1(x, out, f32::abs),
        UnaryOp::Scale => each1(x, out, |v| v * param),
        UnaryOp::Erf => each1(x, out, math::erf),
        UnaryOp::LeakyRelu => each1(x, out, |v| math::leaky_relu(v, param)),
        UnaryOp::Elu => each1(x, out, |v| math::elu(v, param)),
        UnaryOp::Silu => each1(x, out, math::silu),
        UnaryOp::Gelu => each1(x, out, math::gelu),
        UnaryOp::GeluTanh => each1(x, out, math::gelu_tanh),
        UnaryOp::Hardtanh => each1(x, out, |v| math::hardtanh(v, param, param2)),
        UnaryOp::Softplus => each1(x, out, |v| math::softplus(v, param, param2)),
        UnaryOp::Sin => each1(x, out, f32::sin),
        UnaryOp::Cos => each1(x, out, f32::cos),
    }
}

#[inline(always)]
unsafe fn unary_vector<V: Vf32>(op: UnaryOp, x: &[f32], out: &mut [f32], param: f32, param2: f32) {
    let zero = V::splat(0.0);
    match op {
        UnaryOp::Neg => map1::<V>(x, out, |v| v.mul(V::splat(-1.0)), |v| -v),
        UnaryOp::Exp => map1::<V>(x, out, |v| simd::exp(v), f32::exp),
        UnaryOp::Sqrt => map1::<V>(x, out, |v| v.sqrt(), f32::sqrt),
        UnaryOp::Relu => map1::<V>(x, out, |v| V::select_lt(v, zero, zero, v), math::relu),
        UnaryOp::Sigmoid => map1::<V>(x, out, |v| simd::sigmoid(v), math::sigmoid),
        UnaryOp::Scale => map1::<V>(x, out, |v| v.mul(V::splat(param)), |v| v * param),
        // 0 < x ? x : x·slope (NaN takes the second arm, as the scalar formula).
        UnaryOp::LeakyRelu => map1::<V>(
            x,
            out,
            |v| V::select_lt(zero, v, v, v.mul(V::splat(param))),
            |v| math::leaky_relu(v, param),
        ),
        // clamp: the NaN-propagating maximum/minimum, as the scalar formula.
        UnaryOp::Hardtanh => map1::<V>(
            x,
            out,
            |v| simd::minimum(simd::maximum(v, V::splat(param)), V::splat(param2)),
            |v| math::hardtanh(v, param, param2),
        ),
        UnaryOp::Gelu => map1::<V>(x, out, |v| simd::gelu(v), math::gelu),
        UnaryOp::Log
        | UnaryOp::Pow
        | UnaryOp::Tanh
        | UnaryOp::Abs
        | UnaryOp::Erf
        | UnaryOp::Elu
        | UnaryOp::Silu
        | UnaryOp::GeluTanh
        | UnaryOp::Softplus
        | UnaryOp::Sin
        | UnaryOp::Cos => unary_reference(op, x, out, param, param2),
    }
}

simd::kernel! {
    /// `out = op(x)` on one chunk.
    pub(crate) fn unary(op: UnaryOp, x: &[f32], out: &mut [f32], param: f32, param2: f32) {
        vector: unary_vector::<V>(op, x, out, param, param2),
        scalar: unary_reference(op, x, out, param, param2),
    }
}

/// `x` or `y` may be empty when the op's formula does not read it.
pub fn unary_backward_reference(
    op: UnaryOp,
    g: &[f32],
    x: &[f32],
    y: &[f32],
    grad_in: &mut [f32],
    param: f32,
    param2: f32,
) {
    match math::backward_needs(op) {
        math::Needs::Nothing => each1(g, grad_in, |gv| {
            math::unary_backward(op, gv, 0.0, 0.0, param, param2)
        }),
        math::Needs::Input => each2(g, x, grad_in, |gv, xv| {
            math::unary_backward(op, gv, xv, 0.0, param, param2)
        }),
        math::Needs::Output => each2(g, y, grad_in, |gv, yv| {
            math::unary_backward(op, gv, 0.0, yv, param, param2)
        }),
    }
}

#[inline(always)]
unsafe fn unary_backward_vector<V: Vf32>(
    op: UnaryOp,
    g: &[f32],
    x: &[f32],
    y: &[f32],
    grad_in: &mut [f32],
    param: f32,
    param2: f32,
) {
    let (zero, one) = (V::splat(0.0), V::splat(1.0));
    let backward = |gv: f32, xv: f32, yv: f32| math::unary_backward(op, gv, xv, yv, param, param2);
    match op {
        UnaryOp::Neg => map1::<V>(g, grad_in, |gv| gv.mul(V::splat(-1.0)), |gv| -gv),
        UnaryOp::Scale => map1::<V>(g, grad_in, |gv| gv.mul(V::splat(param)), |gv| gv * param),
        UnaryOp::Exp => map2::<V>(
            g,
            y,
            grad_in,
            |gv, yv| gv.mul(yv),
            |gv, yv| backward(gv, 0.0, yv),
        ),
        UnaryOp::Log => map2::<V>(
            g,
            x,
            grad_in,
            |gv, xv| gv.div(xv),
            |gv, xv| backward(gv, xv, 0.0),
        ),
        UnaryOp::Sqrt => map2::<V>(
            g,
            y,
            grad_in,
            |gv, yv| gv.div(V::splat(2.0).mul(yv)),
            |gv, yv| backward(gv, 0.0, yv),
        ),
        UnaryOp::Relu => map2::<V>(
            g,
            y,
            grad_in,
            |gv, yv| V::select_le(yv, zero, zero, gv),
            |gv, yv| backward(gv, 0.0, yv),
        ),
        UnaryOp::Sigmoid => map2::<V>(
            g,
            y,
            grad_in,
            |gv, yv| gv.mul(one.sub(yv)).mul(yv),
            |gv, yv| backward(gv, 0.0, yv),
        ),
        UnaryOp::Tanh => map2::<V>(
            g,
            y,
            grad_in,
            |gv, yv| gv.mul(V::splat(0.0).sub(yv).mul_add(yv, one)),
            |gv, yv| backward(gv, 0.0, yv),
        ),
        UnaryOp::LeakyRelu => map2::<V>(
            g,
            x,
            grad_in,
            |gv, xv| V::select_lt(zero, xv, gv, gv.mul(V::splat(param))),
            |gv, xv| backward(gv, xv, 0.0),
        ),
        // 0 at and beyond the bounds; NaN fails both tests and passes g, as the scalar formula.
        UnaryOp::Hardtanh => map2::<V>(
            g,
            x,
            grad_in,
            |gv, xv| {
                let inside = V::select_le(V::splat(param2), xv, zero, gv);
                V::select_le(xv, V::splat(param), zero, inside)
            },
            |gv, xv| backward(gv, xv, 0.0),
        ),
        UnaryOp::Gelu => map2::<V>(
            g,
            x,
            grad_in,
            |gv, xv| simd::gelu_backward(gv, xv),
            |gv, xv| backward(gv, xv, 0.0),
        ),
        UnaryOp::Pow
        | UnaryOp::Abs
        | UnaryOp::Erf
        | UnaryOp::Elu
        | UnaryOp::Silu
        | UnaryOp::GeluTanh
        | UnaryOp::Softplus
        | UnaryOp::Sin
        | UnaryOp::Cos => unary_backward_reference(op, g, x, y, grad_in, param, param2),
    }
}

simd::kernel! {
    /// `gradIn = gradOut · op'(…)` on one chunk.
    pub(crate) fn unary_backward(op: UnaryOp, g: &[f32], x: &[f32], y: &[f32], grad_in: &mut [f32], param: f32, param2: f32) {
        vector: unary_backward_vector::<V>(op, g, x, y, grad_in, param, param2),
        scalar: unary_backward_reference(op, g, x, y, grad_in, param, param2),
    }
}

/// `out = gelu(x)` and `deriv = Φ(x) + x·φ(x)` on one chunk (the tail through partial vectors,
/// so every element takes the same formula).
#[inline(always)]
unsafe fn gelu_with_derivative_vector<V: Vf32>(x: &[f32], out: &mut [f32], deriv: &mut [f32]) {
    let n = x.len().min(out.len()).min(deriv.len());
    let (px, po, pd) = (x.as_ptr(), out.as_mut_ptr(), deriv.as_mut_ptr());
    let mut i = 0;
    while i + V::LANES <= n {
        let (y, d) = simd::gelu_and_derivative(V::load(px.add(i)));
        y.store(po.add(i));
        d.store(pd.add(i));
        i += V::LANES;
    }
    if i < n {
        let (y, d) = simd::gelu_and_derivative(V::load_partial(px.add(i), n - i));
        y.store_partial(po.add(i), n - i);
        d.store_partial(pd.add(i), n - i);
    }
}

simd::kernel! {
    /// Exact GELU and its derivative on one chunk.
    pub(crate) fn gelu_with_derivative(x: &[f32], out: &mut [f32], deriv: &mut [f32]) {
        vector: gelu_with_derivative_vector::<V>(x, out, deriv),
    }
}

/// `grad = grad · factor` on one chunk.
#[inline(always)]
unsafe fn mul_inplace_vector<V: Vf32>(grad: &mut [f32], factor: &[f32]) {
    let n = grad.len().min(factor.len());
    let (pg, pf) = (grad.as_mut_ptr(), factor.as_ptr());
    let mut i = 0;
    while i + V::LANES <= n {
        V::load(pg.add(i)).mul(V::load(pf.add(i))).store(pg.add(i));
        i += V::LANES;
    }
    for j in i..n {
        grad[j] *= factor[j];
    }
}

simd::kernel! {
    /// `grad *= factor` elementwise on one chunk.
    pub(crate) fn mul_inplace(grad: &mut [f32], factor: &[f32]) {
        vector: mul_inplace_vector::<V>(grad, factor),
    }
}
