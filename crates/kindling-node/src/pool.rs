//! Pooling bindings: max, average and adaptive pooling over `planes` row-major planes, and their
//! backwards. `options` packs `Pool2dOptions` or `AdaptiveOptions` (kindling_core::pool).
use kindling_core::options::Packed;
use kindling_core::pool::{self, AdaptiveOptions, Pool2dOptions};
use napi::{Env, Result};
use napi_derive::napi;

use crate::buffers::{F32Out, I32Out};

/// Max pooling: values and flat input-plane indices.
#[napi(catch_unwind, js_name = "maxPool2d")]
pub fn max_pool2d(
    env: Env,
    x: &[f32],
    #[napi(ts_arg_type = "Float32Array")] values: F32Out<'_>,
    #[napi(ts_arg_type = "Int32Array")] indices: I32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result =
        Pool2dOptions::unpack(options).and_then(|o| pool::max_pool2d(x, values, indices, &o));
    crate::error::convert(&env, result)
}

/// Max pooling's values alone (a forward with no backward).
#[napi(catch_unwind, js_name = "maxPool2dValues")]
pub fn max_pool2d_values(
    env: Env,
    x: &[f32],
    #[napi(ts_arg_type = "Float32Array")] values: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result =
        Pool2dOptions::unpack(options).and_then(|o| pool::max_pool2d_values(x, values, &o));
    crate::error::convert(&env, result)
}

/// The backward of (adaptive) max pooling: scatter-add of `gradOut` at `indices`.
#[napi(catch_unwind)]
pub fn max_pool_backward(
    env: Env,
    grad_out: &[f32],
    indices: &[i32],
    #[napi(ts_arg_type = "Float32Array")] grad_in: F32Out<'_>,
    planes: u32,
    in_plane: u32,
    out_plane: u32,
) -> Result<()> {
    crate::error::convert(
        &env,
        pool::max_pool_backward(
            grad_out,
            indices,
            grad_in,
            planes as usize,
            in_plane as usize,
            out_plane as usize,
        ),
    )
}

/// Average pooling.
#[napi(catch_unwind, js_name = "avgPool2d")]
pub fn avg_pool2d(
    env: Env,
    x: &[f32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = Pool2dOptions::unpack(options).and_then(|o| pool::avg_pool2d(x, out, &o));
    crate::error::convert(&env, result)
}

/// The backward of average pooling.
#[napi(catch_unwind, js_name = "avgPool2dBackward")]
pub fn avg_pool2d_backward(
    env: Env,
    grad_out: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad_in: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = Pool2dOptions::unpack(options)
        .and_then(|o| pool::avg_pool2d_backward(grad_out, grad_in, &o));
    crate::error::convert(&env, result)
}

/// Adaptive average pooling.
#[napi(catch_unwind, js_name = "adaptiveAvgPool2d")]
pub fn adaptive_avg_pool2d(
    env: Env,
    x: &[f32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result =
        AdaptiveOptions::unpack(options).and_then(|o| pool::adaptive_avg_pool2d(x, out, &o));
    crate::error::convert(&env, result)
}

/// The backward of adaptive average pooling.
#[napi(catch_unwind, js_name = "adaptiveAvgPool2dBackward")]
pub fn adaptive_avg_pool2d_backward(
    env: Env,
    grad_out: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad_in: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = AdaptiveOptions::unpack(options)
        .and_then(|o| pool::adaptive_avg_pool2d_backward(grad_out, grad_in, &o));
    crate::error::convert(&env, result)
}

/// Adaptive max pooling: values and flat input-plane indices.
#[napi(catch_unwind, js_name = "adaptiveMaxPool2d")]
pub fn adaptive_max_pool2d(
    env: Env,
    x: &[f32],
    #[napi(ts_arg_type = "Float32Array")] values: F32Out<'_>,
    #[napi(ts_arg_type = "Int32Array")] indices: I32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = AdaptiveOptions::unpack(options)
        .and_then(|o| pool::adaptive_max_pool2d(x, values, indices, &o));
    crate::error::convert(&env, result)
}
