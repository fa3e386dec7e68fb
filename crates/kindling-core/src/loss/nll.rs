//! `nllLoss` on log-probabilities: a row's loss is `−w_t·logProbs[t]`, its gradient `−w_t` at the
//! target and 0 elsewhere; ignored rows give 0, and `mean` divides by `Σ w_t` of the others.
use super::{check_common, check_targets, class_weight, write_reduced};
use crate::codes::Reduction;
use crate::error::KernelResult;

#[allow(clippy::too_many_arguments)]
pub fn nll_loss(
    log_probs: &[f32],
    n: u32,
    c: u32,
    target: &[i32],
    weight: Option<&[f32]>,
    ignore_index: i32,
    reduction: u32,
    loss: &mut [f32],
    grad_log_probs: &mut [f32],
) -> KernelResult {
    const OP: &str = "nllLoss";
    let k = check_common(
        OP,
        "logProbs",
        log_probs.len(),
        n,
        c,
        weight,
        reduction,
        loss.len(),
        "gradLogProbs",
        grad_log_probs.len(),
    )?;
    check_targets(OP, target, k.n, k.c, ignore_index)?;
    let (n, c) = (k.n, k.c);
    let denominator: f64 = target
        .iter()
        .filter(|&&t| t != ignore_index)
        .map(|&t| class_weight(weight, t as usize) as f64)
        .sum();
    let grad_scale = match k.reduction {
        Reduction::Mean => (1.0 / denominator) as f32,
        _ => 1.0,
    };
    if k.want_grad {
        grad_log_probs.fill(0.0);
    }
    let mut sum = 0f64;
    for i in 0..n {
        let t = target[i];
        if t == ignore_index {
            if k.reduction == Reduction::None {
                loss[i] = 0.0;
            }
            continue;
        }
        let t = t as usize;
        let w_t = class_weight(weight, t);
        let row_loss = -w_t * log_probs[i * c + t];
        if k.reduction == Reduction::None {
            loss[i] = row_loss;
        } else {
            sum += row_loss as f64;
        }
        if k.want_grad {
            grad_log_probs[i * c + t] = -w_t * grad_scale;
        }
    }
    write_reduced(k.reduction, sum, denominator, loss);
    Ok(())
}
