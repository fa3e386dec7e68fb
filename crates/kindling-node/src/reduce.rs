//! Reduction bindings over an `(outer, dim, inner)` view: `reduce` and `reduceArg`.
use napi::{Env, Result};
use napi_derive::napi;

use crate::buffers::{F32Out, I32Out};

/// `out[o, i] = op_d x[o, d, i]` (op: `ReduceOp`).
#[napi(catch_unwind)]
pub fn reduce(
    env: Env,
    op: u32,
    x: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
) -> Result<()> {
    crate::error::convert(
        &env,
        kindling_core::reduce::reduce(op, x, outer, dim, inner, out),
    )
}

/// Max (op 0) or min (op 1) over `dim` with the first index of the extreme (NaN counts as extreme).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn reduce_arg(
    env: Env,
    op: u32,
    x: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    #[napi(ts_arg_type = "Float32Array")] values: F32Out<'_>,
    #[napi(ts_arg_type = "Int32Array")] indices: I32Out<'_>,
) -> Result<()> {
    crate::error::convert(
        &env,
        kindling_core::reduce::reduce_arg(op, x, outer, dim, inner, values, indices),
    )
}
