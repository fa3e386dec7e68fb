//! Batch-norm bindings: channel statistics, the normalization, and the backward's reduction and
//! input gradient over `[N, C, L]` buffers. `options` packs `BatchNormOptions` (n, c, l, train).
use kindling_core::batch_norm::{self, BatchNormOptions};
use kindling_core::options::Packed;
use napi::{Env, Result};
use napi_derive::napi;

use crate::buffers::F32Out;

/// `mean[c]` and biased `var[c]` of each channel.
#[napi(catch_unwind, js_name = "batchNormStats")]
pub fn batch_norm_stats(
    env: Env,
    x: &[f32],
    #[napi(ts_arg_type = "Float32Array")] mean: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] variance: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = BatchNormOptions::unpack(options).and_then(|o| batch_norm::batch_norm_stats(x, mean, variance, &o));
    crate::error::convert(&env, result)
}

/// `out = (x − mean)·invstd·weight + bias` per channel.
#[napi(catch_unwind, js_name = "batchNormApply")]
pub fn batch_norm_apply(
    env: Env,
    x: &[f32],
    mean: &[f32],
    invstd: &[f32],
    weight: Option<&[f32]>,
    bias: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = BatchNormOptions::unpack(options)
        .and_then(|o| batch_norm::batch_norm_apply(x, mean, invstd, weight, bias, out, &o));
    crate::error::convert(&env, result)
}

/// Per channel `sumDy` and `sumDyXhat` (the bias and weight gradients).
#[napi(catch_unwind, js_name = "batchNormBackwardReduce")]
pub fn batch_norm_backward_reduce(
    env: Env,
    grad_out: &[f32],
    x: &[f32],
    mean: &[f32],
    invstd: &[f32],
    #[napi(ts_arg_type = "Float32Array")] sums: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = BatchNormOptions::unpack(options).and_then(|o| {
        let (sum_dy, sum_dy_xhat) = sums.split_at_mut(sums.len() / 2);
        batch_norm::batch_norm_backward_reduce(grad_out, x, mean, invstd, sum_dy, sum_dy_xhat, &o)
    });
    crate::error::convert(&env, result)
}

/// The input gradient (`sums`: sumDy then sumDyXhat, read in training).
#[napi(catch_unwind, js_name = "batchNormBackwardInput")]
pub fn batch_norm_backward_input(
    env: Env,
    grad_out: &[f32],
    x: &[f32],
    mean: &[f32],
    invstd: &[f32],
    weight: Option<&[f32]>,
    sums: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad_in: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = BatchNormOptions::unpack(options).and_then(|o| {
        batch_norm::batch_norm_backward_input(grad_out, x, mean, invstd, weight, sums, grad_in, &o)
    });
    crate::error::convert(&env, result)
}
