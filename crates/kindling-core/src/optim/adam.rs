//! Adam and AdamW (`torch/optim/adam.py`, `_single_tensor_adam`, the path PyTorch takes on CPU).
//!
//! Per parameter, in PyTorch's order and float32 roundings:
//! ```text
//! grad = -grad if maximize
//! AdamW: param *= 1 − lr·wd            Adam: grad = grad + wd·param        (only when wd ≠ 0)
//! m = lerp(m, grad, 1 − β1)            v = v·β2 + (1 − β2)·grad·grad
//! bc1 = 1 − β1^step, bc2 = 1 − β2^step  (f64, as Python computes them)
//! v̂ = max(v̂, v) if amsgrad else v
//! param += (−lr/bc1)·m / (sqrt(v̂)/sqrt(bc2) + eps)          (eps after the bias correction)
//! ```
//! PyTorch's vectorised CPU kernels fuse `add(alpha)`, `lerp` and `addcmul` into FMAs; so does this
//! file (`mul_add`), which is why those operations match torch bit for bit. Its `sqrt` is not
//! always correctly rounded (≈0.6 % of results differ by one ulp from IEEE `sqrt`), so a 20-step
//! trajectory agrees to ~1e-7 relative rather than exactly.
use super::buffers::{check_count, check_each_len, check_steps, for_each_chunk, Ptr};
use super::div_by_constant::{div_by_constant, reciprocal};
use crate::cpu::{self, Simd};
use crate::denormals::FlushDenormals;
use crate::error::{check_finite, KernelError, KernelResult};
use crate::simd;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamOptions {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
    pub maximize: bool,
    /// AdamW: decay the parameter (`param *= 1 − lr·wd`) instead of adding `wd·param` to the gradient.
    pub decoupled_weight_decay: bool,
}

impl Default for AdamOptions {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            maximize: false,
            decoupled_weight_decay: false,
        }
    }
}

/// How weight decay enters the update (a const parameter, so each variant vectorises cleanly).
const NO_DECAY: u8 = 0;
const COUPLED: u8 = 1;
const DECOUPLED: u8 = 2;

/// The per-call float32 scalars, each rounded from the double PyTorch computes in Python.
#[derive(Clone, Copy)]
struct Scalars {
    grad_sign: f32,
    weight_decay: f32,
    /// AdamW's `1 − lr·wd`.
    decay: f32,
    /// `lerp` is `m + w·(g − m)` for `|w| < 0.5`, else `g + (w − 1)·(g − m)` (PyTorch's Lerp.h).
    lerp_small: bool,
    lerp_coeff: f32,
    beta2: f32,
    one_minus_beta2: f32,
    eps: f32,
}

/// One parameter's buffers and step-dependent scalars.
#[derive(Clone, Copy)]
struct Slot {
    param: Ptr<f32>,
    grad: Ptr<f32>,
    exp_avg: Ptr<f32>,
    exp_avg_sq: Ptr<f32>,
    max_exp_avg_sq: Ptr<f32>,
    neg_step_size: f32,
    bias_correction2_sqrt: f32,
    /// `1 / bias_correction2_sqrt`, for the exact division without a divide (div_by_constant.rs).
    bias_correction2_sqrt_recip: f32,
}

/// One Adam/AdamW step over every parameter. `steps[i]` is parameter `i`'s step count after the
/// increment; `max_exp_avg_sqs` is empty unless `amsgrad`.
pub fn adam_step(
    params: &mut [&mut [f32]],
    grads: &[&[f32]],
    exp_avgs: &mut [&mut [f32]],
    exp_avg_sqs: &mut [&mut [f32]],
    max_exp_avg_sqs: &mut [&mut [f32]],
    steps: &[f64],
    options: &AdamOptions,
) -> KernelResult {
    adam_step_with(
        params,
        grads,
        exp_avgs,
        exp_avg_sqs,
        max_exp_avg_sqs,
        steps,
        options,
        cpu::active(),
    )
}

