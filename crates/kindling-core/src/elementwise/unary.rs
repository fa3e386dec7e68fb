//! `unary(op, x, out, param, param2)` and `unaryBackward(op, gradOut, x, y, gradIn, param, param2)`.
use super::math::{backward_needs, Needs};
use super::{kernels, CHUNK};
use crate::codes::UnaryOp;
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};
use crate::threads;

/// `out[i] = op(x[i])`; `param` is the exponent of `Pow`, the factor of `Scale`, and with `param2`
/// the activations' arguments (see `UnaryOp`); ops that take fewer ignore the rest.
pub fn unary(op: u32, x: &[f32], out: &mut [f32], param: f32, param2: f32) -> KernelResult {
    unary_with(cpu::active(), op, x, out, param, param2)
}

pub(crate) fn unary_with(
    simd: Simd,
    op: u32,
    x: &[f32],
    out: &mut [f32],
    param: f32,
    param2: f32,
) -> KernelResult {
    const OP: &str = "unary";
    let op = UnaryOp::from_code(OP, op)?;
    check_len(OP, "out", out.len(), x.len(), "same length as x")?;
    let work = out.len() * kernels::unary_cost(op);
    threads::par_chunks_mut(out, CHUNK, work, |start, out| {
        let end = start + out.len();
        kernels::unary(simd, op, &x[start..end], out, param, param2);
    });
    Ok(())
}

/// `gradIn[i] = gradOut[i] · op'(x[i])`, with `x` the op's input and `y` its output. Each formula
/// reads one of them (see `math::backward_needs`: exp, sqrt, relu, sigmoid, tanh read `y`; log,
/// pow, abs and the activations read `x`; neg and scale neither); the buffer not read may be empty.
pub fn unary_backward(
    op: u32,
    grad_out: &[f32],
    x: &[f32],
    y: &[f32],
    grad_in: &mut [f32],
    param: f32,
    param2: f32,
) -> KernelResult {
    unary_backward_with(cpu::active(), op, grad_out, x, y, grad_in, param, param2)
}

#[allow(clippy::too_many_arguments)] // the public signature's seven, plus the SIMD path
pub(crate) fn unary_backward_with(
    simd: Simd,
    op: u32,
    grad_out: &[f32],
    x: &[f32],
    y: &[f32],
    grad_in: &mut [f32],
    param: f32,
    param2: f32,
) -> KernelResult {
    const OP: &str = "unaryBackward";
    let op = UnaryOp::from_code(OP, op)?;
    let n = grad_out.len();
    check_len(OP, "gradIn", grad_in.len(), n, "same length as gradOut")?;
    check_backward_inputs(OP, op, n, x, y)?;
    let work = n * kernels::unary_cost(op);
    threads::par_chunks_mut(grad_in, CHUNK, work, |start, grad_in| {
        let end = start + grad_in.len();
        let (x, y) = (part(x, start, end), part(y, start, end));
        kernels::unary_backward(
            simd,
            op,
            &grad_out[start..end],
            x,
            y,
            grad_in,
            param,
            param2,
        );
    });
    Ok(())
}

/// Floats of gradient copied aside at a time by [`unary_backward_inplace`] (a stack block that
/// stays in L1).
const INPLACE_BLOCK: usize = 1024;

/// `grad[i] = grad[i] · op'(x[i])` in place: [`unary_backward`] writing over `gradOut`, with the
/// same bits, for a gradient buffer nobody else holds (the caller's rule). Each block of the
/// gradient is copied to the stack and the out-of-place kernel writes back over it.
pub fn unary_backward_inplace(
    op: u32,
    grad: &mut [f32],
    x: &[f32],
    y: &[f32],
    param: f32,
    param2: f32,
) -> KernelResult {
    unary_backward_inplace_with(cpu::active(), op, grad, x, y, param, param2)
}

