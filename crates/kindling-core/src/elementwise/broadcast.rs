//! `binaryBroadcast(op, a, aStrides, b, bStrides, outShape, out)`: a binary op where each input is
//! read through its own strides over the output's shape (0 where it is broadcast). Runs of the
//! innermost dimension that are contiguous or constant go to the same SIMD kernels as `binary`
//! and `binaryScalar`.
use super::{kernels, CHUNK};
use crate::codes::BinaryOp;
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelResult};
use crate::strided::{check_strided, for_each_run, numel};
use crate::threads;

#[allow(clippy::too_many_arguments)]
pub fn binary_broadcast(
    op: u32,
    a: &[f32],
    a_strides: &[u32],
    b: &[f32],
    b_strides: &[u32],
    out_shape: &[u32],
    out: &mut [f32],
) -> KernelResult {
    binary_broadcast_with(
        cpu::active(),
        op,
        a,
        a_strides,
        b,
        b_strides,
        out_shape,
        out,
    )
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn binary_broadcast_with(
    simd: Simd,
    op: u32,
    a: &[f32],
    a_strides: &[u32],
    b: &[f32],
    b_strides: &[u32],
    out_shape: &[u32],
    out: &mut [f32],
) -> KernelResult {
    const OP: &str = "binaryBroadcast";
    let op = BinaryOp::from_code(OP, op)?;
    let total = numel(OP, "outShape", out_shape)?;
    check_len(
        OP,
        "out",
        out.len(),
        total,
        &format!("outShape {out_shape:?}"),
    )?;
    check_strided(OP, "a", a.len(), out_shape, a_strides)?;
    check_strided(OP, "b", b.len(), out_shape, b_strides)?;
    let work = total * kernels::binary_cost(op);
    threads::par_chunks_mut(out, CHUNK, work, |start, out| {
        for_each_run(
            out_shape,
            [a_strides, b_strides],
            start,
            start + out.len(),
            |run| {
                let dst = &mut out[run.out_start - start..run.out_start - start + run.len];
                let [oa, ob] = run.offsets;
                let n = run.len;
                match run.steps {
                    [1, 1] => kernels::binary(simd, op, &a[oa..oa + n], &b[ob..ob + n], dst),
                    // Tensor ** broadcast tensor is plain `pow`, not the scalar-exponent special cases.
                    [1, 0] if op != BinaryOp::Pow => {
                        kernels::binary_scalar(simd, op, &a[oa..oa + n], b[ob], dst, false)
                    }
                    // Broadcast tensor / tensor is plain division, not `binaryScalar`'s reversed
                    // `reciprocal(x) * s` (PyTorch's `s / tensor`).
                    [0, 1] if op != BinaryOp::Div => {
                        kernels::binary_scalar(simd, op, &b[ob..ob + n], a[oa], dst, true)
                    }
                    [sa, sb] => {
                        for (j, o) in dst.iter_mut().enumerate() {
                            *o = super::math::binary(op, a[oa + j * sa], b[ob + j * sb]);
                        }
                    }
                }
            },
        );
    });
    Ok(())
}
