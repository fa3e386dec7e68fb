//! The scalar formula of every elementwise op, one element at a time. This is the reference the
//! SIMD paths are tested against, and the tail loop of every SIMD path, so edge cases (NaN, ±0,
//! ±inf) are decided here once, following PyTorch's CPU kernels.
use crate::codes::{BinaryOp, UnaryOp};
use crate::simd::{self, Scalar, Vf32};

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

/// `torch.erf`, through the f64 series/continued-fraction in `erf.rs`, rounded once.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    super::erf::erf(x as f64) as f32
}

/// `F.leaky_relu`: `x > 0 ? x : x·slope` (NaN·slope stays NaN).
#[inline(always)]
pub fn leaky_relu(x: f32, slope: f32) -> f32 {
    if x > 0.0 {
        x
    } else {
        x * slope
    }
}

/// `F.elu` (scale = input_scale = 1): `x <= 0 ? alpha·expm1(x) : x`, as PyTorch's CPU kernel.
#[inline(always)]
pub fn elu(x: f32, alpha: f32) -> f32 {
    if x <= 0.0 {
        x.exp_m1() * alpha
    } else {
        x
    }
}

/// `F.silu`: `x / (1 + exp(−x))` (NaN at −inf, as PyTorch: −inf / inf).
#[inline(always)]
pub fn silu(x: f32) -> f32 {
    x / (1.0 + (-x).exp())
}

/// `√2 · 2/√π · 0.5 = √(2/π)` and 0.044715: the tanh approximation's constants.
const GELU_BETA: f32 = std::f32::consts::SQRT_2 * std::f32::consts::FRAC_2_SQRT_PI * 0.5;
const GELU_KAPPA: f32 = 0.044715;

/// `F.gelu(approximate='none')`: `x·Φ(x)`, Φ = `0.5·(1 + erf(x/√2))` as `simd::gelu` computes it
/// on every path (one definition, so the SIMD paths and this one give the same bits).
#[inline(always)]
pub fn gelu(x: f32) -> f32 {
    // SAFETY: the scalar type needs no CPU feature.
    unsafe { simd::gelu(Scalar::splat(x)).to_array()[0] }
}

/// `F.gelu(approximate='tanh')`: `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
#[inline(always)]
pub fn gelu_tanh(x: f32) -> f32 {
    let inner = GELU_BETA * (x + GELU_KAPPA * x * x * x);
    0.5 * x * (1.0 + inner.tanh())
}

/// `F.hardtanh` is `clamp(x, min, max)`: NaN propagates, −0 is kept inside the range.
#[inline(always)]
pub fn hardtanh(x: f32, min: f32, max: f32) -> f32 {
    minimum(maximum(x, min), max)
}

/// `F.softplus`: `x·beta > threshold ? x : log1p(exp(x·beta)) / beta`.
#[inline(always)]
pub fn softplus(x: f32, beta: f32, threshold: f32) -> f32 {
    if x * beta > threshold {
        x
    } else {
        (x * beta).exp().ln_1p() / beta
    }
}

/// `param` and `param2` are the op's scalar arguments (see `UnaryOp`); ops with fewer ignore the rest.
#[inline(always)]
pub fn unary(op: UnaryOp, x: f32, param: f32, param2: f32) -> f32 {
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
        UnaryOp::Erf => erf(x),
        UnaryOp::LeakyRelu => leaky_relu(x, param),
        UnaryOp::Elu => elu(x, param),
        UnaryOp::Silu => silu(x),
        UnaryOp::Gelu => gelu(x),
        UnaryOp::GeluTanh => gelu_tanh(x),
        UnaryOp::Hardtanh => hardtanh(x, param, param2),
        UnaryOp::Softplus => softplus(x, param, param2),
        UnaryOp::Sin => x.sin(),
        UnaryOp::Cos => x.cos(),
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
        UnaryOp::Log
        | UnaryOp::Pow
        | UnaryOp::Abs
        | UnaryOp::Erf
        | UnaryOp::LeakyRelu
        | UnaryOp::Elu
        | UnaryOp::Silu
        | UnaryOp::Gelu
        | UnaryOp::GeluTanh
        | UnaryOp::Hardtanh
        | UnaryOp::Softplus
        | UnaryOp::Sin
        | UnaryOp::Cos => Needs::Input,
    }
}

/// `d(op)/dx · g`, given the op's input `x` and output `y` (only the one `backward_needs` names is
/// meaningful; the other may be anything).
#[inline(always)]
pub fn unary_backward(op: UnaryOp, g: f32, x: f32, y: f32, param: f32, param2: f32) -> f32 {
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
        // erf: grad · 2/√π · exp(−x²).
        UnaryOp::Erf => g * (std::f32::consts::FRAC_2_SQRT_PI * (-(x * x)).exp()),
        // leaky_relu_backward: `x > 0 ? g : g·slope`.
        UnaryOp::LeakyRelu => {
            if x > 0.0 {
                g
            } else {
                g * param
            }
        }
        // elu_backward(is_result = false): `x <= 0 ? g·alpha·exp(x) : g`.
        UnaryOp::Elu => {
            if x <= 0.0 {
                g * param * x.exp()
            } else {
                g
            }
        }
        // silu_backward: `g · s · (1 + x·(1 − s))`, s = sigmoid(x).
        UnaryOp::Silu => {
            let s = sigmoid(x);
            g * s * (1.0 + x * (1.0 - s))
        }
        // gelu_backward: `g · (cdf + x·pdf)`.
        UnaryOp::Gelu => {
            // SAFETY: the scalar type needs no CPU feature.
            unsafe { simd::gelu_backward(Scalar::splat(g), Scalar::splat(x)).to_array()[0] }
        }
        // gelu_backward(approximate='tanh'), in PyTorch's order of operations.
        UnaryOp::GeluTanh => {
            let x_sq = x * x;
            let inner = GELU_BETA * (x + GELU_KAPPA * x_sq * x);
            let tanh_inner = inner.tanh();
            let left = 0.5 * x;
            let right = 1.0 + tanh_inner;
            let left_derivative = 0.5 * right;
            let right_derivative = 1.0 - tanh_inner * tanh_inner;
            let inner_derivative = GELU_BETA * (1.0 + 3.0 * GELU_KAPPA * x_sq);
            g * (left_derivative + left * right_derivative * inner_derivative)
        }
        // hardtanh_backward: zero at and beyond the bounds (NaN passes g through).
        UnaryOp::Hardtanh => {
            if x <= param || x >= param2 {
                0.0
            } else {
                g
            }
        }
        // softplus_backward: `x·beta > threshold ? g : g·z/(z + 1)`, z = exp(x·beta).
        UnaryOp::Softplus => {
            let z = (x * param).exp();
            if x * param > param2 {
                g
            } else {
                g * z / (z + 1.0)
            }
        }
        // derivatives.yaml: sin → `grad * self.cos()`, cos → `grad * -self.sin()`.
        UnaryOp::Sin => g * x.cos(),
        UnaryOp::Cos => g * -x.sin(),
    }
}
