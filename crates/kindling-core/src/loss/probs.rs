//! `crossEntropyProbs`: class-probability targets. With label smoothing the target becomes
//! `q = t·(1 − ε) + ε/C`; a row's loss is `−Σ_c w_c·q_c·log p_c` and its gradient
//! `p_j·Σ_c w_c·q_c − w_j·q_j`. `mean` divides by `n` (not by weights), as PyTorch.
use super::{
    check_common, check_label_smoothing, class_weight, for_each_row_block, rows, write_reduced,
};
use crate::codes::Reduction;
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelResult};

#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_probs(
    logits: &[f32],
    n: u32,
    c: u32,
    target_probs: &[f32],
    weight: Option<&[f32]>,
    label_smoothing: f32,
    reduction: u32,
    loss: &mut [f32],
    grad_logits: &mut [f32],
) -> KernelResult {
    cross_entropy_probs_with(
        cpu::active(),
        logits,
        n,
        c,
        target_probs,
        weight,
        label_smoothing,
        reduction,
        loss,
        grad_logits,
    )
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn cross_entropy_probs_with(
    simd: Simd,
    logits: &[f32],
    n: u32,
    c: u32,
    target_probs: &[f32],
    weight: Option<&[f32]>,
    label_smoothing: f32,
    reduction: u32,
    loss: &mut [f32],
    grad_logits: &mut [f32],
) -> KernelResult {
    const OP: &str = "crossEntropyProbs";
    let k = check_common(
        OP,
        "logits",
        logits.len(),
        n,
        c,
        weight,
        reduction,
        loss.len(),
        "gradLogits",
        grad_logits.len(),
    )?;
    check_len(
        OP,
        "targetProbs",
        target_probs.len(),
        logits.len(),
        &format!("n={}, c={}", k.n, k.c),
    )?;
    check_label_smoothing(OP, label_smoothing)?;
    let (n, c) = (k.n, k.c);
    let simd = crate::simd::for_row_len(simd, c);
    let eps = label_smoothing;
    let smooth = |q: f32| {
        if eps > 0.0 {
            q * (1.0 - eps) + eps / c as f32
        } else {
            q
        }
    };
    let grad_scale = match k.reduction {
        Reduction::Mean => 1.0 / n as f32,
        _ => 1.0,
    };
    let per_row_loss = k.reduction == Reduction::None;
    let sum = for_each_row_block(&k, loss, grad_logits, 16, |block| {
        for r in 0..block.rows {
            let i = block.first_row + r;
            let z = &logits[i * c..(i + 1) * c];
            let q = &target_probs[i * c..(i + 1) * c];
            let (m, lse) = rows::log_sum_exp(simd, z);
            let shift = m + lse;
            let mut row_loss = 0f64;
            let mut wq_total = 0f64;
            for j in 0..c {
                let wq = class_weight(weight, j) * smooth(q[j]);
                row_loss -= (wq * (z[j] - shift)) as f64;
                wq_total += wq as f64;
            }
            if per_row_loss {
                block.loss[r] = row_loss as f32;
            } else {
                block.partial += row_loss;
            }
            if k.want_grad {
                let wq_total = wq_total as f32;
                for (j, o) in block.grad[r * c..(r + 1) * c].iter_mut().enumerate() {
                    let p = (z[j] - shift).exp();
                    *o = (p * wq_total - class_weight(weight, j) * smooth(q[j])) * grad_scale;
                }
            }
        }
    });
    write_reduced(k.reduction, sum, n as f64, loss);
    Ok(())
}
