//! Fused optimizer steps: `adamStep`, `sgdStep`. Lists of `Float32Array`s arrive as `Vec<&mut
//! [f32]>`: napi reads each typed array's data pointer in place (no copy, no napi reference), so
//! a call costs one array walk per list plus the update itself. The hyperparameters arrive packed
//! in one `Float64Array` (`kindling_core::options`).
use crate::buffers::U8Out;
use kindling_core::optim::{
    self, AdadeltaOptions, AdagradOptions, AdamOptions, RmspropOptions, SgdOptions,
};
use kindling_core::options::Packed;
use napi::Env;
use napi_derive::napi;

/// One Adam/AdamW step over every parameter of a group, in place (PyTorch's `_single_tensor_adam`).
/// `steps` are the per-parameter step counts after the increment; `maxExpAvgSqs` is empty unless
/// `amsgrad`. `options` packs `AdamOptions` (lr, beta1, beta2, eps, weightDecay, amsgrad,
/// maximize, decoupledWeightDecay).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // six buffer lists and the options; `env` is napi's
pub fn adam_step(
    env: Env,
    mut params: Vec<&mut [f32]>,
    grads: Vec<&[f32]>,
    mut exp_avgs: Vec<&mut [f32]>,
    mut exp_avg_sqs: Vec<&mut [f32]>,
    mut max_exp_avg_sqs: Vec<&mut [f32]>,
    steps: &[f64],
    options: &[f64],
) -> napi::Result<()> {
    let result = AdamOptions::unpack(options).and_then(|options| {
        optim::adam_step(
            &mut params,
            &grads,
            &mut exp_avgs,
            &mut exp_avg_sqs,
            &mut max_exp_avg_sqs,
            steps,
            &options,
        )
    });
    crate::error::convert(&env, result)
}

/// One SGD step over every parameter of a group, in place (PyTorch's `_single_tensor_sgd`). A
/// momentum buffer whose `bufferInitialized` flag is 0 receives the gradient and its flag is set.
/// `options` packs `SgdOptions` (lr, momentum, dampening, nesterov, weightDecay, maximize).
#[napi(catch_unwind)]
pub fn sgd_step(
    env: Env,
    mut params: Vec<&mut [f32]>,
    grads: Vec<&[f32]>,
    mut momentum_buffers: Vec<&mut [f32]>,
    #[napi(ts_arg_type = "Uint8Array")] buffer_initialized: U8Out<'_>,
    options: &[f64],
) -> napi::Result<()> {
    let result = SgdOptions::unpack(options).and_then(|options| {
        optim::sgd_step(
            &mut params,
            &grads,
            &mut momentum_buffers,
            buffer_initialized,
            &options,
        )
    });
    crate::error::convert(&env, result)
}

/// One Adadelta step over every parameter of a group, in place (PyTorch's
/// `_single_tensor_adadelta`). `options` packs `AdadeltaOptions` (lr, rho, eps, weightDecay,
/// maximize).
#[napi(catch_unwind)]
pub fn adadelta_step(
    env: Env,
    mut params: Vec<&mut [f32]>,
    grads: Vec<&[f32]>,
    mut square_avgs: Vec<&mut [f32]>,
    mut acc_deltas: Vec<&mut [f32]>,
    options: &[f64],
) -> napi::Result<()> {
    let result = AdadeltaOptions::unpack(options).and_then(|options| {
        optim::adadelta_step(
            &mut params,
            &grads,
            &mut square_avgs,
            &mut acc_deltas,
            &options,
        )
    });
    crate::error::convert(&env, result)
}

/// One RMSprop step over every parameter of a group, in place (PyTorch's
/// `_single_tensor_rmsprop`). `gradAvgs` is empty unless centered, `momentumBuffers` unless
/// momentum > 0. `options` packs `RmspropOptions` (lr, alpha, eps, weightDecay, momentum,
/// centered, maximize).
#[napi(catch_unwind)]
pub fn rmsprop_step(
    env: Env,
    mut params: Vec<&mut [f32]>,
    grads: Vec<&[f32]>,
    mut square_avgs: Vec<&mut [f32]>,
    mut grad_avgs: Vec<&mut [f32]>,
    mut momentum_buffers: Vec<&mut [f32]>,
    options: &[f64],
) -> napi::Result<()> {
    let result = RmspropOptions::unpack(options).and_then(|options| {
        optim::rmsprop_step(
            &mut params,
            &grads,
            &mut square_avgs,
            &mut grad_avgs,
            &mut momentum_buffers,
            &options,
        )
    });
    crate::error::convert(&env, result)
}

/// One Adagrad step over every parameter of a group, in place (PyTorch's dense
/// `_single_tensor_adagrad`). `steps` are the per-parameter step counts after the increment.
/// `options` packs `AdagradOptions` (lr, lrDecay, weightDecay, eps, maximize).
#[napi(catch_unwind)]
pub fn adagrad_step(
    env: Env,
    mut params: Vec<&mut [f32]>,
    grads: Vec<&[f32]>,
    mut state_sums: Vec<&mut [f32]>,
    steps: &[f64],
    options: &[f64],
) -> napi::Result<()> {
    let result = AdagradOptions::unpack(options).and_then(|options| {
        optim::adagrad_step(&mut params, &grads, &mut state_sums, steps, &options)
    });
    crate::error::convert(&env, result)
}
