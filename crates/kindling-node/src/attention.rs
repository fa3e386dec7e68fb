//! Fused scaled dot-product attention and its backward (`kindling_core::attention`).
use crate::buffers::F32Out;
use kindling_core::attention::{self, AttentionOptions};
use kindling_core::options::Packed;
use napi::{Env, Result};
use napi_derive::napi;

/// `out = softmax(q·kᵀ·scale + mask)·v` and each row's log-sum-exp; returns the Philox counters
/// the dropout used (0 without dropout).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn attention(
    env: Env,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] lse: F32Out<'_>,
    options: &[f64],
) -> Result<f64> {
    let result = AttentionOptions::unpack(options)
        .and_then(|o| attention::attention(q, k, v, mask, out, lse, &o))
        .map(|n| n as f64);
    crate::error::convert(&env, result)
}

/// The gradients of `attention` with respect to q, k and v (overwritten).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn attention_backward(
    env: Env,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
    out: &[f32],
    lse: &[f32],
    grad_out: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad_q: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] grad_k: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] grad_v: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = AttentionOptions::unpack(options).and_then(|o| {
        attention::attention_backward(
            q, k, v, mask, out, lse, grad_out, grad_q, grad_k, grad_v, &o,
        )
    });
    crate::error::convert(&env, result)
}

/// The gradients of `attention` for q, k and v that are views of one storage, written into
/// `grad` (that storage's length) where each of them sits.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn attention_backward_into_storage(
    env: Env,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
    out: &[f32],
    lse: &[f32],
    grad_out: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = AttentionOptions::unpack(options).and_then(|o| {
        attention::attention_backward_into_storage(q, k, v, mask, out, lse, grad_out, grad, &o)
    });
    crate::error::convert(&env, result)
}
