//! Loss bindings: `crossEntropy`, `crossEntropyProbs`, `nllLoss` (fused loss + gradient). `weight`
//! may be `null`/`undefined`; an empty gradient buffer skips the gradient.
use kindling_core::loss;
use kindling_core::options::{CrossEntropyOptions, Packed};
use napi::{Env, Result};
use napi_derive::napi;

use crate::buffers::F32Out;

/// Cross-entropy of `n × c` logits against class indices; `options` packs `CrossEntropyOptions`
/// (n, c, ignoreIndex, labelSmoothing, reduction).
#[napi(catch_unwind)]
pub fn cross_entropy(
    env: Env,
    logits: &[f32],
    target: &[i32],
    weight: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array")] loss: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] grad_logits: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = CrossEntropyOptions::unpack(options).and_then(|o| {
        loss::cross_entropy(
            logits,
            o.n,
            o.c,
            target,
            weight,
            o.ignore_index,
            o.label_smoothing,
            o.reduction,
            loss,
            grad_logits,
        )
    });
    crate::error::convert(&env, result)
}

/// Cross-entropy of `n × c` logits against class probabilities (`n × c`).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_probs(
    env: Env,
    logits: &[f32],
    n: u32,
    c: u32,
    target_probs: &[f32],
    weight: Option<&[f32]>,
    label_smoothing: f64,
    reduction: u32,
    #[napi(ts_arg_type = "Float32Array")] loss: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] grad_logits: F32Out<'_>,
) -> Result<()> {
    let result = loss::cross_entropy_probs(
        logits,
        n,
        c,
        target_probs,
        weight,
        label_smoothing as f32,
        reduction,
        loss,
        grad_logits,
    );
    crate::error::convert(&env, result)
}

/// Negative log-likelihood of `n × c` log-probabilities against class indices.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn nll_loss(
    env: Env,
    log_probs: &[f32],
    n: u32,
    c: u32,
    target: &[i32],
    weight: Option<&[f32]>,
    ignore_index: i32,
    reduction: u32,
    #[napi(ts_arg_type = "Float32Array")] loss: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] grad_log_probs: F32Out<'_>,
) -> Result<()> {
    let result = loss::nll_loss(
        log_probs,
        n,
        c,
        target,
        weight,
        ignore_index,
        reduction,
        loss,
        grad_log_probs,
    );
    crate::error::convert(&env, result)
}
