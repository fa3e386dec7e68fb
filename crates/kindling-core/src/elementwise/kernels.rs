//! Slice kernels behind the public entry points: one call per chunk, dispatched on the SIMD path.
//! Every path must agree with the scalar loops here (exactly for arithmetic; within a few ulps for
//! the transcendental functions).
use super::math;
use crate::codes::{BinaryOp, UnaryOp};
use crate::cpu::Simd;

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
        UnaryOp::Sqrt => 2,
        _ => 8,
    }
}

/// Applies `f` elementwise; monomorphised per op so the loop has no branch on the op.
#[inline(always)]
fn map2(a: &[f32], b: &[f32], out: &mut [f32], f: impl Fn(f32, f32) -> f32) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = f(x, y);
    }
}

#[inline(always)]
fn map1(x: &[f32], out: &mut [f32], f: impl Fn(f32) -> f32) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = f(v);
    }
}

pub fn binary(simd: Simd, op: BinaryOp, a: &[f32], b: &[f32], out: &mut [f32]) {
    let _ = simd;
    binary_scalar_path(op, a, b, out)
}

pub fn binary_scalar_path(op: BinaryOp, a: &[f32], b: &[f32], out: &mut [f32]) {
    match op {
        BinaryOp::Add => map2(a, b, out, |x, y| x + y),
        BinaryOp::Sub => map2(a, b, out, |x, y| x - y),
        BinaryOp::Mul => map2(a, b, out, |x, y| x * y),
        BinaryOp::Div => map2(a, b, out, |x, y| x / y),
        BinaryOp::Pow => map2(a, b, out, f32::powf),
        BinaryOp::Maximum => map2(a, b, out, math::maximum),
        BinaryOp::Minimum => map2(a, b, out, math::minimum),
    }
}

pub fn binary_scalar(simd: Simd, op: BinaryOp, a: &[f32], s: f32, out: &mut [f32], reverse: bool) {
    let _ = simd;
    binary_scalar_scalar_path(op, a, s, out, reverse)
}

pub fn binary_scalar_scalar_path(op: BinaryOp, a: &[f32], s: f32, out: &mut [f32], reverse: bool) {
    match (op, reverse) {
        (BinaryOp::Add, _) => map1(a, out, |x| x + s),
        (BinaryOp::Mul, _) => map1(a, out, |x| x * s),
        (BinaryOp::Sub, false) => map1(a, out, |x| x - s),
        (BinaryOp::Sub, true) => map1(a, out, |x| s - x),
        (BinaryOp::Div, false) => map1(a, out, |x| x / s),
        (BinaryOp::Div, true) => map1(a, out, |x| s / x),
        // tensor ** scalar takes PyTorch's special-cased exponents; scalar ** tensor is plain pow.
        (BinaryOp::Pow, false) => map1(a, out, |x| math::pow_scalar_exponent(x, s)),
        (BinaryOp::Pow, true) => map1(a, out, |x| s.powf(x)),
        (BinaryOp::Maximum, false) => map1(a, out, |x| math::maximum(x, s)),
        (BinaryOp::Maximum, true) => map1(a, out, |x| math::maximum(s, x)),
        (BinaryOp::Minimum, false) => map1(a, out, |x| math::minimum(x, s)),
        (BinaryOp::Minimum, true) => map1(a, out, |x| math::minimum(s, x)),
    }
}

pub fn unary(simd: Simd, op: UnaryOp, x: &[f32], out: &mut [f32], param: f32) {
    let _ = simd;
    unary_scalar_path(op, x, out, param)
}

pub fn unary_scalar_path(op: UnaryOp, x: &[f32], out: &mut [f32], param: f32) {
    match op {
        UnaryOp::Neg => map1(x, out, |v| -v),
        UnaryOp::Exp => map1(x, out, f32::exp),
        UnaryOp::Log => map1(x, out, f32::ln),
        UnaryOp::Sqrt => map1(x, out, f32::sqrt),
        UnaryOp::Pow => map1(x, out, |v| math::pow_scalar_exponent(v, param)),
        UnaryOp::Relu => map1(x, out, math::relu),
        UnaryOp::Sigmoid => map1(x, out, math::sigmoid),
        UnaryOp::Tanh => map1(x, out, f32::tanh),
        UnaryOp::Abs => map1(x, out, f32::abs),
        UnaryOp::Scale => map1(x, out, |v| v * param),
    }
}

/// `x` or `y` may be empty when the op's formula does not read it.
pub fn unary_backward(
    simd: Simd,
    op: UnaryOp,
    g: &[f32],
    x: &[f32],
    y: &[f32],
    grad_in: &mut [f32],
    param: f32,
) {
    let _ = simd;
    unary_backward_scalar_path(op, g, x, y, grad_in, param)
}

pub fn unary_backward_scalar_path(
    op: UnaryOp,
    g: &[f32],
    x: &[f32],
    y: &[f32],
    grad_in: &mut [f32],
    param: f32,
) {
    match math::backward_needs(op) {
        math::Needs::Nothing => map1(g, grad_in, |gv| {
            math::unary_backward(op, gv, 0.0, 0.0, param)
        }),
        math::Needs::Input => map2(g, x, grad_in, |gv, xv| {
            math::unary_backward(op, gv, xv, 0.0, param)
        }),
        math::Needs::Output => map2(g, y, grad_in, |gv, yv| {
            math::unary_backward(op, gv, 0.0, yv, param)
        }),
    }
}
