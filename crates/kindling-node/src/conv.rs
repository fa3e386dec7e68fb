//! Convolution bindings: forward, grad input and grad weight (+ bias) of a 2-D convolution over
//! `[N, C, H, W]` buffers. `options` packs `Conv2dOptions` (kindling_core::conv).
use kindling_core::conv::{self, Conv2dOptions};
use kindling_core::options::Packed;
use napi::{Env, Result};
use napi_derive::napi;

use crate::buffers::F32Out;

/// `out = conv2d(x, weight) (+ bias)`.
#[napi(catch_unwind, js_name = "conv2d")]
pub fn conv2d(
    env: Env,
    x: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = Conv2dOptions::unpack(options).and_then(|o| conv::conv2d(x, weight, bias, out, &o));
    crate::error::convert(&env, result)
}

/// The gradient of a convolution with respect to its input (overwritten).
#[napi(catch_unwind, js_name = "conv2dBackwardInput")]
pub fn conv2d_backward_input(
    env: Env,
    grad_out: &[f32],
    weight: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad_in: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = Conv2dOptions::unpack(options)
        .and_then(|o| conv::conv2d_backward_input(grad_out, weight, grad_in, &o));
    crate::error::convert(&env, result)
}

/// The gradients of a convolution's weight and, when `gradBias` is given, its bias (overwritten).
#[napi(catch_unwind, js_name = "conv2dBackwardWeight")]
pub fn conv2d_backward_weight(
    env: Env,
    grad_out: &[f32],
    x: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad_weight: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array | null | undefined")] grad_bias: Option<F32Out<'_>>,
    options: &[f64],
) -> Result<()> {
    let result = Conv2dOptions::unpack(options)
        .and_then(|o| conv::conv2d_backward_weight(grad_out, x, grad_weight, grad_bias, &o));
    crate::error::convert(&env, result)
}
