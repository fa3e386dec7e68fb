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
#[cfg(test)]
mod tests;

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

/// A block of consecutive rows handed to one task: its slices of the per-row loss (`none` only)
/// and of the gradient (when wanted), and the f64 sum of its row losses (the other reductions).
pub(crate) struct RowBlock<'a> {
    pub first_row: usize,
    pub rows: usize,
    pub loss: &'a mut [f32],
    pub grad: &'a mut [f32],
    pub partial: f64,
}

/// About this many logits per block; the split depends only on `n` and `c`, so the summed loss
/// (block partials added in block order) is the same for every thread count.
const BLOCK_ELEMS: usize = 4096;

/// Runs `f` on fixed blocks of rows, in parallel when the work is large, and returns the sum of
/// the blocks' `partial`s in block order.
pub(crate) fn for_each_row_block(
    k: &Checked,
    loss: &mut [f32],
    grad: &mut [f32],
    work_per_element: usize,
    f: impl Fn(&mut RowBlock) + Sync + Send,
) -> f64 {
    let (n, c) = (k.n, k.c);
    let rows_per_block = (BLOCK_ELEMS / c.max(1)).max(1);
    let per_row_loss = k.reduction == Reduction::None;
    let mut blocks = Vec::with_capacity(n.div_ceil(rows_per_block));
    let (mut loss_rest, mut grad_rest) = (loss, grad);
    let mut first_row = 0;
    while first_row < n {
        let rows = rows_per_block.min(n - first_row);
        let loss_len = if per_row_loss { rows } else { 0 };
        let grad_len = if k.want_grad { rows * c } else { 0 };
        let (l, lr) = std::mem::take(&mut loss_rest).split_at_mut(loss_len);
        let (g, gr) = std::mem::take(&mut grad_rest).split_at_mut(grad_len);
        (loss_rest, grad_rest) = (lr, gr);
        blocks.push(RowBlock {
            first_row,
            rows,
            loss: l,
            grad: g,
            partial: 0.0,
        });
        first_row += rows;
    }
    crate::threads::par_chunks_mut(&mut blocks, 1, n * c * work_per_element, |_, block| {
        f(&mut block[0])
    });
    blocks.iter().map(|b| b.partial).sum()
}
