//! `crossEntropy` with class-index targets, fused: max, log-sum-exp, loss and gradient per row.
//!
//! With `ε = labelSmoothing`, `w` the class weights (1 without), `t` the row's target and
//! `log p = log_softmax(z)`, PyTorch's loss of a row is
//! `(1 − ε)·(−w_t·log p_t) + ε/C·Σ_c(−w_c·log p_c)`; `mean` divides the summed rows by `Σ w_t` over
//! the non-ignored rows. Its gradient with respect to `z_j` is
//! `(1 − ε)·w_t·(p_j − [j = t]) + ε/C·(p_j·Σ_c w_c − w_j)` (times `1/Σ w_t` for `mean`).
use super::{
    check_common, check_label_smoothing, check_targets, class_weight, for_each_row_block, rows,
    write_reduced,
};
use crate::codes::Reduction;
use crate::cpu::{self, Simd};
use crate::error::KernelResult;

#[allow(clippy::too_many_arguments)]
pub fn cross_entropy(
    logits: &[f32],
    n: u32,
    c: u32,
    target: &[i32],
    weight: Option<&[f32]>,
    ignore_index: i32,
    label_smoothing: f32,
    reduction: u32,
    loss: &mut [f32],
    grad_logits: &mut [f32],
) -> KernelResult {
    cross_entropy_with(
        cpu::active(),
        logits,
        n,
        c,
        target,
        weight,
        ignore_index,
        label_smoothing,
        reduction,
        loss,
        grad_logits,
    )
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn cross_entropy_with(
    simd: Simd,
    logits: &[f32],
    n: u32,
    c: u32,
    target: &[i32],
    weight: Option<&[f32]>,
    ignore_index: i32,
    label_smoothing: f32,
    reduction: u32,
    loss: &mut [f32],
    grad_logits: &mut [f32],
) -> KernelResult {
    const OP: &str = "crossEntropy";
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
    check_label_smoothing(OP, label_smoothing)?;
    check_targets(OP, target, k.n, k.c, ignore_index)?;
    let c = k.c;
    let simd = crate::simd::for_row_len(simd, c);
    let eps = label_smoothing;
    let weight_total: f32 = weight.map_or(c as f32, |w| {
        w.iter().map(|&v| v as f64).sum::<f64>() as f32
    });
    // Σ w_t over non-ignored rows: the `mean` denominator, needed before any gradient is written.
    let denominator: f64 = target
        .iter()
        .filter(|&&t| t != ignore_index)
        .map(|&t| class_weight(weight, t as usize) as f64)
        .sum();
    let grad_scale = match k.reduction {
        Reduction::Mean => (1.0 / denominator) as f32,
        _ => 1.0,
    };
    let per_row_loss = k.reduction == Reduction::None;
    let sum = for_each_row_block(&k, loss, grad_logits, 16, |block| {
        for r in 0..block.rows {
            let i = block.first_row + r;
            let z = &logits[i * c..(i + 1) * c];
            let grad = if k.want_grad {
                &mut block.grad[r * c..(r + 1) * c]
            } else {
                &mut [][..]
            };
            let t = target[i];
            if t == ignore_index {
                if per_row_loss {
                    block.loss[r] = 0.0;
                }
                grad.fill(0.0);
                continue;
            }
            let t = t as usize;
            let (m, lse) = rows::log_sum_exp(simd, z);
            let shift = m + lse;
            let w_t = class_weight(weight, t);
            let nll = -w_t * (z[t] - shift);
            let row_loss = if eps > 0.0 {
                let smooth: f64 = z
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| (-class_weight(weight, j) * (v - shift)) as f64)
                    .sum();
                (1.0 - eps) * nll + eps / c as f32 * smooth as f32
            } else {
                nll
            };
            if per_row_loss {
                block.loss[r] = row_loss;
            } else {
                block.partial += row_loss as f64;
            }
            if k.want_grad {
                let row = rows::RowGrad {
                    target: t,
                    hard: (1.0 - eps) * w_t,
                    soft: eps / c as f32,
                    weight_total,
                    weight,
                    scale: grad_scale,
                };
                rows::cross_entropy_grad(simd, z, shift, row, grad);
            }
        }
    });
    write_reduced(k.reduction, sum, denominator, loss);
    Ok(())
}
