//! Fused optimizer steps: `adamStep`, `sgdStep`. Lists of `Float32Array`s arrive as `Vec<&mut
//! [f32]>`: napi reads each typed array's data pointer in place (no copy, no napi reference), so
//! a call costs one array walk per list plus the update itself.
use crate::buffers::U8Out;
use kindling_core::optim::{self, AdamOptions, SgdOptions};
use napi::Env;
use napi_derive::napi;

/// One Adam/AdamW step over every parameter of a group, in place (PyTorch's `_single_tensor_adam`).
/// `steps` are the per-parameter step counts after the increment; `maxExpAvgSqs` is empty unless
/// `amsgrad`.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn adam_step(
    env: Env,
    mut params: Vec<&mut [f32]>,
    grads: Vec<&[f32]>,
    mut exp_avgs: Vec<&mut [f32]>,
    mut exp_avg_sqs: Vec<&mut [f32]>,
    mut max_exp_avg_sqs: Vec<&mut [f32]>,
    steps: &[f64],
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    amsgrad: bool,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> napi::Result<()> {
    let options = AdamOptions {
        lr,
        beta1,
        beta2,
        eps,
        weight_decay,
        amsgrad,
        maximize,
        decoupled_weight_decay,
    };
    crate::error::convert(
        &env,
        optim::adam_step(
            &mut params,
            &grads,
            &mut exp_avgs,
            &mut exp_avg_sqs,
            &mut max_exp_avg_sqs,
            steps,
            &options,
        ),
    )
}

/// One SGD step over every parameter of a group, in place (PyTorch's `_single_tensor_sgd`). A
/// momentum buffer whose `bufferInitialized` flag is 0 receives the gradient and its flag is set.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn sgd_step(
    env: Env,
    mut params: Vec<&mut [f32]>,
    grads: Vec<&[f32]>,
    mut momentum_buffers: Vec<&mut [f32]>,
    #[napi(ts_arg_type = "Uint8Array")] buffer_initialized: U8Out<'_>,
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    weight_decay: f64,
    maximize: bool,
) -> napi::Result<()> {
    let options = SgdOptions {
        lr,
        momentum,
        dampening,
        nesterov,
        weight_decay,
        maximize,
    };
    crate::error::convert(
        &env,
        optim::sgd_step(
            &mut params,
            &grads,
            &mut momentum_buffers,
            buffer_initialized,
            &options,
        ),
    )
}
