//! Loss bindings: `crossEntropy`, `crossEntropyProbs`, `nllLoss` (fused loss + gradient). `weight`
//! may be `null`/`undefined`; an empty gradient buffer skips the gradient.
use kindling_core::loss;
use kindling_core::options::{
    CrossEntropyOptions, CrossEntropyProbsOptions, NllLossOptions, Packed,
};
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

/// Cross-entropy of `n × c` logits against class probabilities (`n × c`); `options` packs
/// `CrossEntropyProbsOptions` (n, c, labelSmoothing, reduction).
#[napi(catch_unwind)]
pub fn cross_entropy_probs(
    env: Env,
    logits: &[f32],
    target_probs: &[f32],
    weight: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array")] loss: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] grad_logits: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = CrossEntropyProbsOptions::unpack(options).and_then(|o| {
        loss::cross_entropy_probs(
            logits,
            o.n,
            o.c,
            target_probs,
            weight,
            o.label_smoothing,
            o.reduction,
            loss,
            grad_logits,
        )
    });
    crate::error::convert(&env, result)
}

/// Negative log-likelihood of `n × c` log-probabilities against class indices; `options` packs
/// `NllLossOptions` (n, c, ignoreIndex, reduction).
#[napi(catch_unwind)]
pub fn nll_loss(
    env: Env,
    log_probs: &[f32],
    target: &[i32],
    weight: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array")] loss: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] grad_log_probs: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = NllLossOptions::unpack(options).and_then(|o| {
        loss::nll_loss(
            log_probs,
            o.n,
            o.c,
            target,
            weight,
            o.ignore_index,
            o.reduction,
            loss,
            grad_log_probs,
        )
    });
    crate::error::convert(&env, result)
}