#[allow(clippy::too_many_arguments)]
pub fn adam_step_with(
    params: &mut [&mut [f32]],
    grads: &[&[f32]],
    exp_avgs: &mut [&mut [f32]],
    exp_avg_sqs: &mut [&mut [f32]],
    max_exp_avg_sqs: &mut [&mut [f32]],
    steps: &[f64],
    options: &AdamOptions,
    simd: Simd,
) -> KernelResult {
    const OP: &str = "adam_step";
    let o = options;
    for (name, v) in [
        ("lr", o.lr),
        ("beta1", o.beta1),
        ("beta2", o.beta2),
        ("eps", o.eps),
        ("weight_decay", o.weight_decay),
    ] {
        check_finite(OP, name, v)?;
    }
    let n = params.len();
    check_count(OP, "grads", grads.len(), n)?;
    check_count(OP, "exp_avgs", exp_avgs.len(), n)?;
    check_count(OP, "exp_avg_sqs", exp_avg_sqs.len(), n)?;
    check_count(OP, "steps", steps.len(), n)?;
    if o.amsgrad {
        check_count(OP, "max_exp_avg_sqs", max_exp_avg_sqs.len(), n)?;
    } else if !max_exp_avg_sqs.is_empty() {
        return Err(KernelError::length(
            OP,
            format!(
                "max_exp_avg_sqs has {} buffers, expected 0 (amsgrad is off)",
                max_exp_avg_sqs.len()
            ),
        ));
    }
    check_each_len(OP, "grads", grads.iter().map(|b| b.len()), params)?;
    check_each_len(OP, "exp_avgs", exp_avgs.iter().map(|b| b.len()), params)?;
    check_each_len(
        OP,
        "exp_avg_sqs",
        exp_avg_sqs.iter().map(|b| b.len()),
        params,
    )?;
    check_each_len(
        OP,
        "max_exp_avg_sqs",
        max_exp_avg_sqs.iter().map(|b| b.len()),
        params,
    )?;
    check_steps(OP, steps)?;

    let lerp_weight = (1.0 - o.beta1) as f32;
    let scalars = Scalars {
        grad_sign: if o.maximize { -1.0 } else { 1.0 },
        weight_decay: o.weight_decay as f32,
        decay: (1.0 - o.lr * o.weight_decay) as f32,
        lerp_small: lerp_weight.abs() < 0.5,
        lerp_coeff: if lerp_weight.abs() < 0.5 {
            lerp_weight
        } else {
            lerp_weight - 1.0
        },
        beta2: o.beta2 as f32,
        one_minus_beta2: (1.0 - o.beta2) as f32,
        eps: o.eps as f32,
    };
    let slots: Vec<Slot> = (0..n)
        .map(|i| {
            let bias_correction1 = 1.0 - o.beta1.powf(steps[i]);
            let bias_correction2 = 1.0 - o.beta2.powf(steps[i]);
            let bias_correction2_sqrt = bias_correction2.powf(0.5) as f32;
            Slot {
                param: Ptr(params[i].as_mut_ptr()),
                grad: Ptr(grads[i].as_ptr().cast_mut()),
                exp_avg: Ptr(exp_avgs[i].as_mut_ptr()),
                exp_avg_sq: Ptr(exp_avg_sqs[i].as_mut_ptr()),
                max_exp_avg_sq: Ptr(max_exp_avg_sqs
                    .get_mut(i)
                    .map_or(std::ptr::null_mut(), |b| b.as_mut_ptr())),
                neg_step_size: (-(o.lr / bias_correction1)) as f32,
                bias_correction2_sqrt,
                bias_correction2_sqrt_recip: reciprocal(bias_correction2_sqrt),
            }
        })
        .collect();
    let lens: Vec<usize> = params.iter().map(|p| p.len()).collect();
    let decay_mode = match (o.weight_decay != 0.0, o.decoupled_weight_decay) {
        (false, _) => NO_DECAY,
        (true, false) => COUPLED,
        (true, true) => DECOUPLED,
    };
    let amsgrad = o.amsgrad;
    // ~12 flops and 28 bytes of traffic per element.
    for_each_chunk(&lens, 8, |b, range| {
        // Per task: the mode is per thread. See NOTE [ Why flush subnormals ] in denormals.rs.
        let _flush = FlushDenormals::new();
        let slot = &slots[b];
        // SAFETY: the ranges of one `for_each_chunk` call are disjoint and inside every buffer of
        // slot `b` (all lengths were checked equal above); the buffers are exclusively borrowed.
        unsafe {
            let p = slot.param.slice_mut(range.clone());
            let g = slot.grad.slice(range.clone());
            let m = slot.exp_avg.slice_mut(range.clone());
            let v = slot.exp_avg_sq.slice_mut(range.clone());
            let vmax = if amsgrad {
                slot.max_exp_avg_sq.slice_mut(range)
            } else {
                &mut []
            };
            update(simd, &scalars, slot, decay_mode, amsgrad, p, g, m, v, vmax);
        }
    });
    Ok(())
}

