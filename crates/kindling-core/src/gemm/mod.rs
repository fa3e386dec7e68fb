//! Single-precision GEMM, row-major: `C = alpha·op(A)·op(B) + beta·C (+ bias row)`.
//!
//! `op(A)` is m×k (stored k×m when `trans_a`), `op(B)` is k×n (stored n×k when `trans_b`), C is m×n.
//! As in BLAS, `beta == 0` means C is not read (NaN in C is ignored) and `alpha == 0` means A and B
//! are not read. The three products of a linear layer all map onto one call:
//! forward `x·Wᵀ + b` (`trans_b`), `dW = dYᵀ·x` (`trans_a`), `dX = dY·W` (no transposes).
//!
//! The public entry validates, then dispatches on `cpu::active()`; the kernels take the `Simd` path
//! as an argument so tests can compare every path the CPU has against the scalar reference.
pub mod reference;

use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};

const OP: &str = "sgemm";

/// A validated GEMM problem: sizes, scalars and the borrowed inputs.
#[derive(Clone, Copy)]
pub struct Gemm<'a> {
    pub trans_a: bool,
    pub trans_b: bool,
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub alpha: f32,
    pub a: &'a [f32],
    pub b: &'a [f32],
    pub beta: f32,
    pub bias: Option<&'a [f32]>,
}

impl Gemm<'_> {
    /// `op(A)[i][p]`.
    #[inline(always)]
    pub fn a_at(&self, i: usize, p: usize) -> f32 {
        if self.trans_a {
            self.a[p * self.m + i]
        } else {
            self.a[i * self.k + p]
        }
    }

    /// `op(B)[p][j]`.
    #[inline(always)]
    pub fn b_at(&self, p: usize, j: usize) -> f32 {
        if self.trans_b {
            self.b[j * self.k + p]
        } else {
            self.b[p * self.n + j]
        }
    }

    /// `alpha·acc + beta·c + bias[j]`, never reading `c` when `beta == 0`.
    #[inline(always)]
    pub fn epilogue(&self, acc: f32, c: f32, j: usize) -> f32 {
        let mut v = self.alpha * acc;
        if self.beta != 0.0 {
            v += self.beta * c;
        }
        if let Some(bias) = self.bias {
            v += bias[j];
        }
        v
    }
}

fn elements(rows: usize, cols: usize, what: &str) -> KernelResult<usize> {
    rows.checked_mul(cols).ok_or_else(|| {
        KernelError::shape(OP, format!("{what} is too large ({rows}×{cols} elements)"))
    })
}

/// `C = alpha·op(A)·op(B) + beta·C (+ bias)`, on the SIMD path chosen at start-up
/// (`KINDLING_SIMD` forces one). Returns a length error naming the buffer, its length, the
/// expected length and the sizes it was derived from; NaN `alpha`/`beta` is a value error.
#[allow(clippy::too_many_arguments)]
pub fn sgemm(
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
    bias: Option<&[f32]>,
) -> KernelResult {
    sgemm_with(
        cpu::active(),
        trans_a,
        trans_b,
        m,
        n,
        k,
        alpha,
        a,
        b,
        beta,
        c,
        bias,
    )
}

/// [`sgemm`] on an explicit SIMD path (which must be available on this CPU; an unavailable one
/// falls back to scalar).
#[allow(clippy::too_many_arguments)]
pub fn sgemm_with(
    simd: Simd,
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
    bias: Option<&[f32]>,
) -> KernelResult {
    if alpha.is_nan() {
        return Err(KernelError::value(OP, "alpha must not be NaN"));
    }
    if beta.is_nan() {
        return Err(KernelError::value(OP, "beta must not be NaN"));
    }
    let a_len = elements(m, k, "op(A)")?;
    let b_len = elements(k, n, "op(B)")?;
    let c_len = elements(m, n, "C")?;
    check_len(
        OP,
        "a",
        a.len(),
        a_len,
        &format!("m={m}, k={k}, transA={trans_a}"),
    )?;
    check_len(
        OP,
        "b",
        b.len(),
        b_len,
        &format!("k={k}, n={n}, transB={trans_b}"),
    )?;
    check_len(OP, "c", c.len(), c_len, &format!("m={m}, n={n}"))?;
    if let Some(bias) = bias {
        check_len(OP, "bias", bias.len(), n, &format!("n={n}"))?;
    }
    let g = Gemm {
        trans_a,
        trans_b,
        m,
        n,
        k,
        alpha,
        a,
        b,
        beta,
        bias,
    };
    run(simd, &g, c);
    Ok(())
}

/// Dispatches a validated problem.
fn run(simd: Simd, g: &Gemm<'_>, c: &mut [f32]) {
    if g.m == 0 || g.n == 0 {
        return;
    }
    let _ = simd;
    reference::sgemm(g, c);
}

#[cfg(test)]
mod tests;
