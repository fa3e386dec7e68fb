//! Elementwise bindings: `binary`, `binaryScalar`, `binaryBroadcast`, `unary`, `unaryBackward`,
//! `unaryBackwardInplace`, and
//! `codesTable` (the Rust op codes, for the drift test against `src/native/codes.ts`).
use crate::buffers::F32Out;
use kindling_core::elementwise as core;
use napi::{Env, Result};
use napi_derive::napi;
use std::collections::HashMap;

/// `out[i] = a[i] op b[i]` (op: `BinaryOp`).
#[napi(catch_unwind)]
pub fn binary(
    env: Env,
    op: u32,
    a: &[f32],
    b: &[f32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
) -> Result<()> {
    crate::error::convert(&env, core::binary(op, a, b, out))
}

/// `out[i] = a[i] op s`, or `s op a[i]` when `reverse`.
#[napi(catch_unwind)]
pub fn binary_scalar(
    env: Env,
    op: u32,
    a: &[f32],
    s: f64,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    reverse: bool,
) -> Result<()> {
    crate::error::convert(&env, core::binary_scalar(op, a, s as f32, out, reverse))
}

/// `out = a op b` over `outShape`, each input read through its strides (0 where broadcast).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn binary_broadcast(
    env: Env,
    op: u32,
    a: &[f32],
    a_strides: &[u32],
    b: &[f32],
    b_strides: &[u32],
    out_shape: &[u32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
) -> Result<()> {
    crate::error::convert(
        &env,
        core::binary_broadcast(op, a, a_strides, b, b_strides, out_shape, out),
    )
}

/// `out[i] = op(x[i])` (op: `UnaryOp`; `param` is `Pow`'s exponent and `Scale`'s factor, and with
/// the optional `param2` (default 0) the activations' arguments).
#[napi(catch_unwind)]
pub fn unary(
    env: Env,
    op: u32,
    x: &[f32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    param: f64,
    param2: Option<f64>,
) -> Result<()> {
    let param2 = param2.unwrap_or(0.0) as f32;
    crate::error::convert(&env, core::unary(op, x, out, param as f32, param2))
}

/// `gradIn = gradOut · op'(x)`; `x` is the op's input, `y` its output (the one not read may be empty).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn unary_backward(
    env: Env,
    op: u32,
    grad_out: &[f32],
    x: &[f32],
    y: &[f32],
    #[napi(ts_arg_type = "Float32Array")] grad_in: F32Out<'_>,
    param: f64,
    param2: Option<f64>,
) -> Result<()> {
    let param2 = param2.unwrap_or(0.0) as f32;
    crate::error::convert(
        &env,
        core::unary_backward(op, grad_out, x, y, grad_in, param as f32, param2),
    )
}

/// `grad = grad · op'(x)` in place: `unaryBackward` writing over its `gradOut`, same bits (for a
/// gradient nobody else holds).
#[napi(catch_unwind)]
pub fn unary_backward_inplace(
    env: Env,
    op: u32,
    #[napi(ts_arg_type = "Float32Array")] grad: F32Out<'_>,
    x: &[f32],
    y: &[f32],
    param: f64,
    param2: Option<f64>,
) -> Result<()> {
    let param2 = param2.unwrap_or(0.0) as f32;
    crate::error::convert(
        &env,
        core::unary_backward_inplace(op, grad, x, y, param as f32, param2),
    )
}

/// Exact GELU into `out` and its derivative `Φ(x) + x·φ(x)` into `deriv` (for a backward of `gradOut · deriv`).
#[napi(catch_unwind)]
pub fn gelu_with_derivative(
    env: Env,
    x: &[f32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] deriv: F32Out<'_>,
) -> Result<()> {
    crate::error::convert(&env, core::gelu_with_derivative(x, out, deriv))
}

/// `grad *= factor` elementwise, in place.
#[napi(catch_unwind)]
pub fn mul_inplace(
    env: Env,
    #[napi(ts_arg_type = "Float32Array")] grad: F32Out<'_>,
    factor: &[f32],
) -> Result<()> {
    crate::error::convert(&env, core::mul_inplace(grad, factor))
}

/// Every op code by group and name (`{ BinaryOp: { Add: 0, … }, … }`), as `kindling_core::codes`.
#[napi(catch_unwind)]
pub fn codes_table() -> HashMap<String, HashMap<String, u32>> {
    let mut table: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for (group, name, value) in kindling_core::codes::table() {
        table
            .entry(group.to_string())
            .or_default()
            .insert(name.to_string(), value);
    }
    table
}
