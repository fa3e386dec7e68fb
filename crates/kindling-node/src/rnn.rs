//! One recurrent layer-direction's time loop and its backward through time (`kindling_core::rnn`).
use crate::buffers::F32Out;
use kindling_core::options::Packed;
use kindling_core::rnn::{self, RnnOptions};
use napi::{Env, Result};
use napi_derive::napi;

/// Every step's hidden state into `out` and what the backward needs into `saved`.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn rnn_forward(
    env: Env,
    x_proj: &[f32],
    w_hh: &[f32],
    b_hh: Option<&[f32]>,
    w_hr: Option<&[f32]>,
    lengths: Option<&[u32]>,
    state0: &[f32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] saved: F32Out<'_>,
    options: &[f64],
) -> Result<()> {
    let result = RnnOptions::unpack(options)
        .and_then(|o| rnn::rnn_forward(x_proj, w_hh, b_hh, w_hr, lengths, state0, out, saved, &o));
    crate::error::convert(&env, result)
}

/// The gate pre-activation gradients of every step (then every step's `h` gradient with a
/// projection), the initial state's gradient (written over `gradState`, which comes in holding
/// the final state's), and when given `W_hh`'s and `b_hh`'s gradients and the input side's
/// (`x`'s, `W_ih`'s, `b_ih`'s, from `x` and `W_ih`).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn rnn_backward(
    env: Env,
    w_hh: &[f32],
    w_hr: Option<&[f32]>,
    lengths: Option<&[u32]>,
    state0: &[f32],
    out: &[f32],
    saved: &[f32],
    grad_out: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad_state: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] grad_gates: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array | null | undefined")] grad_w_hh: Option<F32Out<'_>>,
    #[napi(ts_arg_type = "Float32Array | null | undefined")] grad_b_hh: Option<F32Out<'_>>,
    x: Option<&[f32]>,
    w_ih: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array | null | undefined")] grad_x: Option<F32Out<'_>>,
    #[napi(ts_arg_type = "Float32Array | null | undefined")] grad_w_ih: Option<F32Out<'_>>,
    #[napi(ts_arg_type = "Float32Array | null | undefined")] grad_b_ih: Option<F32Out<'_>>,
    options: &[f64],
) -> Result<()> {
    let input = rnn::InputGrads::from_parts(x, w_ih, grad_x, grad_w_ih, grad_b_ih);
    let result = input.and_then(|input| {
        RnnOptions::unpack(options).and_then(|o| {
            rnn::rnn_backward(
                w_hh, w_hr, lengths, state0, out, saved, grad_out, grad_state, grad_gates,
                grad_w_hh, grad_b_hh, input, &o,
            )
        })
    });
    crate::error::convert(&env, result)
}