pub(crate) fn unary_backward_inplace_with(
    simd: Simd,
    op: u32,
    grad: &mut [f32],
    x: &[f32],
    y: &[f32],
    param: f32,
    param2: f32,
) -> KernelResult {
    const OP: &str = "unaryBackwardInplace";
    let op = UnaryOp::from_code(OP, op)?;
    let n = grad.len();
    check_backward_inputs(OP, op, n, x, y)?;
    let work = n * kernels::unary_cost(op);
    threads::par_chunks_mut(grad, CHUNK, work, |start, chunk| {
        let mut tmp = [0f32; INPLACE_BLOCK];
        for (b, block) in chunk.chunks_mut(INPLACE_BLOCK).enumerate() {
            let first = start + b * INPLACE_BLOCK;
            let end = first + block.len();
            let g = &mut tmp[..block.len()];
            g.copy_from_slice(block);
            let (x, y) = (part(x, first, end), part(y, first, end));
            kernels::unary_backward(simd, op, g, x, y, block, param, param2);
        }
    });
    Ok(())
}

/// The length checks of `x` and `y` for a backward of `n` elements: the one the formula reads
/// must have `n`, the other `n` or 0.
fn check_backward_inputs(
    op_name: &'static str,
    op: UnaryOp,
    n: usize,
    x: &[f32],
    y: &[f32],
) -> KernelResult {
    let needs = backward_needs(op);
    for (name, buf, needed) in [
        ("x", x, needs == Needs::Input),
        ("y", y, needs == Needs::Output),
    ] {
        if needed {
            check_len(
                op_name,
                name,
                buf.len(),
                n,
                &format!("{} backward reads it", op.name()),
            )?;
        } else if !buf.is_empty() && buf.len() != n {
            return Err(KernelError::length(
                op_name,
                format!(
                    "{name} has {} elements, expected {n} or 0 (same length as gradOut)",
                    buf.len()
                ),
            ));
        }
    }
    Ok(())
}

/// `buf[start..end]`, or the empty buffer the caller passed for an input the formula does not read.
fn part(buf: &[f32], start: usize, end: usize) -> &[f32] {
    if buf.is_empty() {
        buf
    } else {
        &buf[start..end]
    }
}

/// Exact GELU with its derivative: `out[i] = gelu(x[i])` (the bits of `unary`'s `Gelu`) and
/// `deriv[i] = Φ(x[i]) + x[i]·φ(x[i])`, so that `gradOut · deriv` is `unaryBackward`'s `Gelu`
/// bit for bit (one evaluation of Φ for forward and backward).
pub fn gelu_with_derivative(x: &[f32], out: &mut [f32], deriv: &mut [f32]) -> KernelResult {
    gelu_with_derivative_with(cpu::active(), x, out, deriv)
}

pub(crate) fn gelu_with_derivative_with(
    simd: Simd,
    x: &[f32],
    out: &mut [f32],
    deriv: &mut [f32],
) -> KernelResult {
    const OP: &str = "geluWithDerivative";
    check_len(OP, "out", out.len(), x.len(), "same length as x")?;
    check_len(OP, "deriv", deriv.len(), x.len(), "same length as x")?;
    let work = out.len() * kernels::unary_cost(UnaryOp::Gelu);
    let deriv = threads::SharedSlice::new(deriv);
    threads::par_chunks_mut(out, CHUNK, work, |start, out| {
        let end = start + out.len();
        // SAFETY: each chunk's range of `deriv` is the range of its own chunk of `out`.
        let deriv = unsafe { deriv.part(start, out.len()) };
        kernels::gelu_with_derivative(simd, &x[start..end], out, deriv);
    });
    Ok(())
}

/// `grad[i] *= factor[i]` (a backward's gradient times a derivative its forward kept).
pub fn mul_inplace(grad: &mut [f32], factor: &[f32]) -> KernelResult {
    mul_inplace_with(cpu::active(), grad, factor)
}

pub(crate) fn mul_inplace_with(simd: Simd, grad: &mut [f32], factor: &[f32]) -> KernelResult {
    const OP: &str = "mulInplace";
    check_len(
        OP,
        "factor",
        factor.len(),
        grad.len(),
        "same length as grad",
    )?;
    let work = grad.len();
    threads::par_chunks_mut(grad, CHUNK, work, |start, grad| {
        let end = start + grad.len();
        kernels::mul_inplace(simd, grad, &factor[start..end]);
    });
    Ok(())
}
