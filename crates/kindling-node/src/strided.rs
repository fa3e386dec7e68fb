//! Strided bindings: `stridedCopy`, `stridedAdd` and `sumToShape`.
use napi::{Env, Result};
use napi_derive::napi;

use crate::buffers::F32Out;

/// `out[i…] = x[Σ i_d·strides_d]` over the row-major `shape`.
#[napi(catch_unwind)]
pub fn strided_copy(
    env: Env,
    x: &[f32],
    shape: &[u32],
    strides: &[u32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
) -> Result<()> {
    crate::error::convert(
        &env,
        kindling_core::strided::strided_copy(x, shape, strides, out),
    )
}

/// `dst[Σ i_d·strides_d] += src[i…]` over the row-major `shape`.
#[napi(catch_unwind)]
pub fn strided_add(
    env: Env,
    src: &[f32],
    shape: &[u32],
    strides: &[u32],
    #[napi(ts_arg_type = "Float32Array")] dst: F32Out<'_>,
) -> Result<()> {
    crate::error::convert(
        &env,
        kindling_core::strided::strided_add(src, shape, strides, dst),
    )
}

/// Sums a broadcast gradient of `gradShape` back to `outShape` (same rank, 1 where broadcast).
#[napi(catch_unwind)]
pub fn sum_to_shape(
    env: Env,
    grad: &[f32],
    grad_shape: &[u32],
    out_shape: &[u32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
) -> Result<()> {
    crate::error::convert(
        &env,
        kindling_core::strided::sum_to_shape(grad, grad_shape, out_shape, out),
    )
}
