//! Softmax bindings: `softmax` (or log-softmax) and its backward over an `(outer, dim, inner)` view.
use napi::{Env, Result};
use napi_derive::napi;

use crate::buffers::F32Out;

/// `out = softmax(x)` along `dim`, or `log_softmax` when `log`.
#[napi(catch_unwind)]
pub fn softmax(
    env: Env,
    x: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    log: bool,
) -> Result<()> {
    crate::error::convert(
        &env,
        kindling_core::softmax::softmax(x, outer, dim, inner, out, log),
    )
}

/// The gradient of `softmax`/`logSoftmax` from its output `y`.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn softmax_backward(
    env: Env,
    grad_out: &[f32],
    y: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    #[napi(ts_arg_type = "Float32Array")] grad_in: F32Out<'_>,
    log: bool,
) -> Result<()> {
    crate::error::convert(
        &env,
        kindling_core::softmax::softmax_backward(grad_out, y, outer, dim, inner, grad_in, log),
    )
}
