//! `sgemm`: row-major single-precision GEMM on Float32Arrays, zero-copy (`c` is written in place).
use crate::buffers::F32Out;
use napi_derive::napi;

/// `c = alpha·op(a)·op(b) + beta·c (+ bias row)`; `op(a)` is m×k (stored k×m when `transA`),
/// `op(b)` is k×n (stored n×k when `transB`). `beta == 0` ignores the old contents of `c`.
/// `bias` (length n) may be omitted, `null` or `undefined`.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn sgemm(
    env: napi::Env,
    trans_a: bool,
    trans_b: bool,
    m: u32,
    n: u32,
    k: u32,
    alpha: f64,
    a: &[f32],
    b: &[f32],
    beta: f64,
    #[napi(ts_arg_type = "Float32Array")] c: F32Out<'_>,
    bias: Option<&[f32]>,
) -> napi::Result<()> {
    crate::error::convert(
        &env,
        kindling_core::gemm::sgemm(
            trans_a,
            trans_b,
            m as usize,
            n as usize,
            k as usize,
            alpha as f32,
            a,
            b,
            beta as f32,
            c,
            bias,
        ),
    )
}
