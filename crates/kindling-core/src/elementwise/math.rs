//! The scalar formula of every elementwise op, one element at a time. This is the reference the
//! SIMD paths are tested against, and the tail loop of every SIMD path, so edge cases (NaN, ±0,
//! ±inf) are decided here once, following PyTorch's CPU kernels.
use crate::codes::{BinaryOp, UnaryOp};

/// `torch.maximum`: NaN in either operand propagates; otherwise `std::max` (first operand on ties).
#[inline(always)]
pub fn maximum(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if a < b {
        b
    } else {
        a
    }
}

/// `torch.minimum`: NaN in either operand propagates; otherwise `std::min` (first operand on ties).
#[inline(always)]
pub fn minimum(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if b < a {
        b
    } else {
        a
    }
}

#[inline(always)]
pub fn binary(op: BinaryOp, a: f32, b: f32) -> f32 {
    match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => a / b,
        BinaryOp::Pow => a.powf(b),
        BinaryOp::Maximum => maximum(a, b),
        BinaryOp::Minimum => minimum(a, b),
    }
}

/// `torch.pow(tensor, scalar)`: PyTorch routes a few exponents to exact or cheaper kernels
/// (`sqrt`, `rsqrt`, `reciprocal`, `x·x`, …), which differ from `powf` on ±0, ±inf and in rounding.
#[inline(always)]
pub fn pow_scalar_exponent(x: f32, p: f32) -> f32 {
    if p == 0.0 {
        1.0
    } else if p == 1.0 {
        x
    } else if p == 0.5 {
        x.sqrt()
    } else if p == -0.5 {
        1.0 / x.sqrt()
    } else if p == -1.0 {
        1.0 / x
    } else if p == 2.0 {
        x * x
    } else if p == 3.0 {
        x * x * x
    } else if p == -2.0 {
        1.0 / (x * x)
    } else {
        x.powf(p)
    }
}

/// `torch.relu`: negative → 0, keeps -0 and NaN (`clamp_min(x, 0)`).
#[inline(always)]
pub fn relu(x: f32) -> f32 {
    if x < 0.0 {
        0.0
    } else {
        x
    }
}

/// `torch.sigmoid` as PyTorch's CPU kernel computes it: `1 / (1 + exp(-x))`.
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[inline(always)]
pub fn unary(op: UnaryOp, x: f32, param: f32) -> f32 {
    match op {
        UnaryOp::Neg => -x,
        UnaryOp::Exp => x.exp(),
        UnaryOp::Log => x.ln(),
        UnaryOp::Sqrt => x.sqrt(),
        UnaryOp::Pow => pow_scalar_exponent(x, param),
        UnaryOp::Relu => relu(x),
        UnaryOp::Sigmoid => sigmoid(x),
        UnaryOp::Tanh => x.tanh(),
        UnaryOp::Abs => x.abs(),
        UnaryOp::Scale => x * param,
    }
}

/// `torch.sgn` for reals: ±1, and 0 for ±0 and NaN (so `abs`'s gradient at NaN is 0, as in PyTorch).
#[inline(always)]
pub fn sign(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Which saved buffer an op's backward formula reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    Input,
    Output,
}

/// The buffer `unary_backward` reads for `op`: PyTorch's derivative formulas (`derivatives.yaml`).
pub fn backward_needs(op: UnaryOp) -> Needs {
    match op {
        UnaryOp::Neg | UnaryOp::Scale => Needs::Nothing,
        UnaryOp::Exp | UnaryOp::Sqrt | UnaryOp::Relu | UnaryOp::Sigmoid | UnaryOp::Tanh => {
            Needs::Output
        }
        UnaryOp::Log | UnaryOp::Pow | UnaryOp::Abs => Needs::Input,
    }
}

/// `d(op)/dx · g`, given the op's input `x` and output `y` (only the one `backward_needs` names is
/// meaningful; the other may be anything).
#[inline(always)]
pub fn unary_backward(op: UnaryOp, g: f32, x: f32, y: f32, param: f32) -> f32 {
    match op {
        UnaryOp::Neg => -g,
        UnaryOp::Exp => g * y,
        UnaryOp::Log => g / x,
        UnaryOp::Sqrt => g / (2.0 * y),
        UnaryOp::Pow => {
            if param == 0.0 {
                0.0
            } else {
                g * (param * pow_scalar_exponent(x, param - 1.0))
            }
        }
        // threshold_backward(grad, result, 0): zero where the output is <= 0 (NaN passes g through).
        UnaryOp::Relu => {
            if y <= 0.0 {
                0.0
            } else {
                g
            }
        }
        // sigmoid_backward: grad * (1 - y) * y, in that order.
        UnaryOp::Sigmoid => g * (1.0 - y) * y,
        // tanh_backward: grad * (1 - y²), with 1 - y² fused as PyTorch's build computes it (GCC
        // contracts its vector `one - b * b` into an FMA); unfused, the cancellation near |y| = 1
        // costs up to 1e-4 relative.
        UnaryOp::Tanh => g * (-y).mul_add(y, 1.0),
        UnaryOp::Abs => g * sign(x),
        UnaryOp::Scale => g * param,
    }
}
