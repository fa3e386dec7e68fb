//! Inverted dropout and its backward, which regenerates the forward's mask from (seed, offset).
use crate::buffers::F32Out;
use kindling_core::dropout;
use napi::Env;
use napi_derive::napi;

/// `out = x · mask / (1 − p)`; returns the counters consumed (0 when p is 0 or 1).
#[napi(catch_unwind)]
pub fn dropout(
    env: Env,
    x: &[f32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    p: f64,
    seed: f64,
    offset: f64,
) -> napi::Result<f64> {
    crate::error::convert(
        &env,
        dropout::dropout(x, out, p, seed, offset).map(|n| n as f64),
    )
}

/// `gradIn = gradOut · mask / (1 − p)` with the mask of the forward call with the same seed and offset.
#[napi(catch_unwind)]
pub fn dropout_backward(
    env: Env,
    grad_out: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad_in: F32Out<'_>,
    p: f64,
    seed: f64,
    offset: f64,
) -> napi::Result<f64> {
    crate::error::convert(
        &env,
        dropout::dropout_backward(grad_out, grad_in, p, seed, offset).map(|n| n as f64),
    )
}
