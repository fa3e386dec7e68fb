//! The fused `Dropout → ReLU` epilogue of a Linear block (in place) and its backward.
use crate::buffers::F32Out;
use kindling_core::dropout_relu;
use napi::Env;
use napi_derive::napi;

/// `buf = relu(dropout(buf, p))` in place (either stage optional); returns the counters consumed.
#[napi(catch_unwind)]
pub fn dropout_relu_inplace(
    env: Env,
    #[napi(ts_arg_type = "Float32Array")] buf: F32Out<'_>,
    p: f64,
    seed: f64,
    offset: f64,
    relu: bool,
) -> napi::Result<f64> {
    crate::error::convert(
        &env,
        dropout_relu::dropout_relu_inplace(buf, p, seed, offset, relu).map(|n| n as f64),
    )
}

/// The gradient of the epilogue's input from the gradient of its output `out`.
#[allow(clippy::too_many_arguments)]
#[napi(catch_unwind)]
pub fn dropout_relu_backward(
    env: Env,
    grad_out: &[f32],
    out: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad_in: F32Out<'_>,
    p: f64,
    seed: f64,
    offset: f64,
    relu: bool,
) -> napi::Result<f64> {
    crate::error::convert(
        &env,
        dropout_relu::dropout_relu_backward(grad_out, out, grad_in, p, seed, offset, relu)
            .map(|n| n as f64),
    )
}