simd::kernel! {
    /// Runs the loop monomorphised for the options, compiled for the SIMD path. Every path
    /// computes the same IEEE operations (FMA, sqrt, division are correctly rounded), so results
    /// are bit-identical.
    fn update(
        s: &Scalars,
        slot: &Slot,
        decay_mode: u8,
        amsgrad: bool,
        p: &mut [f32],
        g: &[f32],
        m: &mut [f32],
        v: &mut [f32],
        vmax: &mut [f32],
    ) {
        vector: match (decay_mode, amsgrad) {
            (NO_DECAY, false) => update_elements::<NO_DECAY, false>(s, slot, p, g, m, v, vmax),
            (NO_DECAY, true) => update_elements::<NO_DECAY, true>(s, slot, p, g, m, v, vmax),
            (COUPLED, false) => update_elements::<COUPLED, false>(s, slot, p, g, m, v, vmax),
            (COUPLED, true) => update_elements::<COUPLED, true>(s, slot, p, g, m, v, vmax),
            (_, false) => update_elements::<DECOUPLED, false>(s, slot, p, g, m, v, vmax),
            (_, true) => update_elements::<DECOUPLED, true>(s, slot, p, g, m, v, vmax),
        },
    }
}

/// The element loop; inlined into each path's entry so LLVM vectorises it for that ISA.
#[inline(always)]
fn update_elements<const DECAY: u8, const AMSGRAD: bool>(
    s: &Scalars,
    slot: &Slot,
    p: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    vmax: &mut [f32],
) {
    let n = p.len();
    let (g, m, v) = (&g[..n], &mut m[..n], &mut v[..n]);
    let vmax = if AMSGRAD { &mut vmax[..n] } else { vmax };
    for i in 0..n {
        let mut grad = g[i] * s.grad_sign;
        let mut param = p[i];
        if DECAY == COUPLED {
            grad = param.mul_add(s.weight_decay, grad);
        } else if DECAY == DECOUPLED {
            param *= s.decay;
        }
        let diff = grad - m[i];
        let exp_avg = s
            .lerp_coeff
            .mul_add(diff, if s.lerp_small { m[i] } else { grad });
        m[i] = exp_avg;
        let exp_avg_sq = (s.one_minus_beta2 * grad).mul_add(grad, v[i] * s.beta2);
        v[i] = exp_avg_sq;
        let second = if AMSGRAD {
            // torch.maximum: NaN wins.
            let max = if exp_avg_sq > vmax[i] || exp_avg_sq.is_nan() {
                exp_avg_sq
            } else {
                vmax[i]
            };
            vmax[i] = max;
            max
        } else {
            exp_avg_sq
        };
        // `sqrt(v) / bias_correction2_sqrt` bit for bit, without the divide (div_by_constant.rs):
        // the step is bound by the divider, and this leaves one division per element.
        let denom = div_by_constant(
            second.sqrt(),
            slot.bias_correction2_sqrt,
            slot.bias_correction2_sqrt_recip,
        ) + s.eps;
        p[i] = param + slot.neg_step_size * exp_avg / denom;
    }
}

#[cfg(test)]
mod tests;
