//! Per-row pieces of the fused losses: log-sum-exp and the softmax it implies.
use crate::cpu::Simd;
use crate::softmax::row::row_max;

/// `(max, log Σ exp(z − max))` of a row; `z_j − max − lse` is `log_softmax(z)_j`.
pub(crate) fn log_sum_exp(simd: Simd, z: &[f32]) -> (f32, f32) {
    let _ = simd;
    let m = row_max(z);
    let s = z.iter().fold(0f64, |s, &v| s + (v - m).exp() as f64);
    (m, (s as f32).ln())
}
