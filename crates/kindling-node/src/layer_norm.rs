//! Layer / RMS normalisation and its backward (`kindling_core::layer_norm`).
use crate::buffers::F32Out;
use kindling_core::layer_norm::{self, NormOptions};
use kindling_core::options::Packed;
use napi::{Env, Result};
use napi_derive::napi;

/// The normalised rows (affine when weight/bias are given), with each row's mean and rstd.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn layer_norm(
    env: Env,
    x: &[f32],
    weight: Option<&[f32]>,
    bias: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] mean: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] rstd: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = NormOptions::unpack(options)
        .and_then(|o| layer_norm::layer_norm(x, weight, bias, out, mean, rstd, &o));
    crate::error::convert(&env, result)
}

/// The gradients of `layerNorm` for the input (plus `addend` when given) and, when given, weight
/// and bias (overwritten).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_backward(
    env: Env,
    grad_out: &[f32],
    x: &[f32],
    mean: &[f32],
    rstd: &[f32],
    weight: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array")] grad_in: F32Out<'_>,
    addend: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array | null | undefined")] grad_weight: Option<F32Out<'_>>,
    #[napi(ts_arg_type = "Float32Array | null | undefined")] grad_bias: Option<F32Out<'_>>,
    options: &[f64],
) -> Result<()> {
    let result = NormOptions::unpack(options).and_then(|o| {
        layer_norm::layer_norm_backward(
            grad_out,
            x,
            mean,
            rstd,
            weight,
            grad_in,
            addend,
            grad_weight,
            grad_bias,
            &o,
        )
    });
    crate::error::convert(&env, result)
}
