//! Classification losses over `n` rows of `c` classes, fused with their gradient:
//! `crossEntropy` (class-index targets), `crossEntropyProbs` (class-probability targets) and
//! `nllLoss`. Each writes the reduced loss and d(loss)/d(input), so backward is a single scale by
//! the incoming gradient. Semantics follow `torch.nn.functional.cross_entropy`/`nll_loss`:
//! class weights, `ignoreIndex` (loss and gradient 0 on those rows), label smoothing, and `mean`
//! dividing by the summed weight of the non-ignored targets (NaN when that is 0).
mod cross_entropy;
mod nll;
mod probs;
mod rows;

pub use cross_entropy::cross_entropy;
pub use nll::nll_loss;
pub use probs::cross_entropy_probs;

#[cfg(test)]
pub(crate) use cross_entropy::cross_entropy_with;
#[cfg(test)]
pub(crate) use probs::cross_entropy_probs_with;

use crate::codes::Reduction;
use crate::error::{check_finite, check_len, KernelError, KernelResult};

/// The shared argument checks of the three losses.
pub(crate) struct Checked {
    pub n: usize,
    pub c: usize,
    pub reduction: Reduction,
    /// Whether the caller wants the gradient (an empty gradient buffer skips it).
    pub want_grad: bool,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn check_common(
    op: &'static str,
    input_name: &str,
    input_len: usize,
    n: u32,
    c: u32,
    weight: Option<&[f32]>,
    reduction: u32,
    loss_len: usize,
    grad_name: &str,
    grad_len: usize,
) -> KernelResult<Checked> {
    let reduction = Reduction::from_code(op, reduction)?;
    let (n, c) = (n as usize, c as usize);
    let context = format!("n={n}, c={c}");
    let total = n
        .checked_mul(c)
        .ok_or_else(|| KernelError::shape(op, format!("n={n} × c={c} overflows")))?;
    check_len(op, input_name, input_len, total, &context)?;
    if let Some(w) = weight {
        check_len(op, "weight", w.len(), c, &context)?;
    }
    let expected_loss = if reduction == Reduction::None { n } else { 1 };
    check_len(
        op,
        "loss",
        loss_len,
        expected_loss,
        &format!("reduction {:?}, n={n}", reduction.name()),
    )?;
    let want_grad = grad_len != 0 || total == 0;
    if want_grad {
        check_len(
            op,
            grad_name,
            grad_len,
            total,
            &format!("{context}; or 0 to skip the gradient"),
        )?;
    }
    Ok(Checked {
        n,
        c,
        reduction,
        want_grad,
    })
}

pub(crate) fn check_label_smoothing(op: &'static str, label_smoothing: f32) -> KernelResult {
    check_finite(op, "labelSmoothing", label_smoothing as f64)?;
    if !(0.0..=1.0).contains(&label_smoothing) {
        return Err(KernelError::value(
            op,
            format!("labelSmoothing must be between 0.0 and 1.0, got {label_smoothing}"),
        ));
    }
    Ok(())
}

/// Checks every target is `ignoreIndex` or in `[0, c)` (PyTorch's wording), before anything is written.
pub(crate) fn check_targets(
    op: &'static str,
    target: &[i32],
    n: usize,
    c: usize,
    ignore_index: i32,
) -> KernelResult {
    check_len(op, "target", target.len(), n, &format!("n={n}"))?;
    for &t in target {
        if t != ignore_index && (t < 0 || t as usize >= c) {
            return Err(KernelError::value(
                op,
                format!("Target {t} is out of bounds."),
            ));
        }
    }
    Ok(())
}

/// The weight of class `t` (1 without weights).
#[inline(always)]
pub(crate) fn class_weight(weight: Option<&[f32]>, t: usize) -> f32 {
    weight.map_or(1.0, |w| w[t])
}

/// Writes the reduced loss: `sum` as is, `mean` divided by `denominator` (0/0 → NaN, as PyTorch).
pub(crate) fn write_reduced(reduction: Reduction, sum: f64, denominator: f64, loss: &mut [f32]) {
    match reduction {
        Reduction::None => {}
        Reduction::Sum => loss[0] = sum as f32,
        Reduction::Mean => loss[0] = (sum / denominator) as f32,
    }
}
