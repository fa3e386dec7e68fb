//! Adagrad (`torch/optim/adagrad.py`, `_single_tensor_adagrad`, dense gradients).
//!
//! Per element, in PyTorch's order and float32 roundings:
//! ```text
//! grad = -grad if maximize;  grad = grad + wd·param                    (when wd ≠ 0)
//! clr = lr / (1 + (step − 1)·lr_decay)                                  (f64, per parameter)
//! sum = sum + grad·grad
//! param = param + (−clr·grad) / (sqrt(sum) + eps)
//! ```
use super::buffers::{check_count, check_each_len, check_steps, for_each_chunk, Ptr};
use crate::cpu::{self, Simd};
use crate::denormals::FlushDenormals;
use crate::error::{check_finite, KernelResult};
use crate::simd;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdagradOptions {
    pub lr: f64,
    pub lr_decay: f64,
    pub weight_decay: f64,
    pub eps: f64,
    pub maximize: bool,
}

impl Default for AdagradOptions {
    fn default() -> Self {
        Self {
            lr: 0.01,
            lr_decay: 0.0,
            weight_decay: 0.0,
            eps: 1e-10,
            maximize: false,
        }
    }
}

#[derive(Clone, Copy)]
struct Scalars {
    grad_sign: f32,
    weight_decay: f32,
    eps: f32,
}

#[derive(Clone, Copy)]
struct Slot {
    param: Ptr<f32>,
    grad: Ptr<f32>,
    sum: Ptr<f32>,
    neg_clr: f32,
}

/// One Adagrad step over every parameter. `steps[i]` is parameter `i`'s step count after the
/// increment (it sets the decayed learning rate).
pub fn adagrad_step(
    params: &mut [&mut [f32]],
    grads: &[&[f32]],
    state_sums: &mut [&mut [f32]],
    steps: &[f64],
    options: &AdagradOptions,
) -> KernelResult {
    adagrad_step_with(params, grads, state_sums, steps, options, cpu::active())
}

pub fn adagrad_step_with(
    params: &mut [&mut [f32]],
    grads: &[&[f32]],
    state_sums: &mut [&mut [f32]],
    steps: &[f64],
    options: &AdagradOptions,
    simd: Simd,
) -> KernelResult {
    const OP: &str = "adagrad_step";
    let o = options;
    for (name, v) in [
        ("lr", o.lr),
        ("lr_decay", o.lr_decay),
        ("weight_decay", o.weight_decay),
        ("eps", o.eps),
    ] {
        check_finite(OP, name, v)?;
    }
    let n = params.len();
    check_count(OP, "grads", grads.len(), n)?;
    check_count(OP, "state_sums", state_sums.len(), n)?;
    check_count(OP, "steps", steps.len(), n)?;
    check_each_len(OP, "grads", grads.iter().map(|b| b.len()), params)?;
    check_each_len(OP, "state_sums", state_sums.iter().map(|b| b.len()), params)?;
    check_steps(OP, steps)?;

    let scalars = Scalars {
        grad_sign: if o.maximize { -1.0 } else { 1.0 },
        weight_decay: o.weight_decay as f32,
        eps: o.eps as f32,
    };
    let slots: Vec<Slot> = (0..n)
        .map(|i| Slot {
            param: Ptr(params[i].as_mut_ptr()),
            grad: Ptr(grads[i].as_ptr().cast_mut()),
            sum: Ptr(state_sums[i].as_mut_ptr()),
            neg_clr: (-(o.lr / (1.0 + (steps[i] - 1.0) * o.lr_decay))) as f32,
        })
        .collect();
    let lens: Vec<usize> = params.iter().map(|p| p.len()).collect();
    let decay = o.weight_decay != 0.0;
    for_each_chunk(&lens, 8, |b, range| {
        // Per task: the mode is per thread. See NOTE [ Why flush subnormals ] in denormals.rs.
        let _flush = FlushDenormals::new();
        let slot = &slots[b];
        // SAFETY: disjoint ranges inside buffers whose lengths were checked equal above.
        unsafe {
            let p = slot.param.slice_mut(range.clone());
            let g = slot.grad.slice(range.clone());
            let sum = slot.sum.slice_mut(range);
            update(simd, &scalars, slot.neg_clr, decay, p, g, sum);
        }
    });
    Ok(())
}

simd::kernel! {
    /// The update of one chunk, compiled for the path.
    fn update(s: &Scalars, neg_clr: f32, decay: bool, p: &mut [f32], g: &[f32], sum: &mut [f32]) {
        vector: if decay {
            update_elements::<true>(s, neg_clr, p, g, sum)
        } else {
            update_elements::<false>(s, neg_clr, p, g, sum)
        },
    }
}

#[inline(always)]
fn update_elements<const DECAY: bool>(
    s: &Scalars,
    neg_clr: f32,
    p: &mut [f32],
    g: &[f32],
    sum: &mut [f32],
) {
    let n = p.len();
    let (g, sum) = (&g[..n], &mut sum[..n]);
    for i in 0..n {
        let mut grad = g[i] * s.grad_sign;
        if DECAY {
            grad = p[i].mul_add(s.weight_decay, grad);
        }
        let total = grad.mul_add(grad, sum[i]);
        sum[i] = total;
        p[i] += neg_clr * grad / (total.sqrt() + s.eps);
    }
}

#[cfg(test)]
mod tests;
