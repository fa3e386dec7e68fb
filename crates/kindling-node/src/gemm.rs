//! `sgemm`: row-major single-precision GEMM on Float32Arrays, zero-copy (`c` is written in place).
use crate::buffers::F32Out;
use kindling_core::options::{GemmOptions, Packed};
use napi_derive::napi;

/// `c = alpha·op(a)·op(b) + beta·c (+ bias row)`. `beta == 0` ignores the old contents of `c`.
/// `bias` (length n) may be `null` or `undefined`. `options` packs `GemmOptions` (transA, transB,
/// m, n, k, alpha, beta).
#[napi(catch_unwind)]
pub fn sgemm(
    env: napi::Env,
    a: &[f32],
    b: &[f32],
    #[napi(ts_arg_type = "Float32Array")] c: F32Out<'_>,
    bias: Option<&[f32]>,
    options: &[f64],
) -> napi::Result<()> {
    let result = GemmOptions::unpack(options).and_then(|o| {
        kindling_core::gemm::sgemm(
            o.trans_a, o.trans_b, o.m, o.n, o.k, o.alpha, a, b, o.beta, c, bias,
        )
    });
    crate::error::convert(&env, result)
}

/// `sgemm` with transA that also writes the column sums of the stored `a` (k × m) into `a_sums`
/// (length m): a linear layer's weight and bias gradients from one read of dY.
#[napi(catch_unwind)]
pub fn sgemm_a_sums(
    env: napi::Env,
    a: &[f32],
    b: &[f32],
    #[napi(ts_arg_type = "Float32Array")] c: F32Out<'_>,
    #[napi(ts_arg_type = "Float32Array")] a_sums: F32Out<'_>,
    options: &[f64],
) -> napi::Result<()> {
    let result = GemmOptions::unpack(options).and_then(|o| {
        kindling_core::gemm::sgemm_a_sums(
            kindling_core::cpu::active(),
            o.trans_a,
            o.m,
            o.n,
            o.k,
            o.alpha,
            a,
            b,
            o.trans_b,
            o.beta,
            c,
            a_sums,
        )
    });
    crate::error::convert(&env, result)
}
