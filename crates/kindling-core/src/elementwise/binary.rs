//! `binary(op, a, b, out)` and `binaryScalar(op, a, s, out, reverse)`.
use super::{kernels, CHUNK};
use crate::codes::BinaryOp;
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelResult};
use crate::threads;

/// `out[i] = a[i] op b[i]` for buffers of the same length.
pub fn binary(op: u32, a: &[f32], b: &[f32], out: &mut [f32]) -> KernelResult {
    binary_with(cpu::active(), op, a, b, out)
}

pub(crate) fn binary_with(
    simd: Simd,
    op: u32,
    a: &[f32],
    b: &[f32],
    out: &mut [f32],
) -> KernelResult {
    const OP: &str = "binary";
    let op = BinaryOp::from_code(OP, op)?;
    check_len(OP, "b", b.len(), a.len(), "same length as a")?;
    check_len(OP, "out", out.len(), a.len(), "same length as a")?;
    let work = out.len() * kernels::binary_cost(op);
    threads::par_chunks_mut(out, CHUNK, work, |start, out| {
        let end = start + out.len();
        kernels::binary(simd, op, &a[start..end], &b[start..end], out);
    });
    Ok(())
}

/// `out[i] = a[i] op s`, or `s op a[i]` when `reverse` (`torch.rsub`, `2 ** x`, …).
pub fn binary_scalar(op: u32, a: &[f32], s: f32, out: &mut [f32], reverse: bool) -> KernelResult {
    binary_scalar_with(cpu::active(), op, a, s, out, reverse)
}

pub(crate) fn binary_scalar_with(
    simd: Simd,
    op: u32,
    a: &[f32],
    s: f32,
    out: &mut [f32],
    reverse: bool,
) -> KernelResult {
    const OP: &str = "binaryScalar";
    let op = BinaryOp::from_code(OP, op)?;
    check_len(OP, "out", out.len(), a.len(), "same length as a")?;
    let work = out.len() * kernels::binary_cost(op);
    threads::par_chunks_mut(out, CHUNK, work, |start, out| {
        let end = start + out.len();
        kernels::binary_scalar(simd, op, &a[start..end], s, out, reverse);
    });
    Ok(())
}
